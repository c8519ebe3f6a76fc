package org.un2clip.model.golden;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Runs every registered suite on a golden directory and compares each golden output with its tolerance.
 * One line per tensor, then {@code golden: N passed, M failed}.
 */
public final class GoldenCheck {

    public enum Status { PASS, FAIL, NOT_CHECKABLE }

    public record Result(String name, Status status, double maxError, double atol, String note) {
        public String line() {
            if (Double.isNaN(atol) || atol == 0 && status != Status.NOT_CHECKABLE && maxError == 0) {
                return String.format("%-58s %12s %10s %s%s", name, "", "", status, note.isEmpty() ? "" : " (" + note + ")");
            }
            return switch (status) {
                case NOT_CHECKABLE -> String.format("%-58s %12s %10.2g FAIL (%s)", name, "-", atol, note);
                default -> String.format("%-58s %12.3e %10.2g %s%s", name, maxError, atol, status,
                        note.isEmpty() ? "" : " (" + note + ")");
            };
        }
    }

    public record Report(List<Result> results, boolean narrowed) {
        public long passed() {
            return results.stream().filter(r -> r.status == Status.PASS).count();
        }

        public long failed() {
            return results.size() - passed();
        }

        /** Exit 0 only when nothing failed and nothing was skipped. */
        public boolean ok() {
            return failed() == 0 && !results.isEmpty();
        }

        public String summary() {
            return "golden: " + passed() + " passed, " + failed() + " failed";
        }
    }

    private final List<GoldenSuite> suites;

    public GoldenCheck(List<GoldenSuite> suites) {
        this.suites = List.copyOf(suites);
    }

    /**
     * @param only     key prefixes to restrict to (empty: everything)
     * @param debug    also compare debug intermediates
     * @param progress receives each result line as it is decided
     */
    public Report run(Path dir, List<String> only, boolean debug, Consumer<Result> progress) {
        List<Result> results = new ArrayList<>();
        try (GoldenSet set = GoldenSet.open(dir)) {
            Map<String, GoldenEntry> wanted = new LinkedHashMap<>();
            for (GoldenEntry e : set.entries().values()) {
                boolean role = e.isOutput() || (debug && e.isDebug());
                boolean selected = only.isEmpty() || only.stream().anyMatch(e.name()::startsWith);
                if (role && selected) {
                    wanted.put(e.name(), e);
                }
            }
            if (only.isEmpty() || only.stream().anyMatch(p -> WeightFileSuite.PREFIX.startsWith(p) || p.startsWith(WeightFileSuite.PREFIX))) {
                for (Result r : WeightFileSuite.check(set)) {
                    results.add(r);
                    progress.accept(r);
                }
            }
            Set<String> done = new LinkedHashSet<>();
            for (GoldenSuite suite : suites) {
                Set<String> mine = new LinkedHashSet<>();
                for (String key : wanted.keySet()) {
                    if (suite.covers(key) && !done.contains(key)) {
                        mine.add(key);
                    }
                }
                if (mine.isEmpty()) {
                    continue;
                }
                Map<String, float[]> computed;
                String failure = null;
                try {
                    computed = suite.compute(set, mine);
                } catch (Exception | LinkageError e) {
                    computed = Map.of();
                    failure = suite.name() + " failed: " + e;
                }
                for (String key : mine) {
                    float[] value = computed.get(key);
                    Result r = value == null
                            ? new Result(key, Status.NOT_CHECKABLE, Double.NaN, wanted.get(key).effectiveAtol(),
                                    failure != null ? failure : suite.name() + " does not compute it")
                            : compare(wanted.get(key), value, set.floats(key));
                    results.add(r);
                    progress.accept(r);
                    done.add(key);
                }
            }
            for (GoldenEntry e : wanted.values()) {
                if (!done.contains(e.name())) {
                    Result r = new Result(e.name(), Status.NOT_CHECKABLE, Double.NaN, e.effectiveAtol(),
                            "no model part computes it yet");
                    results.add(r);
                    progress.accept(r);
                }
            }
        }
        return new Report(results, !only.isEmpty());
    }

    static Result compare(GoldenEntry entry, float[] actual, float[] expected) {
        double atol = entry.effectiveAtol();
        if (actual.length != expected.length) {
            return new Result(entry.name(), Status.FAIL, Double.NaN, atol,
                    "has " + actual.length + " values, golden has " + expected.length);
        }
        double max = 0;
        for (int i = 0; i < actual.length; i++) {
            double d = Math.abs((double) actual[i] - expected[i]);
            if (Double.isNaN(d)) {
                return new Result(entry.name(), Status.FAIL, Double.NaN, atol, "NaN at index " + i);
            }
            max = Math.max(max, d);
        }
        return new Result(entry.name(), max <= atol ? Status.PASS : Status.FAIL, max, atol, "");
    }
}
