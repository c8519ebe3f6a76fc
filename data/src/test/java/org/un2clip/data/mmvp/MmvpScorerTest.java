package org.un2clip.data.mmvp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.un2clip.data.TestImages;
import org.un2clip.data.image.ImageDecoder;
import org.un2clip.data.image.RgbImage;
import org.un2clip.data.source.DataSourceException;

/**
 * A hand-made MMVP-VLM folder: two patterns, two pairs each; image qid k is a flat grey of level 10·k; the
 * fake encoder embeds image k as the one-hot e_k and each statement as a vector chosen so the answer is known.
 */
class MmvpScorerTest {
    @TempDir
    Path dir;

    final Map<String, float[]> texts = new HashMap<>();

    @BeforeEach
    void writeBenchmark() throws Exception {
        Files.writeString(dir.resolve("Questions.csv"), """
                Question ID,Type,Statement
                1,Color and Appearance,the first
                2,Color and Appearance,the second
                3,Color and Appearance,"the third, wrongly embedded"
                4,Color and Appearance,the fourth
                5,Quantity and Count,the fifth
                6,Quantity and Count,the sixth
                7,Quantity and Count,the seventh mixed
                8,Quantity and Count,the eighth
                """);
        for (int q = 1; q <= 8; q++) {
            String type = q <= 4 ? "Color and Appearance" : "Quantity and Count";
            Files.createDirectories(dir.resolve("MLLM_VLM Images").resolve(type));
            Files.write(dir.resolve("MLLM_VLM Images").resolve(type).resolve(q + ".jpg"), TestImages.jpeg(flat(10 * q)));
        }
        texts.put("a photo of the first", e(1));
        texts.put("a photo of the second", e(2));
        texts.put("a photo of the third, wrongly embedded", e(4)); // picks image 2: pair (3, 4) fails
        texts.put("a photo of the fourth", e(4));
        texts.put("a photo of the fifth", e(5));
        texts.put("a photo of the sixth", e(6));
        float[] mixed = new float[16];
        mixed[7] = 0.6f;
        mixed[8] = 0.4f;
        texts.put("a photo of the seventh mixed", mixed); // closer to image 7: right
        texts.put("a photo of the eighth", e(8));
    }

    ContrastiveEncoder encoder(double scale) {
        return new ContrastiveEncoder() {
            @Override
            public float[] imageEmbedding(RgbImage image) {
                return e(Math.round(image.get(2, 2, 0) / 10f));
            }

            @Override
            public float[] textEmbedding(String text) {
                float[] v = texts.get(text);
                if (v == null) {
                    throw new AssertionError("unexpected text: " + text);
                }
                return v;
            }

            @Override
            public double logitScale() {
                return scale;
            }
        };
    }

    @Test
    void scoresPerPatternAndMean() {
        MmvpBenchmark bench = MmvpBenchmark.load(dir);
        assertThat(bench.pairs()).hasSize(4);
        MmvpResult r = new MmvpScorer(new ImageDecoder(1 << 20, true)).score(bench, encoder(100));
        assertThat(r.patternPercent()).containsExactly(Map.entry("Color and Appearance", 50.0), Map.entry("Quantity and Count", 100.0));
        assertThat(r.meanPercent()).isEqualTo(75.0);
        assertThat(r.pairs()).extracting(MmvpResult.PairResult::correct).containsExactly(true, false, true, true);
    }

    @Test
    void probabilitiesAreTheSoftmaxOfScaledCosines() {
        MmvpResult r = new MmvpScorer(new ImageDecoder(1 << 20, true)).score(MmvpBenchmark.load(dir), encoder(1));
        // Statement 7 = (.6 e7 + .4 e8): cosines .6/√.52 and .4/√.52; p = 1 / (1 + exp(-(.2/√.52))).
        double expected = 1 / (1 + Math.exp(-(0.2 / Math.sqrt(0.52))));
        assertThat(r.pairs().get(3).image1ProbabilityForStatement1()).isCloseTo(expected, within(1e-7));
        assertThat(r.pairs().get(0).image1ProbabilityForStatement2()).isCloseTo(1 / (1 + Math.E), within(1e-7));
    }

    @Test
    void tiesPickTheSecondImage() {
        assertThat(MmvpScorer.image1Probability(new float[] {1, 1}, new float[] {1, 0}, new float[] {0, 1}, 100)).isEqualTo(0.5);
    }

    @Test
    void missingImageAndOddRowCountAreNamed() throws Exception {
        Files.delete(dir.resolve("MLLM_VLM Images/Quantity and Count/6.jpg"));
        assertThatThrownBy(() -> MmvpBenchmark.load(dir)).isInstanceOf(DataSourceException.class).hasMessageContaining("6.jpg");
        Files.writeString(dir.resolve("Questions.csv"), "1,Texts,a\n");
        assertThatThrownBy(() -> MmvpBenchmark.load(dir)).isInstanceOf(DataSourceException.class).hasMessageContaining("even");
    }

    static float[] e(int k) {
        float[] v = new float[16];
        v[k] = 1;
        return v;
    }

    static RgbImage flat(int level) {
        byte[] rgb = new byte[8 * 8 * 3];
        java.util.Arrays.fill(rgb, (byte) level);
        return new RgbImage(8, 8, rgb);
    }
}
