package org.un2clip.cluster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {

    record Run(int exit, String out, String err) {}

    static synchronized Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int exit = Main.run(args);
            return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void checkGoldenPrintsOneLinePerOutputAndASummary() {
        Run r = run("check-golden", "--only", "weights.");
        assertThat(r.out()).contains("weights.manifest (388 tensors)").contains("PASS");
        assertThat(r.out().strip()).endsWith("golden: 1 passed, 0 failed");
        assertThat(r.exit()).isZero();
    }

    @Test
    void checkGoldenOnAMissingDirectoryIsAClearError(@TempDir Path dir) {
        Run r = run("check-golden", dir.resolve("nope").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("un2clip: ").contains("manifest.json");
    }

    @Test
    void weightsInfoSummarisesAFileAndNamesABrokenOne(@TempDir Path dir) throws Exception {
        Run ok = run("weights", "info", "--summary", GoldenPaths.weights().toString());
        assertThat(ok.exit()).isZero();
        assertThat(ok.out()).contains("tensors: 388, parameters: 1,568,148");
        Path broken = dir.resolve("broken.safetensors");
        Files.write(broken, new byte[] {1, 2, 3});
        Run bad = run("weights", "info", broken.toString());
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains(broken.toString()).contains("truncated");
    }

    static final class GoldenPaths {
        static Path weights() {
            return Path.of(System.getProperty("un2clip.root"), ShippedGolden.RELATIVE, "weights.safetensors");
        }
    }
}
