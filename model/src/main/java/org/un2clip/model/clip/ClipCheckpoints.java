package org.un2clip.model.clip;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.un2clip.model.io.WeightFileException;
import org.un2clip.model.io.WeightFiles;
import org.un2clip.model.io.WeightSource;

/**
 * Opens a whole CLIP model (both towers and {@code logit_scale}) from what users have:
 * <ul>
 *   <li>a Hugging Face transformers folder: {@code config.json} ({@code CLIPConfig}: {@code text_config},
 *       {@code vision_config}, {@code projection_dim}) and {@code model.safetensors} or a sharded index;</li>
 *   <li>an OpenAI / open_clip state dict ({@code visual.*}, text keys at the top, {@code logit_scale}) as one
 *       .safetensors file, a sharded index or a folder holding one: the configs come from this project's
 *       metadata when it wrote the file, else from a preset, else from the shapes (heads = width / 64).</li>
 * </ul>
 * Loading is strict; every problem names the file.
 */
public final class ClipCheckpoints {
    private ClipCheckpoints() {}

    /**
     * @param preset     a {@link ClipVisionConfig#preset} name for both towers, or null to read the configs from the
     *                   checkpoint (HF config.json, stored metadata, shapes)
     * @param activation MLP activation when the configs are derived from shapes
     */
    public static ClipModel open(Path path, String preset, Activation activation, NDManager manager) {
        JsonNode hfConfig = hfConfig(path);
        try (WeightSource source = WeightFiles.open(path)) {
            ClipVisionConfig visionConfig;
            ClipTextConfig textConfig;
            try {
                if (preset != null) {
                    visionConfig = ClipVisionConfig.preset(preset);
                    textConfig = ClipTextConfig.preset(preset);
                } else if (hfConfig != null) {
                    if (!hfConfig.has("text_config")) {
                        throw new IllegalArgumentException("config.json has no text_config: a vision-only checkpoint, "
                                + "a whole CLIP model is needed for the text side");
                    }
                    visionConfig = ClipVisionConfig.fromHfConfig(hfConfig);
                    textConfig = ClipTextConfig.fromHfConfig(hfConfig);
                } else {
                    visionConfig = ClipVisionConfig.infer(source, activation);
                    textConfig = ClipTextConfig.infer(source, activation);
                }
            } catch (IllegalArgumentException e) {
                throw new WeightFileException(path, null, e.getMessage(), e);
            }
            ClipModel model;
            try {
                model = ClipModel.create(visionConfig, textConfig, manager);
            } catch (IllegalArgumentException e) {
                throw new WeightFileException(path, null, e.getMessage(), e);
            }
            try {
                ClipWeights.loadModel(model, source, path.toString());
            } catch (IllegalArgumentException e) {
                model.close();
                throw new WeightFileException(path, null, e.getMessage(), e);
            } catch (RuntimeException e) {
                model.close();
                throw e;
            }
            return model;
        }
    }

    /**
     * Opens a vision tower (a fine-tuned encoder: OpenAI {@code visual.*}, bare, or HF naming; file, index or folder).
     * Its config is the one this project stored in the file's metadata, else {@code fallback} (the tower it was
     * fine-tuned from), else derived from the shapes with {@code activation}. Strict: names and shapes must match.
     */
    public static ClipVision openVision(Path path, ClipVisionConfig fallback, Activation activation, NDManager manager) {
        try (WeightSource source = WeightFiles.open(path)) {
            ClipVisionConfig config;
            try {
                config = fallback != null && !source.metadata().containsKey(ClipWeights.CONFIG_METADATA)
                        ? fallback : ClipVisionConfig.infer(source, activation);
            } catch (IllegalArgumentException e) {
                throw new WeightFileException(path, null, e.getMessage(), e);
            }
            ClipVision tower = ClipVision.create(config, manager);
            try {
                ClipWeights.loadVision(tower, source, path.toString());
            } catch (IllegalArgumentException e) {
                tower.close();
                throw new WeightFileException(path, null, e.getMessage(), e);
            } catch (RuntimeException e) {
                tower.close();
                throw e;
            }
            return tower;
        }
    }

    /** The folder's HF {@code config.json}, or null when {@code path} is not a folder holding one. */
    private static JsonNode hfConfig(Path path) {
        Path file = path.resolve("config.json");
        if (!Files.isDirectory(path) || !Files.isRegularFile(file)) {
            return null;
        }
        try {
            return new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new WeightFileException(file, null, "not readable JSON: " + e.getMessage(), e);
        }
    }
}
