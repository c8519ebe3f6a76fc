package org.un2clip.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drills on a real local cluster (separate JVMs started by bin/un2clip-cluster with `bin/un2clip node`):
 * `mvn -o -B -Pdrills verify -pl tests -am -Dtest=LocalClusterDrillTest -Dsurefire.failIfNoSpecifiedTests=false`.
 * Needs the runtime's `node` command (branch runtime).
 */
@Tag("drill")
class LocalClusterDrillTest {
    private static final Path ROOT = Path.of(System.getProperty("un2clip.root"));
    private static final String TOY = String.join("\n",
            "train { global-batch = 8, micro-batch = 2, shards = 2, lr = 0.01, toy { dim = 96, dataset-size = 64 } }",
            "");

    @TempDir
    Path tmp;

    record Result(int exit, String out) {}

    @AfterEach
    void down() throws Exception {
        script("down", "--run-dir", tmp.resolve("run").toString(), "--timeout", "5");
    }

    private Result script(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", ROOT.resolve("bin/un2clip-cluster").toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out);
    }

    private Path up(long steps) throws Exception {
        Path config = tmp.resolve("run.conf");
        Files.writeString(config, TOY + "train.steps = " + steps + "\n");
        Path run = tmp.resolve("run");
        Result up = script("up", "--local", "2", "--config", config.toString(), "--run-dir", run.toString(),
                "--port", "0");
        assertThat(up.exit()).as(up.out()).isZero();
        return run;
    }

    private static long lines(Path file) throws Exception {
        return Files.exists(file) ? Files.readAllLines(file).size() : 0;
    }

    private static void awaitSteps(Path run, long steps, long timeoutSeconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (lines(run.resolve("metrics.jsonl")) < steps && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }

    private static boolean zombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (java.io.IOException e) {
            return true;
        }
    }

    @Test
    void aRealClusterComesUpTrainsAndLeavesGracefully() throws Exception {
        Path run = up(1_000_000);
        awaitSteps(run, 50, 60);
        assertThat(lines(run.resolve("metrics.jsonl"))).isGreaterThanOrEqualTo(50);
        Result status = script("status", "--run-dir", run.toString());
        assertThat(status.out()).contains("3 of 3 node(s) running");
        List<Long> pids = Files.readAllLines(run.resolve("cluster/nodes")).stream()
                .map(l -> Long.parseLong(l.split(" ")[2])).toList();
        Result down = script("down", "--run-dir", run.toString(), "--timeout", "20");
        // Trainers leave first; the coordinator leaves too, or has already ended the run on its own.
        assertThat(down.out()).contains("trainer-0 on 127.0.0.1 left").contains("trainer-1 on 127.0.0.1 left")
                .doesNotContain("killed");
        assertThat(pids).noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
                && !zombie(pid));
    }

    /** Issue 7: a trainer killed mid-step; the run goes on with W-1 and trains every step. */
    @Test
    void aTrainerKilledMidStepDoesNotStopTheRun() throws Exception {
        long steps = 3000;
        Path run = up(steps);
        awaitSteps(run, 100, 60);
        long trainer1 = Files.readAllLines(run.resolve("cluster/nodes")).stream()
                .filter(l -> l.startsWith("trainer-1 ")).mapToLong(l -> Long.parseLong(l.split(" ")[2]))
                .findFirst().orElseThrow();
        ProcessHandle.of(trainer1).orElseThrow().destroyForcibly();
        awaitSteps(run, steps, 120);
        assertThat(lines(run.resolve("metrics.jsonl"))).as("steps trained after the kill").isEqualTo(steps);
        // The last metrics line comes before the final checkpoint, the encoder and the "done" line.
        Path log = run.resolve("logs/coordinator.log");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.readString(log).contains("done: " + steps + " steps") && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(Files.readString(log)).contains("done: " + steps + " steps");
    }

    private static void awaitLog(Path log, String text, long timeoutSeconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (!(Files.exists(log) && Files.readString(log).contains(text)) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(Files.readString(log)).contains(text);
    }

    /** Issue 7: `restart trainer-1` after a kill: the replacement rejoins, the run trains every sample once. */
    @Test
    void aKilledTrainerRestartedByTheScriptRejoinsTheRun() throws Exception {
        long steps = 24000;    // 3000 whole epochs of 64 samples in batches of 8; outlasts the replacement's start
        Path run = up(steps);
        awaitSteps(run, 100, 60);
        long trainer1 = Files.readAllLines(run.resolve("cluster/nodes")).stream()
                .filter(l -> l.startsWith("trainer-1 ")).mapToLong(l -> Long.parseLong(l.split(" ")[2]))
                .findFirst().orElseThrow();
        ProcessHandle.of(trainer1).orElseThrow().destroyForcibly();
        Path log = run.resolve("logs/coordinator.log");
        awaitLog(log, "trainer 1 lost", 20);
        Result restart = script("restart", "--run-dir", run.toString(), "trainer-1");
        assertThat(restart.exit()).as(restart.out()).isZero();
        awaitLog(log, "rank 1 rejoined", 60);
        assertThat(lines(run.resolve("metrics.jsonl"))).as("rejoined before the run ended").isLessThan(steps);
        awaitSteps(run, steps, 240);
        awaitLog(log, "done: " + steps + " steps", 30);
        java.util.Map<Long, Long> perEpoch = new java.util.TreeMap<>();
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        List<String> records = Files.readAllLines(run.resolve("metrics.jsonl"));
        assertThat(records).hasSize((int) steps);
        for (String line : records) {
            var r = json.readTree(line);
            perEpoch.merge(r.get("epoch").asLong(), r.get("samples").asLong(), Long::sum);
        }
        assertThat(perEpoch).hasSize((int) (steps / 8));
        assertThat(perEpoch.values()).allSatisfy(n -> assertThat(n).isEqualTo(64));
    }
}
