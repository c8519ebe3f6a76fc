package org.un2clip.model.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.un2clip.model.clip.ClipVision;
import org.un2clip.model.clip.ClipVisionConfig;
import org.un2clip.model.io.WeightFileException;
import org.un2clip.model.nn.Initializer;
import org.un2clip.model.unclip.AutoencoderKL;
import org.un2clip.model.unclip.DiffusionSchedule;
import org.un2clip.model.unclip.NoiseAugmentor;
import org.un2clip.model.unclip.UNetConfig;
import org.un2clip.model.unclip.UNetModel;
import org.un2clip.model.unclip.VaeConfig;

/** A generator folder written from in-memory parts decodes exactly as the parts do; the configs survive ldm JSON. */
class UnclipGeneratorTest {
    private static final Path GOLDEN = Path.of("src/test/resources/golden/public");

    @Test
    void writeThenOpenReconstructsTheSamePictures(@TempDir Path dir) throws Exception {
        JsonNode config = new ObjectMapper().readTree(GOLDEN.resolve("manifest.json").toFile()).path("config");
        UNetConfig unetConfig = UNetConfig.fromLdm(config.path("unet"));
        VaeConfig vaeConfig = VaeConfig.fromLdm(config.path("vae"));
        assertThat(UNetConfig.fromLdm(new ObjectMapper().valueToTree(unetConfig.toLdm()))).isEqualTo(unetConfig);
        assertThat(VaeConfig.fromLdm(new ObjectMapper().valueToTree(vaeConfig.toLdm()))).isEqualTo(vaeConfig);
        try (NDManager m = NDManager.newBaseManager()) {
            UNetModel unet = new UNetModel(m, unetConfig, 1024);
            Initializer.initialize(unet.parameters(), 3, 5, n -> false);
            AutoencoderKL vae = new AutoencoderKL(m, vaeConfig, true, 1024);
            Initializer.initialize(vae.encoderParameters(), 3, 3, n -> false);
            Initializer.initialize(vae.decoderParameters(), 3, 4, n -> false);
            ClipVision clip = ClipVision.create(ClipVisionConfig.fromJson(config.path("clip")), m);
            int d = 48;
            float[] mean = new float[d];
            float[] std = new float[d];
            java.util.Arrays.fill(std, 0.5f);
            float[] context = new float[7 * 32];
            for (int i = 0; i < context.length; i++) {
                context[i] = (float) Math.sin(i);
            }
            UnclipGenerator.Parts parts = new UnclipGenerator.Parts(unet, vae, mean, std, 1000, 0.00085, 0.012, 1000, 0.5f, context,
                    new long[] {7, 32}, clip);
            Path folder = dir.resolve("gen");
            UnclipGenerator.write(folder, parts);
            UnclipGenerator loaded = UnclipGenerator.open(folder, m, 1024);
            assertThat(loaded.imageSize()).isEqualTo(32);
            assertThat(loaded.embeddingDim()).isEqualTo(d);
            assertThat(loaded.clipConfig()).isEqualTo(clip.config());
            float[] e = new float[2 * d];
            for (int i = 0; i < e.length; i++) {
                e[i] = (float) Math.cos(0.3 * i);
            }
            float[] fromFile = loaded.reconstruct(m, m.create(e, new Shape(2, d)), new long[] {0, 1}, 9, 3).toFloatArray();
            DdimReconstructor direct = new DdimReconstructor(unet, vae, new NoiseAugmentor(DiffusionSchedule.squaredCosCapV2(1000), mean, std, d),
                    DiffusionSchedule.scaledLinear(0.00085, 0.012, 1000), 0.5f, 3);
            float[] fromParts = direct.reconstruct(m, m.create(e, new Shape(2, d)), m.create(context, new Shape(1, 7, 32)),
                    new long[] {0, 1}, 9, loaded.latentShape()).toFloatArray();
            assertThat(fromFile).hasSize(2 * 3 * 32 * 32).containsExactly(fromParts);
            float[] otherSeed = loaded.reconstruct(m, m.create(e, new Shape(2, d)), new long[] {0, 1}, 10, 3).toFloatArray();
            assertThat(otherSeed).isNotEqualTo(fromFile);
        }
    }

    @Test
    void theGoldenSetHasNoDecoderAndSaysSo(@TempDir Path dir) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> UnclipGenerator.open(GOLDEN, m, 1024)).isInstanceOf(WeightFileException.class)
                    .hasMessageContaining("weights.safetensors").hasMessageContaining("no VAE decoder");
            Files.writeString(dir.resolve("manifest.json"), "{\"config\": {\"unet\": {}, \"vae\": {}}}");
            assertThatThrownBy(() -> UnclipGenerator.open(dir, m, 1024)).isInstanceOf(WeightFileException.class)
                    .hasMessageContaining("manifest.json").hasMessageContaining("config.noise_aug is missing");
        }
    }
}
