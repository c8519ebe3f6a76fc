package org.un2clip.cluster.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a soak did and whether the run survived it: the faults injected and their outcomes, and the sample
 * accounting of the run's metrics (every step trained, every complete epoch exactly the dataset). Written as
 * {@code soak-report.json} and {@code soak-report.md} in the run folder.
 *
 * @param samplesLost samples of steps with no metrics line plus, per complete epoch, what it lacks of the dataset
 * @param samplesExtra per complete epoch, samples beyond the dataset (counted twice)
 * @param wrongEpochs complete epochs whose sample count is not the dataset size
 */
public record SoakReport(String runDir, long seed, double minutes, double faultEverySeconds, int trainers,
        String started, String ended, double wallMinutes, double loadAverage, int cores, int faultsPlanned,
        int faultsInjected, int faultsRecovered, List<FaultOutcome> faults, long metricsLines, long steps,
        long stepsRedone, List<Long> stepsMissing, long completeEpochs, long datasetSize, Map<Long, Long> wrongEpochs,
        long samplesLost, long samplesExtra, String stop) {

    /**
     * One injected fault.
     *
     * @param detectedSeconds from injection until the system noticed (the coordinator removed the trainer; the
     *                        supervisor saw the coordinator gone); NaN if it never did
     * @param namedSeconds a frozen trainer: until the coordinator logged the step as stalled (NaN otherwise)
     * @param recoveredSeconds from injection until training went on at full strength (replacement rejoined, or the
     *                         restarted run trained past the step the killed coordinator had reached)
     * @param stepsRedone steps trained again because the coordinator resumed from an older checkpoint
     */
    public record FaultOutcome(int index, String fault, String target, String injectedAt, double detectedSeconds,
            double namedSeconds, double recoveredSeconds, boolean recovered, long stepsRedone, String detail) {}

    static SoakReport of(Soak.Settings s, Instant started, Instant ended, int planned, List<FaultOutcome> faults,
            String stop, SampleAccounting a, long datasetSize, long globalBatch) {
        Map<Long, Long> wrong = a.wrongEpochs(datasetSize);
        long lost = a.missing().size() * globalBatch;
        long extra = 0;
        for (long n : wrong.values()) {
            lost += Math.max(0, datasetSize - n);
            extra += Math.max(0, n - datasetSize);
        }
        return new SoakReport(s.runDir().toString(), s.seed(), s.minutes(), s.faultEvery(), s.trainers(),
                started.toString(), ended.toString(), Duration.between(started, ended).toMillis() / 60000.0,
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                Runtime.getRuntime().availableProcessors(), planned, faults.size(),
                (int) faults.stream().filter(FaultOutcome::recovered).count(), faults, a.lines(), a.steps(), a.redone(),
                a.missing(), a.completeEpochs(), datasetSize, new TreeMap<>(wrong), lost, extra, stop);
    }

    /**
     * Every injected fault recovered, every step trained, every complete epoch exactly the dataset. (Faults whose
     * time came after the end, pushed there by slow recoveries, are counted as planned but not injected.)
     */
    public boolean passed() {
        return faultsRecovered == faultsInjected && faultsInjected > 0 && stepsMissing.isEmpty()
                && wrongEpochs.isEmpty() && samplesLost == 0 && completeEpochs > 0;
    }

    void write(Path dir) throws IOException {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        var tree = json.valueToTree(this);
        ((com.fasterxml.jackson.databind.node.ObjectNode) tree).put("passed", passed());
        Files.writeString(dir.resolve("soak-report.json"), json.writeValueAsString(tree));
        Files.writeString(dir.resolve("soak-report.md"), markdown());
    }

    String markdown() {
        StringBuilder b = new StringBuilder();
        b.append("# Soak report: ").append(passed() ? "PASSED" : "FAILED").append("\n\n");
        b.append(String.format(Locale.ROOT, "Run `%s`, seed %d, %d trainers; faults every ~%.0f s for %.1f min; "
                + "%s to %s (%.1f min wall); load average at the end %.2f on %d cores.%n%n", runDir, seed, trainers,
                faultEverySeconds, minutes, started, ended, wallMinutes, loadAverage, cores));
        b.append(String.format(Locale.ROOT, "- faults: %d planned, %d injected, %d recovered%n", faultsPlanned,
                faultsInjected, faultsRecovered));
        b.append(String.format(Locale.ROOT, "- steps: %d trained (%d metrics lines, %d redone after coordinator "
                + "restarts), missing: %s%n", steps, metricsLines, stepsRedone, stepsMissing.isEmpty() ? "none"
                : stepsMissing.size() + " " + stepsMissing.subList(0, Math.min(10, stepsMissing.size()))));
        b.append(String.format(Locale.ROOT, "- samples: %d complete epochs, each must be %d samples; wrong epochs: "
                + "%s; samples lost: %d, counted twice: %d%n", completeEpochs, datasetSize,
                wrongEpochs.isEmpty() ? "none" : wrongEpochs, samplesLost, samplesExtra));
        b.append("- stop: ").append(stop).append("\n\n");
        b.append("| # | fault | target | injected at | detected (s) | named stalled (s) | recovered (s) | ok | steps redone | detail |\n");
        b.append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (FaultOutcome f : faults) {
            b.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %s | %s | %s | %s | %d | %s |%n", f.index(),
                    f.fault(), f.target(), f.injectedAt(), num(f.detectedSeconds()), num(f.namedSeconds()),
                    num(f.recoveredSeconds()), f.recovered() ? "yes" : "NO", f.stepsRedone(),
                    f.detail().replace("|", "/")));
        }
        return b.toString();
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.2f", v);
    }
}
