package org.un2clip.cluster.report;

import java.util.List;

/**
 * The numbers at the top of a report.
 *
 * @param wallSeconds sum of step times
 * @param meanImagesPerSecond over steps with a known rate
 */
public record RunSummary(int steps, long firstStep, long lastStep, double firstLoss, double lastLoss,
        double minLoss, double meanImagesPerSecond, double meanStepSeconds, double wallSeconds, long bytes,
        int skippedSteps) {

    public static RunSummary of(List<StepRecord> records) {
        if (records.isEmpty()) {
            throw new IllegalArgumentException("no steps recorded");
        }
        double minLoss = Double.POSITIVE_INFINITY;
        double rateSum = 0;
        int rates = 0;
        double wall = 0;
        int times = 0;
        long bytes = 0;
        int skipped = 0;
        for (StepRecord r : records) {
            if (Double.isFinite(r.loss())) {
                minLoss = Math.min(minLoss, r.loss());
            }
            if (Double.isFinite(r.imagesPerSecond())) {
                rateSum += r.imagesPerSecond();
                rates++;
            }
            if (Double.isFinite(r.stepSeconds())) {
                wall += r.stepSeconds();
                times++;
            }
            bytes += r.bytes();
            skipped += r.skipped() ? 1 : 0;
        }
        StepRecord first = records.get(0);
        StepRecord last = records.get(records.size() - 1);
        return new RunSummary(records.size(), first.step(), last.step(), first.loss(), last.loss(),
                minLoss == Double.POSITIVE_INFINITY ? Double.NaN : minLoss, rates == 0 ? Double.NaN : rateSum / rates,
                times == 0 ? Double.NaN : wall / times, wall, bytes, skipped);
    }
}
