package org.un2clip.cluster.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.un2clip.data.mmvp.MmvpResult;

/** An MMVP-VLM result as a console table and as the JSON object {@code eval mmvp --out} writes. */
public final class MmvpReport {
    private MmvpReport() {
    }

    /** Per pattern: pairs, correct pairs, score; then the mean of the pattern scores. */
    public static String table(MmvpResult r) {
        Map<String, int[]> counts = counts(r);
        int w = Math.max("mean".length(), counts.keySet().stream().mapToInt(String::length).max().orElse(0));
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-" + w + "s  %5s  %7s  %7s%n", "pattern", "pairs", "correct", "score %"));
        counts.forEach((pattern, c) -> sb.append(String.format(Locale.ROOT, "%-" + w + "s  %5d  %7d  %7.1f%n", pattern, c[1], c[0],
                r.patternPercent().get(pattern))));
        sb.append(String.format(Locale.ROOT, "%-" + w + "s  %5d  %7d  %7.1f%n", "mean", r.pairs().size(),
                r.pairs().stream().filter(MmvpResult.PairResult::correct).count(), r.meanPercent()));
        return sb.toString();
    }

    /** The result with what produced it: {@code inputs} first, then patterns, mean and every pair's probabilities. */
    public static Map<String, Object> json(Map<String, Object> inputs, MmvpResult r) {
        Map<String, Object> out = new LinkedHashMap<>(inputs);
        Map<String, Object> patterns = new LinkedHashMap<>();
        counts(r).forEach((pattern, c) -> patterns.put(pattern, Map.of("pairs", c[1], "correct", c[0],
                "percent", r.patternPercent().get(pattern))));
        out.put("patterns", patterns);
        out.put("mean_percent", r.meanPercent());
        List<Map<String, Object>> pairs = new ArrayList<>();
        for (MmvpResult.PairResult p : r.pairs()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("pattern", p.pair().pattern());
            m.put("qid1", p.pair().qid1());
            m.put("qid2", p.pair().qid2());
            m.put("image1_probability_statement1", p.image1ProbabilityForStatement1());
            m.put("image1_probability_statement2", p.image1ProbabilityForStatement2());
            m.put("correct", p.correct());
            pairs.add(m);
        }
        out.put("pairs", pairs);
        return out;
    }

    /** pattern → {correct, pairs}, in the benchmark's order. */
    private static Map<String, int[]> counts(MmvpResult r) {
        Map<String, int[]> counts = new LinkedHashMap<>();
        for (MmvpResult.PairResult p : r.pairs()) {
            int[] c = counts.computeIfAbsent(p.pair().pattern(), k -> new int[2]);
            c[0] += p.correct() ? 1 : 0;
            c[1]++;
        }
        return counts;
    }
}
