package org.un2clip.data.mmvp;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.un2clip.data.image.ImageDecoder;
import org.un2clip.data.image.RgbImage;
import org.un2clip.data.source.ImageFiles;

/**
 * The MMVP-VLM protocol: per pair, texts "a photo of " + statement; logits = logit scale × cosine(text, image);
 * for each statement a softmax over the pair's two images; the statement picks image 1 when its probability
 * is > 0.5; the right image is image 1 for an odd qid; a pair counts only if both statements pick their own
 * image. Per pattern: correct pairs / pairs of that pattern (15 in MMVP-VLM), in %; the score is their mean.
 */
public final class MmvpScorer {
    public static final String TEXT_PREFIX = "a photo of ";

    private final ImageDecoder decoder;

    public MmvpScorer(ImageDecoder decoder) {
        this.decoder = decoder;
    }

    public MmvpResult score(MmvpBenchmark bench, ContrastiveEncoder encoder) {
        List<MmvpResult.PairResult> results = new ArrayList<>();
        Map<String, int[]> perPattern = new LinkedHashMap<>();
        for (MmvpPair p : bench.pairs()) {
            float[] img1 = encoder.imageEmbedding(load(p.image1()));
            float[] img2 = encoder.imageEmbedding(load(p.image2()));
            double s = encoder.logitScale();
            double prob1 = image1Probability(encoder.textEmbedding(TEXT_PREFIX + p.statement1()), img1, img2, s);
            double prob2 = image1Probability(encoder.textEmbedding(TEXT_PREFIX + p.statement2()), img1, img2, s);
            boolean pick1ForStatement1 = prob1 > 0.5;
            boolean pick1ForStatement2 = prob2 > 0.5;
            boolean correct = pick1ForStatement1 == (p.qid1() % 2 == 1) && pick1ForStatement2 == (p.qid2() % 2 == 1);
            results.add(new MmvpResult.PairResult(p, prob1, prob2, correct));
            int[] acc = perPattern.computeIfAbsent(p.pattern(), k -> new int[2]);
            acc[0] += correct ? 1 : 0;
            acc[1]++;
        }
        Map<String, Double> percent = new LinkedHashMap<>();
        perPattern.forEach((k, v) -> percent.put(k, 100.0 * v[0] / v[1]));
        double mean = percent.values().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        return new MmvpResult(List.copyOf(results), percent, mean);
    }

    /** softmax over (scale·cos(t, i1), scale·cos(t, i2)), the first component. */
    static double image1Probability(float[] text, float[] image1, float[] image2, double scale) {
        double l1 = scale * cosine(text, image1);
        double l2 = scale * cosine(text, image2);
        double m = Math.max(l1, l2);
        double e1 = Math.exp(l1 - m);
        double e2 = Math.exp(l2 - m);
        return e1 / (e1 + e2);
    }

    static double cosine(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("embedding sizes differ: " + a.length + " vs " + b.length);
        }
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    private RgbImage load(Path file) {
        return ImageFiles.read(decoder, file, "benchmark image");
    }
}
