package org.un2clip.model.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.un2clip.model.clip.Activation;
import org.un2clip.model.clip.ClipModel;
import org.un2clip.model.clip.ClipTextConfig;
import org.un2clip.model.clip.ClipTokenizer;
import org.un2clip.model.clip.ClipVisionConfig;
import org.un2clip.model.clip.ClipVisionFormat;
import org.un2clip.model.clip.ClipWeights;
import org.un2clip.model.io.SafeTensorsFile;
import org.un2clip.model.io.SafeTensorsWriter;
import org.un2clip.model.io.WeightFileException;
import org.un2clip.model.io.WeightSource;
import org.un2clip.model.nn.Initializer;
import org.un2clip.model.unclip.AutoencoderKL;
import org.un2clip.model.unclip.UNetConfig;
import org.un2clip.model.unclip.UNetModel;
import org.un2clip.model.unclip.VaeConfig;
import org.un2clip.model.unclip.VaeDiffusersNames;

/**
 * A diffusers Stable unCLIP folder (the golden set's upstream-converted diffusers UNet, a seeded VAE decoder and text
 * encoder in diffusers / transformers naming) decodes exactly as the same parts in the golden layout.
 */
class StableUnclipFolderTest {
    private static final Path GOLDEN = Path.of("src/test/resources/golden/public");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void diffusersFolderDecodesLikeTheGoldenLayout(@TempDir Path dir) throws Exception {
        JsonNode config = JSON.readTree(GOLDEN.resolve("manifest.json").toFile()).path("config");
        Path folder = dir.resolve("stable-unclip");
        try (NDManager m = NDManager.newBaseManager(); WeightSource golden = SafeTensorsFile.open(GOLDEN.resolve("weights.safetensors"));
             SafeTensorsFile unetDiffusers = SafeTensorsFile.open(GOLDEN.resolve("unet_diffusers.safetensors"))) {
            Files.createDirectories(folder.resolve("unet"));
            Files.writeString(folder.resolve("model_index.json"), "{\"_class_name\": \"StableUnCLIPImg2ImgPipeline\"}");
            Files.copy(GOLDEN.resolve("unet_diffusers.safetensors"), folder.resolve("unet/diffusion_pytorch_model.safetensors"));
            Files.writeString(folder.resolve("unet/config.json"), unetDiffusers.metadata().get("diffusers_config"));

            VaeConfig vaeConfig = VaeConfig.fromLdm(config.path("vae"));
            AutoencoderKL vae = new AutoencoderKL(m, vaeConfig, true, 1024);
            Initializer.initialize(vae.decoderParameters(), 4, 4, n -> false);
            Files.createDirectories(folder.resolve("vae"));
            Files.writeString(folder.resolve("vae/config.json"), """
                    {"_class_name": "AutoencoderKL", "block_out_channels": [32, 64, 64], "layers_per_block": 1, "latent_channels": 4,
                     "in_channels": 3, "out_channels": 3, "sample_size": 32, "scaling_factor": 0.18215}
                    """);
            assertThat(VaeConfig.fromDiffusers(JSON.readTree(folder.resolve("vae/config.json").toFile()))).isEqualTo(vaeConfig);
            SafeTensorsWriter vw = new SafeTensorsWriter();
            // pre-0.14 attention names (query/key/value/proj_attn), as older hub files have them
            VaeDiffusersNames.map(vae.decoderParameters().shapes(), vaeConfig.levels(), true).forEach((ldm, d) ->
                    vw.add(d.getKey(), d.getValue(), vae.decoderParameters().get(ldm).toFloatArray()));
            vw.write(folder.resolve("vae/diffusion_pytorch_model.safetensors"));

            float[] mean = golden.readFloats("noise_augmentor.data_mean");
            float[] std = golden.readFloats("noise_augmentor.data_std");
            Files.createDirectories(folder.resolve("image_normalizer"));
            new SafeTensorsWriter().add("mean", new long[] {1, mean.length}, mean).add("std", new long[] {1, std.length}, std)
                    .write(folder.resolve("image_normalizer/diffusion_pytorch_model.safetensors"));
            Files.createDirectories(folder.resolve("image_noising_scheduler"));
            Files.writeString(folder.resolve("image_noising_scheduler/scheduler_config.json"),
                    "{\"beta_schedule\": \"squaredcos_cap_v2\", \"num_train_timesteps\": 1000}");
            Files.createDirectories(folder.resolve("scheduler"));
            Files.writeString(folder.resolve("scheduler/scheduler_config.json"), """
                    {"_class_name": "DDIMScheduler", "beta_start": 0.00085, "beta_end": 0.012, "beta_schedule": "scaled_linear",
                     "num_train_timesteps": 1000, "prediction_type": "v_prediction", "steps_offset": 1}
                    """);

            // text_encoder/: an HF CLIPTextModel (no projection), width = the UNet's context_dim
            ClipTextConfig tc = new ClipTextConfig(7, 49408, 32, 2, 4, 32, Activation.GELU);
            ClipModel clip = ClipModel.create(new ClipVisionConfig(64, 1, 4, 8, 32, 32, Activation.QUICK_GELU), tc, m); // only its text side is used
            Initializer.initialize(clip.text().params(), 5, 2, n -> false);
            Path full = dir.resolve("clip-hf.safetensors");
            ClipWeights.exportModel(clip, full, ClipVisionFormat.HF);
            Files.createDirectories(folder.resolve("text_encoder"));
            SafeTensorsWriter tw = new SafeTensorsWriter();
            try (WeightSource src = SafeTensorsFile.open(full)) {
                for (String n : src.names()) {
                    if (n.startsWith("text_model.")) {
                        tw.add(n, src.info(n).shape(), src.readFloats(n));
                    }
                }
            }
            tw.write(folder.resolve("text_encoder/model.safetensors"));
            Files.writeString(folder.resolve("text_encoder/config.json"), """
                    {"architectures": ["CLIPTextModel"], "hidden_size": 32, "intermediate_size": 128, "num_hidden_layers": 2,
                     "num_attention_heads": 4, "max_position_embeddings": 7, "vocab_size": 49408, "hidden_act": "gelu"}
                    """);
            float[] context = clip.text().hiddenStates(m.create(ClipTokenizer.openAi().tokenize("", 7), new Shape(1, 7)), 0).toFloatArray();

            // the same parts in the golden layout
            UNetModel unet = new UNetModel(m, UNetConfig.fromLdm(config.path("unet")), 1024);
            unet.loadLdm("golden UNet", golden.withPrefix("model.diffusion_model."));
            Path layout = dir.resolve("golden-layout");
            UnclipGenerator.write(layout, new UnclipGenerator.Parts(unet, vae, mean, std, 1000, 0.00085, 0.012, 1000, 0.18215f, context,
                    new long[] {7, 32}, null));

            UnclipGenerator fromDiffusers = UnclipGenerator.open(folder, m, 1024);
            UnclipGenerator fromLayout = UnclipGenerator.open(layout, m, 1024);
            assertThat(fromDiffusers.imageSize()).isEqualTo(32);
            assertThat(fromDiffusers.clipConfig()).isNull();
            float[] e = new float[2 * 48];
            for (int i = 0; i < e.length; i++) {
                e[i] = (float) Math.sin(0.7 * i);
            }
            float[] a = fromDiffusers.reconstruct(m, m.create(e, new Shape(2, 48)), new long[] {0, 1}, 4, 3).toFloatArray();
            float[] b = fromLayout.reconstruct(m, m.create(e, new Shape(2, 48)), new long[] {0, 1}, 4, 3).toFloatArray();
            assertThat(a).containsExactly(b);
        }
        // a folder missing a part is named
        try (NDManager m = NDManager.newBaseManager()) {
            Files.delete(folder.resolve("scheduler/scheduler_config.json"));
            assertThatThrownBy(() -> UnclipGenerator.open(folder, m, 1024)).isInstanceOf(WeightFileException.class)
                    .hasMessageContaining("scheduler_config.json").hasMessageContaining("missing");
            Files.writeString(folder.resolve("scheduler/scheduler_config.json"), "{\"prediction_type\": \"epsilon\"}");
            assertThatThrownBy(() -> UnclipGenerator.open(folder, m, 1024)).isInstanceOf(WeightFileException.class)
                    .hasMessageContaining("scheduler").hasMessageContaining("only v_prediction");
        }
    }

