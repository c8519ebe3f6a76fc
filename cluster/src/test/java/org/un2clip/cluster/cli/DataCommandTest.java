package org.un2clip.cluster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The data commands end to end through the command line: exit codes and the report's last line. */
class DataCommandTest {
    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
        String lastLine() {
            List<String> lines = out.lines().toList();
            return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
        }
    }

    static synchronized Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void synthThenVerifyThenStrictOnABrokenShard() throws Exception {
        Path shards = dir.resolve("synth");
        assertThat(run("data", "synth", "--out", shards.toString(), "--images", "30", "--seed", "3", "--size", "32",
                "--set", "data.synth.shard-size=10").code()).isZero();
        assertThat(Files.list(shards).count()).isEqualTo(3);

        Run ok = run("data", "verify", shards + "/synth-{00000..00002}.tar", "--strict");
        assertThat(ok.code()).isZero();
        assertThat(ok.lastLine()).isEqualTo("records: 30 ok, 0 bad");

        // Cut the last shard inside a member: records of it are lost, counted and named.
        Path last = shards.resolve("synth-00002.tar");
        byte[] bytes = Files.readAllBytes(last);
        Files.write(last, java.util.Arrays.copyOf(bytes, bytes.length / 2 + 100));
        Run lenient = run("data", "verify", shards.toString());
        assertThat(lenient.code()).isZero();
        assertThat(lenient.out()).contains("truncated tar").contains("synth-00002.tar");
        assertThat(lenient.lastLine()).matches("records: 2\\d ok, 1 bad");
        assertThat(run("data", "verify", shards.toString(), "--strict").code()).isEqualTo(1);
    }

    @Test
    void unreadablePathExitsTwoAndNamesIt() {
        Run r = run("data", "verify", dir.resolve("missing.tar").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("missing.tar");
    }

    @Test
    void tooSmallSizeIsAUserError() {
        Run r = run("data", "synth", "--out", dir.resolve("x").toString(), "--images", "1", "--size", "8");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("at least 16");
    }

    @Test
    void pairsAreWrittenInTheMmvpLayout() throws Exception {
        Path out = dir.resolve("pairs");
        assertThat(run("data", "pairs", "--out", out.toString(), "--pairs-per-pattern", "2", "--seed", "1").code()).isZero();
        assertThat(Files.readAllLines(out.resolve("Questions.csv"))).hasSize(1 + 9 * 2 * 2);
        assertThat(out.resolve("MLLM_VLM Images/Texts/29.png")).exists();
    }

    @Test
    void benchDataPrintsEveryLayout() {
        Run r = run("bench", "data", "--images", "2", "--width", "80", "--height", "60");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("decode+clip224").contains("decode+vae768").contains("decode+train(vae768+clip224)");
    }
}
