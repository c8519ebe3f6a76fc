package org.un2clip.cluster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportCommandTest {

    /** Lines shaped like the runtime's metrics.jsonl, plus the optional per-rank times. */
    static List<String> metrics(int steps, boolean withRanks) {
        List<String> lines = new ArrayList<>();
        for (int s = 0; s < steps; s++) {
            String ranks = withRanks ? String.format(Locale.ROOT, ",\"rank_step_s\":[%.3f,%.3f]", 0.1 + s * 0.01,
                    0.2) : "";
            lines.add(String.format(Locale.ROOT, "{\"step\":%d,\"loss\":%.4f,\"lr\":1.0E-5,\"images_per_s\":%.1f,"
                    + "\"step_s\":0.25,\"data_s\":0.01,\"compute_s\":0.2,\"send_s\":0.02,\"wait_s\":0.02,"
                    + "\"bytes\":1000,\"clip\":1.0,\"skipped\":%s%s}", s, 10.0 / (s + 1), 100.0 + s,
                    s == 3 ? "true" : "false", ranks));
        }
        return lines;
    }

    @Test
    void writesFourPlotsAndAPageWithSummaryAndConfig(@TempDir Path run) throws Exception {
        Files.write(run.resolve("metrics.jsonl"), metrics(20, true));
        Files.writeString(run.resolve("resolved.conf"), "train { steps = 20, lr = <1e-5> }\n");
        MainTest.Run r = MainTest.run("report", run.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("20 steps, loss 10.0000 -> 0.500000, 109.50 images/s mean");
        Path dir = run.resolve("report");
        for (String png : List.of("loss.png", "images_per_s.png", "step_time_per_rank.png", "time_per_phase.png")) {
            BufferedImage image = ImageIO.read(dir.resolve(png).toFile());
            assertThat(image).as(png).isNotNull();
            assertThat(image.getWidth()).isEqualTo(900);
        }
        String html = Files.readString(dir.resolve("index.html"));
        assertThat(html).contains("<img src=\"loss.png\"").contains("<img src=\"time_per_phase.png\"")
                .contains("20 (steps 0 to 19)").contains("20,000")
                .contains("<td>skipped steps (non-finite gradients)</td><td>1</td>")
                .contains("train { steps = 20, lr = &lt;1e-5&gt; }")
                .contains("Step time per rank<");
    }

    @Test
    void withoutPerRankTimesThePlotSaysSo(@TempDir Path run) throws Exception {
        Files.write(run.resolve("metrics.jsonl"), metrics(3, false));
        MainTest.Run r = MainTest.run("report", run.toString(), "--out", run.resolve("r").toString());
        assertThat(r.exit()).isZero();
        assertThat(Files.readString(run.resolve("r/index.html"))).contains("no per-rank times")
                .contains("No configuration file found");
    }

    @Test
    void aBrokenLineIsNamed(@TempDir Path run) throws Exception {
        List<String> lines = new ArrayList<>(metrics(3, false));
        lines.set(1, "{\"step\":1,\"lr\":1e-5}");
        Files.write(run.resolve("metrics.jsonl"), lines);
        MainTest.Run r = MainTest.run("report", run.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("metrics.jsonl line 2: missing field 'loss'");
        Files.writeString(run.resolve("metrics.jsonl"), "{\"step\":0,\n");
        assertThat(MainTest.run("report", run.toString()).err()).contains("metrics.jsonl line 1:");
    }

    @Test
    void aFolderWithoutMetricsIsAClearError(@TempDir Path run) {
        MainTest.Run r = MainTest.run("report", run.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("metrics.jsonl does not exist");
    }
}