    @Test
    void vaeNamesFollowDiffusersConverter() {
        assertThat(VaeDiffusersNames.diffusers("decoder.up.2.block.0.nin_shortcut.weight", 4, false))
                .isEqualTo("decoder.up_blocks.1.resnets.0.conv_shortcut.weight");
        assertThat(VaeDiffusersNames.diffusers("decoder.up.3.upsample.conv.bias", 4, false)).isEqualTo("decoder.up_blocks.0.upsamplers.0.conv.bias");
        assertThat(VaeDiffusersNames.diffusers("encoder.down.1.downsample.conv.weight", 4, false))
                .isEqualTo("encoder.down_blocks.1.downsamplers.0.conv.weight");
        assertThat(VaeDiffusersNames.diffusers("decoder.mid.attn_1.proj_out.weight", 4, false)).isEqualTo("decoder.mid_block.attentions.0.to_out.0.weight");
        assertThat(VaeDiffusersNames.diffusers("decoder.mid.attn_1.q.bias", 4, true)).isEqualTo("decoder.mid_block.attentions.0.query.bias");
        assertThat(VaeDiffusersNames.diffusers("decoder.mid.block_2.norm1.weight", 4, false)).isEqualTo("decoder.mid_block.resnets.1.norm1.weight");
        assertThat(VaeDiffusersNames.diffusers("decoder.norm_out.weight", 4, false)).isEqualTo("decoder.conv_norm_out.weight");
        assertThat(VaeDiffusersNames.map(Map.of("decoder.mid.attn_1.k.weight", new long[] {8, 8, 1, 1}), 4, false)
                .get("decoder.mid.attn_1.k.weight").getValue()).containsExactly(8, 8);
    }
}
