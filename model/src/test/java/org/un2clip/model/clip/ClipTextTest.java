package org.un2clip.model.clip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ClipTextTest {
    /** Two texts: the end-of-text (largest id, 49) at positions 5 and 7, zero padding after it. */
    private static final long[][] IDS = {{48, 3, 17, 22, 9, 49, 0, 0}, {48, 30, 2, 2, 41, 11, 6, 49}};

    @ParameterizedTest
    @EnumSource(Activation.class)
    void matchesThePlainJavaOracle(Activation activation) {
        ClipTextConfig config = new ClipTextConfig(8, 50, 16, 3, 2, 8, activation);
        try (NDManager manager = NDManager.newBaseManager(); ClipText text = ClipText.create(config, manager)) {
            Map<String, float[]> weights = TestWeights.random(text.params(), 9, 0.3);
            TestWeights.set(text.params(), weights);
            NDArray ids = manager.create(flat(IDS), new Shape(2, 8));
            ClipText.Output out = text.forward(ids, Taps.NONE);
            float[] emb = out.embedding().toFloatArray();
            float[] seq = out.sequence().toFloatArray();
            float[] penultimate = text.hiddenStates(ids, 1).toFloatArray();
            ClipTextConfig twoLayers = new ClipTextConfig(8, 50, 16, 2, 2, 8, activation);
            for (int b = 0; b < 2; b++) {
                double[][] ref = new ReferenceClip(weights).text(config, IDS[b]);
                assertThat(TestWeights.maxAbsDiff(Arrays.copyOfRange(emb, b * 8, b * 8 + 8), ref[1])).isLessThan(2e-5);
                assertThat(TestWeights.maxAbsDiff(Arrays.copyOfRange(seq, b * 128, b * 128 + 128), ref[0])).isLessThan(2e-5);
                double[] refPenultimate = new ReferenceClip(weights).text(twoLayers, IDS[b])[0];
                assertThat(TestWeights.maxAbsDiff(Arrays.copyOfRange(penultimate, b * 128, b * 128 + 128), refPenultimate))
                        .isLessThan(2e-5);
            }
        }
    }

    @Test
    void rejectsIdsOutsideTheVocabularyOrContext() {
        ClipTextConfig config = new ClipTextConfig(8, 50, 16, 1, 2, 8, Activation.QUICK_GELU);
        try (NDManager manager = NDManager.newBaseManager(); ClipText text = ClipText.create(config, manager)) {
            assertThatThrownBy(() -> text.encode(manager.create(new long[] {1, 2, 3, 50, 0, 0, 0, 0}, new Shape(1, 8))))
                    .hasMessageContaining("token id 50 is outside the vocabulary");
            assertThatThrownBy(() -> text.encode(manager.create(new long[] {1, 2}, new Shape(1, 2))))
                    .hasMessageContaining("ids must be (B, 8)");
            assertThatThrownBy(() -> text.hiddenStates(manager.create(flat(IDS), new Shape(2, 8)), 1))
                    .hasMessageContaining("skipLast must be in [0, 0]");
        }
    }

    @Test
    void clipModelSimilarityIsTheScaledCosine() {
        ClipVisionConfig v = new ClipVisionConfig(16, 1, 2, 4, 8, 8, Activation.QUICK_GELU);
        ClipTextConfig t = new ClipTextConfig(77, 49408, 16, 1, 2, 8, Activation.QUICK_GELU);
        try (NDManager manager = NDManager.newBaseManager(); ClipModel clip = ClipModel.create(v, t, manager)) {
            TestWeights.set(clip.vision().params(), TestWeights.random(clip.vision().params(), 1, 0.3));
            TestWeights.set(clip.text().params(), TestWeights.random(clip.text().params(), 2, 0.3));
            clip.setLogitScale((float) Math.log(100));
            NDArray img = clip.encodeImage(manager.create(TestWeights.gaussian(2 * 3 * 64, 3), new Shape(2, 3, 8, 8)));
            NDArray txt = clip.encodeText(List.of("a photo of a cat", "a dog"), manager);
            long[] ids = ClipTokenizer.openAi().tokenize("a dog");
            assertThat(Arrays.equals(txt.get(1).toFloatArray(),
                    clip.encodeText(manager.create(ids, new Shape(1, 77))).get(0).toFloatArray())).isTrue();
            float[] logits = clip.similarity(img, txt).toFloatArray();
            float[] a = img.get(1).toFloatArray();
            float[] b = txt.get(0).toFloatArray();
            double dot = 0, na = 0, nb = 0;
            for (int i = 0; i < 8; i++) {
                dot += a[i] * b[i];
                na += a[i] * a[i];
                nb += b[i] * b[i];
            }
            assertThat((double) logits[2]).isCloseTo(100 * dot / Math.sqrt(na * nb), org.assertj.core.data.Offset.offset(1e-3));
            assertThatThrownBy(() -> ClipModel.create(v, new ClipTextConfig(77, 49408, 16, 1, 2, 9, Activation.GELU), manager))
                    .hasMessageContaining("differs from text embedding width");
        }
    }

    @Test
    void loadsAFullOpenAiStateDict(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        ClipVisionConfig v = new ClipVisionConfig(16, 1, 2, 4, 8, 8, Activation.QUICK_GELU);
        ClipTextConfig t = new ClipTextConfig(77, 49408, 16, 1, 2, 8, Activation.QUICK_GELU);
        java.nio.file.Path file = dir.resolve("clip.safetensors");
        try (NDManager manager = NDManager.newBaseManager(); ClipModel source = ClipModel.create(v, t, manager);
             ClipModel target = ClipModel.create(v, t, manager)) {
            Map<String, float[]> textWeights = TestWeights.random(source.text().params(), 4, 0.3);
            Map<String, float[]> visionWeights = TestWeights.random(source.vision().params(), 5, 0.3);
            org.un2clip.model.io.SafeTensorsWriter w = new org.un2clip.model.io.SafeTensorsWriter();
            w.add("logit_scale", new long[0], new float[] {4.6052f});
            source.text().params().shapes().forEach((n, s) -> w.add(n, s, textWeights.get(n)));
            source.vision().params().shapes().forEach((n, s) -> w.add("visual." + n, s, visionWeights.get(n)));
            w.write(file);
            try (org.un2clip.model.io.WeightSource src = org.un2clip.model.io.SafeTensorsFile.open(file)) {
                ClipWeights.loadModel(target, src, "clip.safetensors");
            }
            assertThat(target.logitScale()).isEqualTo(4.6052f);
            float[] loaded = target.text().params().get("token_embedding.weight").toFloatArray();
            assertThat(java.util.Arrays.mismatch(loaded, textWeights.get("token_embedding.weight"))).isEqualTo(-1);
            assertThat(target.vision().params().get("proj").toFloatArray()).containsExactly(visionWeights.get("proj"));
        }
    }

    private static long[] flat(long[][] rows) {
        return Arrays.stream(rows).flatMapToLong(Arrays::stream).toArray();
    }
}
