package org.un2clip.model.unclip;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.un2clip.model.golden.GoldenCheck;
import org.un2clip.model.golden.GoldenSuite;

/** The public golden set shipped in the test resources, and a helper that checks suites on it. */
public final class ShippedGoldenSet {
    private ShippedGoldenSet() {}

    public static Path dir() {
        return Path.of(System.getProperty("un2clip.root", "..")).resolve("model/src/test/resources/golden/public");
    }

    /** Runs {@code suite} on every output and debug tensor under {@code prefixes} and asserts they all pass. */
    public static GoldenCheck.Report assertPasses(GoldenSuite suite, String... prefixes) {
        GoldenCheck.Report report = new GoldenCheck(List.of(suite)).run(dir(), List.of(prefixes), true, r -> {});
        List<String> failures = new ArrayList<>();
        for (GoldenCheck.Result r : report.results()) {
            if (r.status() != GoldenCheck.Status.PASS && !r.name().startsWith("weights.")) {
                failures.add(r.line());
            }
        }
        assertThat(failures).as("golden failures").isEmpty();
        assertThat(report.passed()).isGreaterThan(0);
        return report;
    }
}
