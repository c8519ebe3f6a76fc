package org.un2clip.model.clip;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import org.un2clip.model.io.WeightSource;

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

    /**
     * From an HF transformers {@code config.json}: a {@code CLIPConfig} (keys under {@code text_config},
     * {@code projection_dim} at the top) or a {@code CLIPTextConfig} (keys at the top).
     */
    public static ClipTextConfig fromHfConfig(JsonNode config) {
        JsonNode t = config.has("text_config") ? config.get("text_config") : config;
        int width = ClipVisionConfig.required(t, "hidden_size");
        int projection = t.has("projection_dim") ? t.get("projection_dim").asInt()
                : config.has("projection_dim") ? config.get("projection_dim").asInt() : -1;
        if (projection <= 0) {
            throw new IllegalArgumentException("HF CLIP config: no projection_dim (text_config or top level)");
        }
        if (t.has("intermediate_size") && t.get("intermediate_size").asInt() != 4 * width) {
            throw new IllegalArgumentException("HF CLIP config: text intermediate_size " + t.get("intermediate_size").asInt()
                    + " is not 4 x hidden_size " + width + " (only MLP ratio 4 is supported)");
        }
        return new ClipTextConfig(ClipVisionConfig.required(t, "max_position_embeddings"), ClipVisionConfig.required(t, "vocab_size"),
                width, ClipVisionConfig.required(t, "num_hidden_layers"), ClipVisionConfig.required(t, "num_attention_heads"),
                projection, Activation.parse(t.path("hidden_act").asText("quick_gelu")));
    }

    /**
     * The text tower of a CLIP checkpoint (OpenAI state dict or HF {@code text_model.*}): the config this project
     * stored in the metadata ({@link ClipWeights#TEXT_CONFIG_METADATA}) when present, else derived from the tensor
     * shapes as OpenAI's {@code build_model} does (heads = width / 64) with {@code activation}.
     */
    public static ClipTextConfig infer(WeightSource checkpoint, Activation activation) {
        ClipTextConfig stored = CheckpointShapes.stored(checkpoint, ClipWeights.TEXT_CONFIG_METADATA, ClipTextConfig::fromJson);
        if (stored != null) {
            return stored;
        }
        boolean hf = checkpoint.contains("text_model.embeddings.token_embedding.weight");
        if (!hf && !checkpoint.contains("token_embedding.weight")) {
            throw new IllegalArgumentException("no CLIP text tower: neither token_embedding.weight (OpenAI naming) nor "
                    + "text_model.embeddings.token_embedding.weight (HF naming) is present");
        }
        String what = "CLIP text checkpoint";
        long[] tokens = CheckpointShapes.shape(checkpoint, hf ? "text_model.embeddings.token_embedding.weight" : "token_embedding.weight", what);
        long[] pos = CheckpointShapes.shape(checkpoint, hf ? "text_model.embeddings.position_embedding.weight" : "positional_embedding", what);
        long[] proj = CheckpointShapes.shape(checkpoint, hf ? "text_projection.weight" : "text_projection", what);
        int layers = CheckpointShapes.blocks(checkpoint, hf ? "text_model.encoder.layers." : "transformer.resblocks.");
        if (layers == 0) {
            throw new IllegalArgumentException("CLIP text tower has no transformer blocks");
        }
        int width = Math.toIntExact(tokens[1]);
        return new ClipTextConfig(Math.toIntExact(pos[0]), Math.toIntExact(tokens[0]), width, layers, Math.max(1, width / 64),
                Math.toIntExact(hf ? proj[0] : proj[1]), activation);
    }

    /** This config in the {@link #fromJson} form. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("context_length", contextLength);
        m.put("vocab_size", vocabSize);
        m.put("width", width);
        m.put("layers", layers);
        m.put("heads", heads);
        m.put("output_dim", outputDim);
        m.put("activation", activation.configName());
        return m;
    }
}
