package org.un2clip.model.golden;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GoldenCheckTest {
    static final Path PUBLIC = Path.of(System.getProperty("un2clip.root", "../"), "model/src/test/resources/golden/public");

    /** A stand-in suite that returns the golden values themselves, optionally perturbed. */
    private static GoldenSuite echo(String prefix, float perturbation) {
        return new GoldenSuite() {
            @Override
            public String name() {
                return "echo " + prefix;
            }

            @Override
            public List<String> prefixes() {
                return List.of(prefix);
            }

            @Override
            public Map<String, float[]> compute(GoldenSet set, Set<String> wanted) {
                Map<String, float[]> out = new java.util.HashMap<>();
                for (String k : wanted) {
                    float[] v = set.floats(k);
                    v[0] += perturbation;
                    out.put(k, v);
                }
                return out;
            }
        };
    }

    @Test
    void comparesEveryOutputWithItsToleranceAndCountsUncheckedAsFailures() {
        List<GoldenCheck.Result> lines = new ArrayList<>();
        GoldenCheck.Report report = new GoldenCheck(List.of(echo("clip.", 0f))).run(PUBLIC, List.of(), false, lines::add);
        assertThat(lines).isEqualTo(report.results());
        assertThat(report.results()).filteredOn(r -> r.name().startsWith("clip."))
                .extracting(GoldenCheck.Result::name).containsExactlyInAnyOrder("clip.embedding", "clip.tokens");
        assertThat(report.results()).filteredOn(r -> r.name().startsWith("clip."))
                .allMatch(r -> r.status() == GoldenCheck.Status.PASS && r.maxError() == 0);
        assertThat(report.results()).filteredOn(r -> r.name().startsWith("unet."))
                .allMatch(r -> r.status() == GoldenCheck.Status.NOT_CHECKABLE);
        assertThat(report.results()).anyMatch(r -> r.name().startsWith("weights.manifest") && r.status() == GoldenCheck.Status.PASS);
        assertThat(report.ok()).isFalse();
        assertThat(report.summary()).matches("golden: \\d+ passed, \\d+ failed");
    }

    @Test
    void anErrorAboveAtolFailsAndOnlyNarrowsTheSet() {
        GoldenCheck.Report report = new GoldenCheck(List.of(echo("clip.", 1e-3f)))
                .run(PUBLIC, List.of("clip."), false, r -> { });
        assertThat(report.results()).hasSize(2).allMatch(r -> r.status() == GoldenCheck.Status.FAIL);
        assertThat(report.results().get(0).maxError()).isBetween(9e-4, 1.1e-3);

        GoldenCheck.Report exact = new GoldenCheck(List.of(echo("clip.", 0f))).run(PUBLIC, List.of("clip."), false, r -> { });
        assertThat(exact.ok()).isTrue();
        assertThat(exact.summary()).isEqualTo("golden: 2 passed, 0 failed");
    }

    @Test
    void debugTensorsOnlyWhenAsked() {
        GoldenCheck.Report report = new GoldenCheck(List.of(echo("clip.", 0f))).run(PUBLIC, List.of("clip."), true, r -> { });
        assertThat(report.results()).extracting(GoldenCheck.Result::name).contains("clip.dbg.conv1", "clip.embedding");
    }

    @Test
    void step1UsesTheToleranceGivenGoldenGradients() {
        try (GoldenSet set = GoldenSet.open(PUBLIC)) {
            GoldenEntry e = set.entries().get("step1.visual.proj");
            assertThat(e.atolGivenGoldenGrads()).isNotNull();
            assertThat(e.effectiveAtol()).isEqualTo(e.atolGivenGoldenGrads());
        }
    }
}
