package org.un2clip.data.mmvp;

import java.util.List;
import java.util.Map;

/**
 * MMVP-VLM scores: per pair what each statement picked, per pattern the percentage of pairs with both
 * statements right, and the mean of the pattern percentages (the benchmark number).
 */
public record MmvpResult(List<PairResult> pairs, Map<String, Double> patternPercent, double meanPercent) {
    /** One pair: image-1 probability for each statement, and whether both picked their own image. */
    public record PairResult(MmvpPair pair, double image1ProbabilityForStatement1, double image1ProbabilityForStatement2, boolean correct) {
    }
}
