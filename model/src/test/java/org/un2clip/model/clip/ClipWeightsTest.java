package org.un2clip.model.clip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.un2clip.model.golden.GoldenSet;
import org.un2clip.model.io.SafeTensorsFile;
import org.un2clip.model.io.SafeTensorsWriter;
import org.un2clip.model.io.StrictLoader;
import org.un2clip.model.io.WeightSource;

class ClipWeightsTest {
    private static final ClipVisionConfig SMALL = new ClipVisionConfig(32, 2, 4, 4, 16, 8, Activation.QUICK_GELU);

    @TempDir
    Path dir;
    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private ClipVision randomTower(ClipVisionConfig config, long seed) {
        ClipVision tower = ClipVision.create(config, manager);
        TestWeights.set(tower.params(), TestWeights.random(tower.params(), seed, 0.2));
        return tower;
    }

    private static void assertBitIdentical(ClipVision a, ClipVision b) {
        assertThat(b.params().arrays().keySet()).containsExactlyElementsOf(a.params().arrays().keySet());
        a.params().arrays().forEach((name, x) -> {
            float[] u = x.toFloatArray();
            float[] v = b.params().get(name).toFloatArray();
            assertThat(Arrays.equals(u, v)).as(name).isTrue();
        });
    }

    @Test
    void exportThenLoadIsBitExactInEveryNaming() throws Exception {
        ClipVision original = randomTower(SMALL, 1);
        for (ClipVisionFormat format : ClipVisionFormat.values()) {
            Path file = dir.resolve(format + ".safetensors");
            ClipWeights.exportVision(original, file, format);
            try (WeightSource src = SafeTensorsFile.open(file)) {
                ClipVision loaded = ClipVision.create(SMALL, manager);
                assertThat(ClipWeights.loadVision(loaded, src, file.toString())).isEqualTo(format);
                assertBitIdentical(original, loaded);
                assertThat(src.metadata().get(ClipWeights.CONFIG_METADATA)).contains("\"width\":32");
            }
        }
    }

    @Test
    void hfNamingSplitsQkvAndTransposesTheProjection() throws Exception {
        ClipVision tower = randomTower(SMALL, 2);
        Path file = dir.resolve("hf.safetensors");
        ClipWeights.exportVision(tower, file, ClipVisionFormat.HF);
        try (WeightSource hf = SafeTensorsFile.open(file)) {
            assertThat(hf.names()).contains("vision_model.pre_layrnorm.weight", "vision_model.post_layernorm.bias",
                    "vision_model.embeddings.class_embedding", "vision_model.embeddings.position_embedding.weight",
                    "vision_model.encoder.layers.1.mlp.fc2.weight", "vision_model.encoder.layers.0.layer_norm1.bias")
                    .noneMatch(n -> n.contains("in_proj") || n.contains("resblocks"));
            float[] inProj = tower.params().get("transformer.resblocks.1.attn.in_proj_weight").toFloatArray();
            int w = SMALL.width();
            String[] qkv = {"q_proj", "k_proj", "v_proj"};
            for (int i = 0; i < 3; i++) {
                String name = "vision_model.encoder.layers.1.self_attn." + qkv[i] + ".weight";
                assertThat(hf.info(name).shape()).containsExactly(w, w);
                assertThat(hf.readFloats(name)).containsExactly(Arrays.copyOfRange(inProj, i * w * w, (i + 1) * w * w));
            }
            float[] proj = tower.params().get("proj").toFloatArray();
            float[] visualProjection = hf.readFloats("visual_projection.weight");
            assertThat(hf.info("visual_projection.weight").shape()).containsExactly(SMALL.outputDim(), w);
            assertThat(visualProjection[3 * w + 5]).isEqualTo(proj[5 * SMALL.outputDim() + 3]);
        }
    }

    @Test
    void goldenWeightsConvertedToHfGiveTheGoldenEmbedding() throws Exception {
        try (GoldenSet set = GoldenSet.open(Path.of("src/test/resources/golden/public"))) {
            ClipVisionConfig config = ClipVisionConfig.fromJson(set.config().path("clip"));
            ClipVision openai = ClipVision.create(config, manager);
            assertThat(ClipWeights.loadVision(openai, set.weights(), "golden")).isEqualTo(ClipVisionFormat.OPENAI);
            Path file = dir.resolve("hf.safetensors");
            ClipWeights.exportVision(openai, file, ClipVisionFormat.HF);
            try (WeightSource hf = SafeTensorsFile.open(file)) {
                ClipVision viaHf = ClipVision.create(config, manager);
                ClipWeights.loadVision(viaHf, hf, file.toString());
                NDArray pixels = manager.create(set.floats("clip.pixels"), new Shape(set.shape("clip.pixels")));
                float[] embedding = viaHf.encode(pixels).toFloatArray();
                float[] golden = set.floats("clip.embedding");
                double atol = set.entries().get("clip.embedding").atol();
                for (int i = 0; i < golden.length; i++) {
                    assertThat((double) Math.abs(embedding[i] - golden[i])).isLessThanOrEqualTo(atol);
                }
            }
        }
    }

