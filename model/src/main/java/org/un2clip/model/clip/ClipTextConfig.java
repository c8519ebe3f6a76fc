package org.un2clip.model.clip;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Shape of CLIP's text transformer (causal, pooled at the end-of-text token). MLP width is 4·width.
 *
 * @param contextLength tokens per text (77 for every OpenAI/OpenCLIP model)
 * @param vocabSize     49408 for the OpenAI BPE vocabulary
 * @param width         transformer width
 * @param layers        residual attention blocks
 * @param heads         attention heads; must divide width
 * @param outputDim     embedding width after {@code text_projection}
 * @param activation    MLP non-linearity
 */
public record ClipTextConfig(int contextLength, int vocabSize, int width, int layers, int heads, int outputDim,
                             Activation activation) {

    public ClipTextConfig {
        for (int v : new int[] {contextLength, vocabSize, width, layers, heads, outputDim}) {
            if (v <= 0) {
                throw new IllegalArgumentException("CLIP text config: every size must be positive: " + this);
            }
        }
        if (activation == null) {
            throw new IllegalArgumentException("CLIP text config: activation is missing");
        }
        if (width % heads != 0) {
            throw new IllegalArgumentException("CLIP text config: heads (" + heads + ") must divide width (" + width + ")");
        }
    }

    private static final Map<String, ClipTextConfig> PRESETS = new LinkedHashMap<>();

    static {
        PRESETS.put("ViT-L-14", new ClipTextConfig(77, 49408, 768, 12, 12, 768, Activation.QUICK_GELU));
        PRESETS.put("ViT-L-14-336", new ClipTextConfig(77, 49408, 768, 12, 12, 768, Activation.QUICK_GELU));
        PRESETS.put("ViT-H-14", new ClipTextConfig(77, 49408, 1024, 24, 16, 1024, Activation.GELU));
        PRESETS.put("ViT-B-16", new ClipTextConfig(77, 49408, 512, 12, 8, 512, Activation.QUICK_GELU));
        PRESETS.put("ViT-B-32", new ClipTextConfig(77, 49408, 512, 12, 8, 512, Activation.QUICK_GELU));
    }

    /** The text tower paired with a {@link ClipVisionConfig#preset} of the same name. */
    public static ClipTextConfig preset(String name) {
        String key = name.trim().replace('/', '-').replace('@', '-').replace('_', '-');
        for (Map.Entry<String, ClipTextConfig> e : PRESETS.entrySet()) {
            if (e.getKey().equalsIgnoreCase(key)) {
                return e.getValue();
            }
        }
        throw new IllegalArgumentException("unknown CLIP preset '" + name + "'; known: " + PRESETS.keySet());
    }

    /**
     * From JSON: {@code context_length, vocab_size, width, layers, heads, output_dim} (the names of OpenAI's
     * {@code CLIP.__init__} arguments, with {@code transformer_} dropped) and optional {@code activation}.
     */
    public static ClipTextConfig fromJson(JsonNode t) {
        return new ClipTextConfig(ClipVisionConfig.required(t, "context_length"), ClipVisionConfig.required(t, "vocab_size"),
                ClipVisionConfig.required(t, "width"), ClipVisionConfig.required(t, "layers"),
                ClipVisionConfig.required(t, "heads"), ClipVisionConfig.required(t, "output_dim"),
                t.hasNonNull("activation") ? Activation.parse(t.get("activation").asText()) : Activation.QUICK_GELU);
    }
}
