package org.un2clip.cluster.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The soak's pure parts: its seeded fault schedule, the sample accounting it reports, the report's verdict. */
class SoakTest {
    @TempDir
    Path tmp;

    @Test
    void theScheduleIsAFunctionOfTheSeed() {
        List<Soak.Planned> a = Soak.schedule(7, 30, 180, 2);
        assertThat(Soak.schedule(7, 30, 180, 2)).isEqualTo(a);
        assertThat(Soak.schedule(8, 30, 180, 2)).isNotEqualTo(a);
        // Gaps in [0.75, 1.25] x 180 s: between 7 and 13 faults in 30 minutes, all inside them.
        assertThat(a).hasSizeBetween(7, 13);
        double previous = 0;
        for (Soak.Planned p : a) {
            assertThat(p.atSeconds() - previous).isBetween(135.0, 225.0);
            assertThat(p.atSeconds()).isLessThanOrEqualTo(30 * 60);
            assertThat(p.rank()).isBetween(0, 1);
            previous = p.atSeconds();
        }
        // Over many seeds every kind of fault is drawn.
        assertThat(java.util.stream.LongStream.range(0, 20).boxed()
                .flatMap(s -> Soak.schedule(s, 30, 180, 2).stream()).map(Soak.Planned::fault).distinct())
                .containsExactlyInAnyOrder(Soak.Fault.values());
    }

    private Path metrics(String... lines) throws Exception {
        Path f = tmp.resolve("metrics.jsonl");
        Files.writeString(f, String.join("\n", lines) + "\n");
        return f;
    }

    private static String line(long step, long epoch, int samples) {
        return "{\"step\":" + step + ",\"epoch\":" + epoch + ",\"samples\":" + samples + ",\"loss\":0.5}";
    }

    @Test
    void accountingKeepsTheLastAttemptOfARedoneStep() throws Exception {
        // Epochs of 16 samples, 2 steps each; a restart resumed from step 2 after steps 2 and 3 were trained.
        SampleAccounting a = SampleAccounting.of(metrics(line(0, 0, 8), line(1, 0, 8), line(2, 1, 8), line(3, 1, 8),
                line(2, 1, 8), line(3, 1, 8), line(4, 2, 8)));
        assertThat(a.lines()).isEqualTo(7);
        assertThat(a.steps()).isEqualTo(5);
        assertThat(a.redone()).isEqualTo(2);
        assertThat(a.missing()).isEmpty();
        assertThat(a.completeEpochs()).isEqualTo(2);
        assertThat(a.wrongEpochs(16)).isEmpty();

        // A step missing and an epoch short: both reported.
        SampleAccounting gap = SampleAccounting.of(metrics(line(0, 0, 8), line(2, 1, 8), line(3, 1, 4), line(4, 2, 8)));
        assertThat(gap.missing()).containsExactly(1L);
        assertThat(gap.wrongEpochs(16)).containsEntry(0L, 8L).containsEntry(1L, 12L);
        SoakReport r = report(gap);
        assertThat(r.samplesLost()).isEqualTo(8 + 8 + 4);
        assertThat(r.passed()).isFalse();
        assertThat(report(a).passed()).isTrue();
        assertThat(report(a).markdown()).contains("PASSED").contains("samples lost: 0");
    }

    private SoakReport report(SampleAccounting a) {
        Soak.Settings s = new Soak.Settings(tmp, tmp, "tiny", List.of(), 2, 1, 1, 60, 30, Duration.ofSeconds(60), 2,
                16, 8);
        SoakReport.FaultOutcome f = new SoakReport.FaultOutcome(0, "TRAINER_KILL", "trainer-1", "t", 4.2, Double.NaN,
                30, true, 0, "ok");
        return SoakReport.of(s, Instant.now(), Instant.now(), 1, List.of(f), "stopped", a, 16, 8);
    }

    @Test
    void aBadMetricsLineIsAnErrorNamingTheFileAndLine() throws Exception {
        Path f = metrics(line(0, 0, 8), "{\"step\":1}");
        assertThatThrownBy(() -> SampleAccounting.of(f)).hasMessageContaining(f + " line 2 lacks step, epoch or samples");
        Path g = metrics(line(0, 0, 8), "not json");
        assertThatThrownBy(() -> SampleAccounting.of(g)).hasMessageContaining(g + " line 2 is not JSON");
    }
}