    @Test
    void aMissingLayerIsReportedByItsStoredNames() throws Exception {
        Path full = dir.resolve("full.safetensors");
        ClipWeights.exportVision(randomTower(SMALL, 3), full, ClipVisionFormat.HF);
        Path cut = copyWithout(full, n -> n.startsWith("vision_model.encoder.layers.1."));
        try (WeightSource src = SafeTensorsFile.open(cut)) {
            assertThatThrownBy(() -> ClipWeights.loadVision(ClipVision.create(SMALL, manager), src, "cut.safetensors"))
                    .isInstanceOf(StrictLoader.WeightLoadException.class)
                    .hasMessageContaining("cut.safetensors")
                    .hasMessageContaining("missing: vision_model.encoder.layers.1.self_attn.q_proj.weight")
                    .hasMessageContaining("missing: vision_model.encoder.layers.1.mlp.fc2.bias");
        }
    }

    @Test
    void anExtraLayerOrAWrongWidthIsRejected() throws Exception {
        Path file = dir.resolve("three-layers.safetensors");
        ClipWeights.exportVision(randomTower(new ClipVisionConfig(32, 3, 4, 4, 16, 8, Activation.QUICK_GELU), 4), file,
                ClipVisionFormat.OPENAI);
        try (WeightSource src = SafeTensorsFile.open(file)) {
            assertThatThrownBy(() -> ClipWeights.loadVision(ClipVision.create(SMALL, manager), src, "f"))
                    .hasMessageContaining("unexpected: transformer.resblocks.2.attn.in_proj_weight");
            ClipVisionConfig wider = new ClipVisionConfig(48, 3, 4, 4, 16, 8, Activation.QUICK_GELU);
            assertThatThrownBy(() -> ClipWeights.loadVision(ClipVision.create(wider, manager), src, "f"))
                    .hasMessageContaining("shape mismatch: conv1.weight is [32, 3, 4, 4] in the file, the model needs [48, 3, 4, 4]");
        }
    }

    @Test
    void malformedConfigsAreRejectedWithTheReason() {
        assertThatThrownBy(() -> new ClipVisionConfig(64, 2, 5, 8, 32, 48, Activation.GELU))
                .hasMessageContaining("heads (5) must divide width (64)");
        assertThatThrownBy(() -> new ClipVisionConfig(64, 2, 4, 7, 32, 48, Activation.GELU))
                .hasMessageContaining("patch (7) must divide resolution (32)");
        assertThatThrownBy(() -> ClipVisionConfig.preset("ViT-Z-99")).hasMessageContaining("unknown CLIP preset");
        assertThatThrownBy(() -> Activation.parse("relu")).hasMessageContaining("unknown activation 'relu'");
    }

    @Test
    void notAClipCheckpoint() throws Exception {
        Path file = dir.resolve("other.safetensors");
        new SafeTensorsWriter().add("model.diffusion_model.out.0.weight", new long[] {2}, new float[2]).write(file);
        try (WeightSource src = SafeTensorsFile.open(file)) {
            assertThatThrownBy(() -> ClipVisionFormat.detect(src)).hasMessageContaining("not a CLIP vision checkpoint");
        }
    }

    @Test
    void positionalEmbeddingIsInterpolatedBicubicallyWithTheClassTokenKept() throws Exception {
        ClipVision at16 = randomTower(SMALL, 5);                      // grid 4
        Path file = dir.resolve("grid4.safetensors");
        ClipWeights.exportVision(at16, file, ClipVisionFormat.OPENAI);
        ClipVision at24 = ClipVision.create(SMALL.withResolution(24), manager);   // grid 6
        try (WeightSource src = SafeTensorsFile.open(file)) {
            ClipWeights.loadVision(at24, src, "grid4");
        }
        float[] old = at16.params().get("positional_embedding").toFloatArray();
        float[] resized = at24.params().get("positional_embedding").toFloatArray();
        int w = SMALL.width();
        assertThat(resized).hasSize((1 + 36) * w);
        assertThat(Arrays.copyOf(resized, w)).containsExactly(Arrays.copyOf(old, w));
        double[] expected = ReferenceBicubic.resize(Arrays.copyOfRange(old, w, old.length), 4, 6, w);
        assertThat(TestWeights.maxAbsDiff(Arrays.copyOfRange(resized, w, resized.length), expected)).isLessThan(1e-5);
        assertThat(at24.params().get("conv1.weight").toFloatArray()).containsExactly(at16.params().get("conv1.weight").toFloatArray());

        // And down again (6 → 4): the antialiased kernel then spans more than 4 source rows.
        Path file24 = dir.resolve("grid6.safetensors");
        ClipWeights.exportVision(at24, file24, ClipVisionFormat.HF);
        ClipVision back = ClipVision.create(SMALL, manager);
        try (WeightSource src = SafeTensorsFile.open(file24)) {
            ClipWeights.loadVision(back, src, "grid6");
        }
        float[] down = back.params().get("positional_embedding").toFloatArray();
        double[] expectedDown = ReferenceBicubic.resize(Arrays.copyOfRange(resized, w, resized.length), 6, 4, w);
        assertThat(TestWeights.maxAbsDiff(Arrays.copyOfRange(down, w, down.length), expectedDown)).isLessThan(1e-5);
    }

    private Path copyWithout(Path file, Predicate<String> drop) throws Exception {
        Path out = dir.resolve("cut.safetensors");
        SafeTensorsWriter w = new SafeTensorsWriter();
        try (WeightSource src = SafeTensorsFile.open(file)) {
            for (String n : src.names()) {
                if (!drop.test(n)) {
                    w.add(n, src.info(n).shape(), src.readFloats(n));
                }
            }
        }
        w.write(out);
        return out;
    }
}
