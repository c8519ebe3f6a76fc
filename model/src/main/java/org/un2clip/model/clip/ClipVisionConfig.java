package org.un2clip.model.clip;

import com.fasterxml.jackson.databind.JsonNode;
import org.un2clip.model.io.WeightSource;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Shape of an OpenAI-style CLIP VisionTransformer. The MLP width is 4·width (every OpenAI/OpenCLIP ViT up to H/14).
 *
 * @param width      transformer width (d_model)
 * @param layers     number of residual attention blocks
 * @param heads      attention heads; must divide width
 * @param patch      patch size = conv1 kernel = stride
 * @param resolution input resolution in pixels; must be a multiple of patch
 * @param outputDim  embedding width after {@code proj}
 * @param activation MLP non-linearity
 */
public record ClipVisionConfig(int width, int layers, int heads, int patch, int resolution, int outputDim,
                               Activation activation) {

    public ClipVisionConfig {
        requirePositive("width", width);
        requirePositive("layers", layers);
        requirePositive("heads", heads);
        requirePositive("patch", patch);
        requirePositive("resolution", resolution);
        requirePositive("output_dim", outputDim);
        if (activation == null) {
            throw new IllegalArgumentException("CLIP vision config: activation is missing");
        }
        if (width % heads != 0) {
            throw new IllegalArgumentException("CLIP vision config: heads (" + heads + ") must divide width (" + width + ")");
        }
        if (resolution % patch != 0) {
            throw new IllegalArgumentException("CLIP vision config: patch (" + patch + ") must divide resolution ("
                    + resolution + ")");
        }
    }

    private static final Map<String, ClipVisionConfig> PRESETS = new LinkedHashMap<>();

    static {
        PRESETS.put("ViT-L-14", new ClipVisionConfig(1024, 24, 16, 14, 224, 768, Activation.QUICK_GELU));
        PRESETS.put("ViT-L-14-336", new ClipVisionConfig(1024, 24, 16, 14, 336, 768, Activation.QUICK_GELU));
        PRESETS.put("ViT-H-14", new ClipVisionConfig(1280, 32, 16, 14, 224, 1024, Activation.GELU));
        PRESETS.put("ViT-B-16", new ClipVisionConfig(768, 12, 12, 16, 224, 512, Activation.QUICK_GELU));
        PRESETS.put("ViT-B-32", new ClipVisionConfig(768, 12, 12, 32, 224, 512, Activation.QUICK_GELU));
    }

    /** Patches per side. */
    public int grid() {
        return resolution / patch;
    }

    /** Sequence length: class token + grid². */
    public int tokens() {
        return 1 + grid() * grid();
    }

    public int headDim() {
        return width / heads;
    }

    public int mlpWidth() {
        return 4 * width;
    }

    /** The same tower at another input resolution (positional embedding to be interpolated). */
    public ClipVisionConfig withResolution(int newResolution) {
        return new ClipVisionConfig(width, layers, heads, patch, newResolution, outputDim, activation);
    }

    /** Preset names: {@code ViT-L-14}, {@code ViT-L-14-336}, {@code ViT-H-14} (OpenCLIP laion2b, GELU), {@code ViT-B-16}, {@code ViT-B-32}. */
    public static Map<String, ClipVisionConfig> presets() {
        return java.util.Collections.unmodifiableMap(PRESETS);
    }

    /** A preset by name; '/', '@' and '_' are accepted as separators ({@code ViT-L/14@336}). */
    public static ClipVisionConfig preset(String name) {
        String key = name.trim().replace('/', '-').replace('@', '-').replace('_', '-');
        for (Map.Entry<String, ClipVisionConfig> e : PRESETS.entrySet()) {
            if (e.getKey().equalsIgnoreCase(key)) {
                return e.getValue();
            }
        }
        if (key.toLowerCase(Locale.ROOT).endsWith("-224")) {
            return preset(key.substring(0, key.length() - 4));
        }
        throw new IllegalArgumentException("unknown CLIP preset '" + name + "'; known: " + PRESETS.keySet());
    }

    /**
     * From this project's JSON form (the golden manifest's {@code config.clip}): {@code input_resolution, patch_size,
     * width, layers, heads, output_dim} and optional {@code activation} (default quick_gelu, as OpenAI).
     */
    public static ClipVisionConfig fromJson(JsonNode clip) {
        return new ClipVisionConfig(required(clip, "width"), required(clip, "layers"), required(clip, "heads"),
                required(clip, "patch_size"), required(clip, "input_resolution"), required(clip, "output_dim"),
                clip.hasNonNull("activation") ? Activation.parse(clip.get("activation").asText()) : Activation.QUICK_GELU);
    }

    /**
     * From an HF transformers {@code config.json}: either a {@code CLIPVisionConfig} (vision keys at the top) or a
     * full {@code CLIPConfig} (keys under {@code vision_config}, {@code projection_dim} at the top).
     */
    public static ClipVisionConfig fromHfConfig(JsonNode config) {
        JsonNode v = config.has("vision_config") ? config.get("vision_config") : config;
        int width = required(v, "hidden_size");
        int projection = v.has("projection_dim") ? v.get("projection_dim").asInt()
                : config.has("projection_dim") ? config.get("projection_dim").asInt() : -1;
        if (projection <= 0) {
            throw new IllegalArgumentException("HF CLIP config: no projection_dim (vision_config or top level)");
        }
        if (v.has("intermediate_size") && v.get("intermediate_size").asInt() != 4 * width) {
            throw new IllegalArgumentException("HF CLIP config: intermediate_size " + v.get("intermediate_size").asInt()
                    + " is not 4 x hidden_size " + width + " (only MLP ratio 4 is supported)");
        }
        return new ClipVisionConfig(width, required(v, "num_hidden_layers"), required(v, "num_attention_heads"),
                required(v, "patch_size"), required(v, "image_size"), projection,
                Activation.parse(v.path("hidden_act").asText("quick_gelu")));
    }

    /**
     * The config of a vision checkpoint in any {@link ClipVisionFormat}: the one this project stored in the
     * metadata ({@code ClipWeights.CONFIG_METADATA}) when present, else derived from the tensor shapes as OpenAI's
     * {@code build_model} does (heads = width / 64, which holds for OpenAI's models but not open_clip's ViT-H/14:
     * use a preset there) with {@code activation}.
     */
    public static ClipVisionConfig infer(WeightSource checkpoint, Activation activation) {
        ClipVisionConfig stored = CheckpointShapes.stored(checkpoint, ClipWeights.CONFIG_METADATA, ClipVisionConfig::fromJson);
        if (stored != null) {
            return stored;
        }
        ClipVisionFormat format = ClipVisionFormat.detect(checkpoint);
        WeightSource view = format.view(checkpoint);
        boolean hf = format == ClipVisionFormat.HF;
        String what = "CLIP vision checkpoint";
        long[] conv = CheckpointShapes.shape(view, hf ? "vision_model.embeddings.patch_embedding.weight" : "conv1.weight", what);
        long[] pos = CheckpointShapes.shape(view, hf ? "vision_model.embeddings.position_embedding.weight" : "positional_embedding", what);
        long[] proj = CheckpointShapes.shape(view, hf ? "visual_projection.weight" : "proj", what);
        int layers = CheckpointShapes.blocks(view, hf ? "vision_model.encoder.layers." : "transformer.resblocks.");
        int width = Math.toIntExact(conv[0]);
        int patch = Math.toIntExact(conv[3]);
        return new ClipVisionConfig(width, layers, Math.max(1, width / 64), patch,
                patch * PositionalEmbeddings.grid(pos[0]), Math.toIntExact(hf ? proj[0] : proj[1]), activation);
    }

    /** This config as an HF {@code CLIPVisionConfig} JSON object (for export). */
    public Map<String, Object> toHfConfig() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model_type", "clip_vision_model");
        m.put("architectures", java.util.List.of("CLIPVisionModelWithProjection"));
        m.put("hidden_size", width);
        m.put("intermediate_size", mlpWidth());
        m.put("num_hidden_layers", layers);
        m.put("num_attention_heads", heads);
        m.put("patch_size", patch);
        m.put("image_size", resolution);
        m.put("projection_dim", outputDim);
        m.put("hidden_act", activation.configName());
        m.put("layer_norm_eps", 1e-5);
        m.put("num_channels", 3);
        return m;
    }

    /** This config in the {@link #fromJson} form. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("input_resolution", resolution);
        m.put("patch_size", patch);
        m.put("width", width);
        m.put("layers", layers);
        m.put("heads", heads);
        m.put("output_dim", outputDim);
        m.put("activation", activation.configName());
        return m;
    }

    static int required(JsonNode node, String key) {
        JsonNode n = node.get(key);
        if (n == null || !n.canConvertToInt()) {
            throw new IllegalArgumentException("CLIP config: '" + key + "' is missing or not an integer in " + node);
        }
        return n.asInt();
    }

    private static void requirePositive(String key, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("CLIP config: " + key + " must be positive, got " + value);
        }
    }
}
