package org.un2clip.cluster.report;

import java.util.Map;

/**
 * One line of metrics.jsonl.
 *
 * @param phaseSeconds per-phase times of the step ("data", "compute", "send", "wait", ...), in file order
 * @param rankStepSeconds step time of each trainer rank, when the runtime records it (empty otherwise)
 */
public record StepRecord(long step, double loss, double lr, double imagesPerSecond, double stepSeconds,
        Map<String, Double> phaseSeconds, long bytes, Map<Integer, Double> rankStepSeconds, boolean skipped) {

    public StepRecord {
        phaseSeconds = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(phaseSeconds));
        rankStepSeconds = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(rankStepSeconds));
    }
}
