package org.un2clip.model.eval;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.un2clip.model.clip.ClipText;
import org.un2clip.model.clip.ClipTextConfig;
import org.un2clip.model.clip.ClipTokenizer;
import org.un2clip.model.clip.ClipVisionConfig;
import org.un2clip.model.clip.ClipWeights;
import org.un2clip.model.io.StrictLoader;
import org.un2clip.model.io.WeightFileException;
import org.un2clip.model.io.WeightFiles;
import org.un2clip.model.io.WeightSource;
import org.un2clip.model.unclip.AutoencoderKL;
import org.un2clip.model.unclip.DiffusionSchedule;
import org.un2clip.model.unclip.NoiseAugmentor;
import org.un2clip.model.unclip.UNetConfig;
import org.un2clip.model.unclip.UNetModel;
import org.un2clip.model.unclip.VaeConfig;

/**
 * The parts of a diffusers Stable unCLIP folder ({@code StableUnCLIPImg2ImgPipeline}: {@code model_index.json},
 * {@code unet/}, {@code vae/}, {@code image_normalizer/}, {@code image_noising_scheduler/}, {@code scheduler/},
 * {@code text_encoder/}, optionally {@code image_encoder/}) that decode an image embedding: the UNet (diffusers
 * names, {@link UNetModel#loadDiffusers}), the VAE decoder ({@link AutoencoderKL#loadDecoderDiffusers}), the
 * normalizer's mean/std with the noising scheduler's cosine schedule, the denoising schedule (v-prediction), and the
 * cross-attention context: the text encoder's last hidden state (after its final LayerNorm) for the empty prompt, as
 * the pipeline computes for {@code prompt=""} (SD 2.x's text encoder already stops at OpenCLIP's penultimate layer).
 */
record StableUnclipFolder(UNetModel unet, AutoencoderKL vae, NoiseAugmentor augmentor, DiffusionSchedule schedule, float scaleFactor,
                          ClipVisionConfig clipConfig, float[] context, long[] contextShape) {

    static StableUnclipFolder open(Path dir, NDManager manager, int querySlice) {
        Path current = dir;
        try {
            current = dir.resolve("unet");
            UNetModel unet = new UNetModel(manager, UNetConfig.fromDiffusers(json(current.resolve("config.json"))), querySlice);
            try (WeightSource w = WeightFiles.open(current)) {
                unet.loadDiffusers(current.toString(), w);
            }
            current = dir.resolve("vae");
            JsonNode vaeConfig = json(current.resolve("config.json"));
            AutoencoderKL vae = new AutoencoderKL(manager, VaeConfig.fromDiffusers(vaeConfig), true, querySlice);
            try (WeightSource w = WeightFiles.open(current)) {
                vae.loadDecoderDiffusers(current.toString(), w);
            }
            float scaleFactor = (float) vaeConfig.path("scaling_factor").asDouble(0.18215);

            current = dir.resolve("image_noising_scheduler");
            JsonNode noising = json(current.resolve("scheduler_config.json"));
            String augSchedule = noising.path("beta_schedule").asText("squaredcos_cap_v2");
            if (!"squaredcos_cap_v2".equals(augSchedule)) {
                throw new IllegalArgumentException("beta_schedule '" + augSchedule + "' unsupported (squaredcos_cap_v2)");
            }
            current = dir.resolve("image_normalizer");
            NoiseAugmentor augmentor;
            try (WeightSource w = WeightFiles.open(current)) {
                float[] mean = w.readFloats("mean");
                augmentor = NoiseAugmentor.standard(noising.path("num_train_timesteps").asInt(1000), mean, w.readFloats("std"), mean.length);
            }

            current = dir.resolve("scheduler");
            JsonNode sched = json(current.resolve("scheduler_config.json"));
            String prediction = sched.path("prediction_type").asText("epsilon");
            if (!"v_prediction".equals(prediction)) {
                throw new IllegalArgumentException("prediction_type '" + prediction + "': only v_prediction (Stable unCLIP) is supported");
            }
            DiffusionSchedule schedule = DiffusionSchedule.named(sched.path("beta_schedule").asText("scaled_linear"),
                    sched.path("num_train_timesteps").asInt(1000), sched.path("beta_start").asDouble(0.00085), sched.path("beta_end").asDouble(0.012));

            current = dir.resolve("text_encoder");
            ObjectNode textConfig = (ObjectNode) json(current.resolve("config.json"));
            if (!textConfig.has("projection_dim")) {
                textConfig.put("projection_dim", textConfig.path("hidden_size").asInt()); // unused: hidden states only
            }
            ClipTextConfig tc = ClipTextConfig.fromHfConfig(textConfig);
            float[] context;
            try (ClipText text = ClipText.create(tc, manager); WeightSource w = WeightFiles.open(current);
                 NDManager m = manager.newSubManager()) {
                ClipWeights.loadTextHiddenStates(text, w, current.toString());
                long[] ids = ClipTokenizer.openAi().tokenize("", tc.contextLength());
                context = text.hiddenStates(m.create(ids, new Shape(1, tc.contextLength())), 0).toFloatArray();
            }

            current = dir.resolve("image_encoder");
            ClipVisionConfig clip = Files.isRegularFile(current.resolve("config.json"))
                    ? ClipVisionConfig.fromHfConfig(json(current.resolve("config.json"))) : null;
            return new StableUnclipFolder(unet, vae, augmentor, schedule, scaleFactor, clip, context, new long[] {tc.contextLength(), tc.width()});
        } catch (IllegalArgumentException | StrictLoader.WeightLoadException e) {
            throw new WeightFileException(current, null, e.getMessage(), e);
        }
    }

    private static JsonNode json(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new WeightFileException(file, null, "missing (a diffusers Stable unCLIP folder has unet/, vae/, image_normalizer/, "
                    + "image_noising_scheduler/, scheduler/ and text_encoder/, each with its config)");
        }
        try {
            return new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new WeightFileException(file, null, "not readable JSON: " + e.getMessage(), e);
        }
    }
}
