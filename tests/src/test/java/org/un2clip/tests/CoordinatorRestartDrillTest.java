package org.un2clip.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.un2clip.actors.InProcessRun;
import org.un2clip.cluster.cli.Main;
import org.un2clip.cluster.ops.SampleAccounting;
import org.un2clip.conf.Un2clipConfig;
import org.un2clip.model.io.SafeTensorsFile;

/**
 * Issue 7: the coordinator/aggregator process lost under {@code bin/un2clip-cluster} supervision. A real
 * cluster (coordinator + 2 trainer JVMs from {@code up --local 2}); the coordinator JVM gets a real SIGKILL;
 * the supervisor restarts the run from the newest checkpoint that verifies and the final encoder equals an
 * uninterrupted run's bit for bit. The default build runs the short drill (which also resumes past a
 * truncated and a bit-flipped checkpoint and checks the log and the status JSON); {@code mvn -Pdrills verify}
 * the long ones (two kills; the restart budget).
 */
class CoordinatorRestartDrillTest {
    private static final Path ROOT = Path.of(System.getProperty("un2clip.root"));
    private static final int DATASET = 64;
    private static final List<String> TOY = List.of("train.global-batch=8", "train.micro-batch=2", "train.shards=2",
            "train.lr=0.01", "train.toy.dim=96", "train.toy.dataset-size=" + DATASET, "train.trainers=2");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    record Result(int exit, String out) {}

    @AfterEach
    void down() throws Exception {
        script("down", "--run-dir", tmp.resolve("run").toString(), "--timeout", "5");
    }

    private static Result script(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", ROOT.resolve("bin/un2clip-cluster").toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out);
    }

    private Path configFile(long steps, long every) throws Exception {
        StringBuilder b = new StringBuilder();
        for (String kv : TOY) {
            b.append(kv.replace("=", " = ")).append('\n');
        }
        b.append("train.steps = ").append(steps).append("\ncheckpoint.every-steps = ").append(every).append('\n');
        Path f = tmp.resolve("run-" + steps + ".conf");
        Files.writeString(f, b.toString());
        return f;
    }

    /** An uninterrupted run of the same configuration, in this JVM (equal to the multi-JVM runtime: TrainClusterTest). */
    private float[] reference(long steps) {
        List<String> o = new ArrayList<>(TOY);
        o.add("run.dir=" + tmp.resolve("reference"));
        o.add("train.steps=" + steps);
        return InProcessRun.run(Un2clipConfig.load(Optional.empty(), o), false, null).parameters();
    }

    private static float[] encoder(Path run) throws Exception {
        try (SafeTensorsFile f = SafeTensorsFile.open(run.resolve("encoder.safetensors"))) {
            return f.readFloats("weight");
        }
    }

    private static long lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file).size() : 0;
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (java.io.IOException e) {
            return "";
        }
    }

    private static void await(String what, long seconds, BooleanSupplier condition) throws InterruptedException {
        await(what, seconds, condition, null);
    }

    /** Waits; a timeout names what it waited for and, given the run folder, where the run was. */
    private static void await(String what, long seconds, BooleanSupplier condition, Path run)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                String where = run == null ? "" : "; metrics lines: " + lines(run.resolve("metrics.jsonl"))
                        + "\n---- coordinator.log (tail):\n" + tail(read(run.resolve("logs/coordinator.log")))
                        + "\n---- supervisor.log (tail):\n" + tail(read(run.resolve("logs/supervisor.log")));
                throw new AssertionError("timed out after " + seconds + " s waiting for " + what + where);
            }
            Thread.sleep(100);
        }
    }

    private static String tail(String text) {
        String[] l = text.split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(l, Math.max(0, l.length - 15), l.length));
    }

    private static long pid(Path run, String node) throws Exception {
        return Long.parseLong(Files.readString(run.resolve("cluster/" + node + ".pid")).strip());
    }

    /** SIGKILL the coordinator JVM once {@code afterSteps} more lines are in metrics.jsonl and a checkpoint exists. */
    private static long killCoordinatorAfter(Path run, long linesAtLeast, String checkpoint) throws Exception {
        // Generous: on a loaded 2-core machine toy steps slow from ~5 ms to ~100 ms.
        await(linesAtLeast + " metrics lines", 600, () -> lines(run.resolve("metrics.jsonl")) >= linesAtLeast, run);
        await(checkpoint, 120, () -> Files.isDirectory(run.resolve("checkpoints/" + checkpoint)), run);
        long coordinator = pid(run, "coordinator");
        ProcessHandle.of(coordinator).orElseThrow().destroyForcibly();     // SIGKILL
        return coordinator;
    }

    private static void assertEveryStepOnceWithExactEpochs(Path run, long steps) throws Exception {
        SampleAccounting a = SampleAccounting.of(run.resolve("metrics.jsonl"));
        assertThat(a.steps()).isEqualTo(steps);
        assertThat(a.missing()).isEmpty();
        assertThat(a.redone()).as("steps after the checkpoint are trained again").isPositive();
        assertThat(a.samplesPerEpoch()).hasSize((int) (steps * 8 / DATASET));
        assertThat(a.samplesPerEpoch().values()).allSatisfy(n -> assertThat(n).isEqualTo((long) DATASET));
    }

    private static void awaitDone(Path run, long steps) throws Exception {
        await("the restarted coordinator's done line", 600,
                () -> read(run.resolve("logs/coordinator.log")).contains("done: " + steps + " steps"), run);
        await("the supervisor to end", 30, () -> read(run.resolve("logs/supervisor.log")).contains("supervisor ends"));
    }

    /** The newest checkpoints of a real run damaged: truncated, and one bit flipped. */
    private static void damage(Path checkpoints, String truncated, String flipped) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(checkpoints.resolve(truncated + "/optimizer.safetensors").toFile(),
                "rw")) {
            f.setLength(f.length() - 100);
        }
        try (RandomAccessFile f = new RandomAccessFile(checkpoints.resolve(flipped + "/optimizer.safetensors").toFile(),
                "rw")) {
            f.seek(f.length() - 5);
            int b = f.read();
            f.seek(f.length() - 5);
            f.write(b ^ 0x10);
        }
    }

    private static JsonNode statusJson(Path run) throws Exception {
        String address = Files.readString(run.resolve("control.address")).strip();
        String token = Files.readString(run.resolve("control.token")).strip();
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://" + address + "/status")).header("Authorization", "Bearer " + token).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static String consoleStatus(Path run) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            assertThat(Main.run("console", "--run-dir", run.toString(), "--exec", "status")).isZero();
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    /**
     * A real run's newest checkpoint truncated and the one before it bit-flipped: `up --resume` falls back to
     * the third, says so in the log and in status (endpoint JSON and console). Then the coordinator JVM is
     * killed; the supervisor restarts the run from its newest checkpoint; the encoder equals an uninterrupted
     * run's bit for bit and every epoch trained exactly the dataset.
     */
    @Test
    void aKilledCoordinatorIsRestartedFromTheNewestGoodCheckpointAndTheRunIsBitIdentical() throws Exception {
        long steps = 2400;
        Path run = tmp.resolve("run");
        List<String> first = new ArrayList<>(TOY);
        first.addAll(List.of("run.dir=" + run, "train.steps=40", "checkpoint.every-steps=10"));
        InProcessRun.run(Un2clipConfig.load(Optional.empty(), first), false, null);
        Path checkpoints = run.resolve("checkpoints");
        damage(checkpoints, "step-00000040", "step-00000030");

        Result up = script("up", "--local", "2", "--config", configFile(steps, 300).toString(), "--run-dir",
                run.toString(), "--port", "0", "--resume", "--max-restarts", "1");
        assertThat(up.exit()).as(up.out()).isZero();
        String log = read(run.resolve("logs/coordinator.log"));
        assertThat(log).contains("checkpoint " + checkpoints.toRealPath().resolve("step-00000040")
                + " is damaged, falling back to an older one: optimizer.safetensors has")
                .contains("checkpoint " + checkpoints.toRealPath().resolve("step-00000030")
                + " is damaged, falling back to an older one: optimizer.safetensors fails its CRC32C check")
                .contains("resuming from checkpoint " + checkpoints.toRealPath().resolve("step-00000020")
                + " (step 20) after skipping 2 damaged newer checkpoint(s): [step-00000040, step-00000030]");
        JsonNode resumed = statusJson(run).get("resumedFrom");
        assertThat(resumed.get("step").asLong()).isEqualTo(20);
        assertThat(resumed.get("path").asText()).endsWith("step-00000020");
        assertThat(resumed.get("skippedDamaged")).hasSize(2);
        assertThat(resumed.get("skippedDamaged").get(0).get("path").asText()).endsWith("step-00000040");
        assertThat(resumed.get("skippedDamaged").get(0).get("reason").asText()).contains("optimizer.safetensors has");
        assertThat(resumed.get("skippedDamaged").get(1).get("reason").asText()).contains("fails its CRC32C check");
        assertThat(consoleStatus(run)).contains("resumed from: step 20 at ").contains(
                "skipped damaged checkpoint " + checkpoints.toRealPath().resolve("step-00000040") + ": ");

        long killed = killCoordinatorAfter(run, 800, "step-00000600");
        await("the supervisor's restart record", 300, () -> read(run.resolve("restarts.log")).contains("restart 1/1"),
                run);
        assertThat(read(run.resolve("restarts.log"))).contains("coordinator pid " + killed + " lost")
                .containsPattern("resumed from step (6|9|12|15|18|21)00 ");
        JsonNode restart = JSON.readTree(Files.readAllLines(run.resolve("restarts.jsonl")).get(0));
        assertThat(restart.get("lost_pid").asLong()).isEqualTo(killed);
        assertThat(restart.get("resumed_step").asLong()).isGreaterThanOrEqualTo(600).isLessThan(steps);
        assertThat(pid(run, "coordinator")).isNotEqualTo(killed);
        assertThat(run.resolve("logs/coordinator.log.restart-1")).exists();
        awaitDone(run, steps);

        assertThat(encoder(run)).as("the encoder after a SIGKILLed coordinator and a supervised resume")
                .isEqualTo(reference(steps));
        // The first 20 steps come from the seeding run, the rest from this cluster.
        assertEveryStepOnceWithExactEpochs(run, steps);
    }

    /** Two kills, both restarted: still bit-identical. */
    @Test
    @Tag("drill")
    void twoCoordinatorKillsAreBothRestartedAndTheRunIsBitIdentical() throws Exception {
        long steps = 12000;
        Path run = tmp.resolve("run");
        Result up = script("up", "--local", "2", "--config", configFile(steps, 1000).toString(), "--run-dir",
                run.toString(), "--port", "0", "--max-restarts", "2");
        assertThat(up.exit()).as(up.out()).isZero();
        killCoordinatorAfter(run, 2500, "step-00002000");
        await("restart 1", 300, () -> read(run.resolve("restarts.log")).contains("restart 1/2"), run);
        killCoordinatorAfter(run, 8500, "step-00008000");
        await("restart 2", 300, () -> read(run.resolve("restarts.log")).contains("restart 2/2"), run);
        awaitDone(run, steps);
        assertThat(Files.readAllLines(run.resolve("restarts.jsonl"))).hasSize(2);
        assertThat(encoder(run)).isEqualTo(reference(steps));
        assertEveryStepOnceWithExactEpochs(run, steps);
    }

    /** --max-restarts bounds the restarts: the kill after the budget is spent stops the whole cluster. */
    @Test
    @Tag("drill")
    void aKillAfterTheRestartBudgetIsSpentStopsTheCluster() throws Exception {
        Path run = tmp.resolve("run");
        Result up = script("up", "--local", "2", "--config", configFile(1_000_000, 500).toString(), "--run-dir",
                run.toString(), "--port", "0", "--max-restarts", "1");
        assertThat(up.exit()).as(up.out()).isZero();
        killCoordinatorAfter(run, 600, "step-00000500");
        await("restart 1", 300, () -> read(run.resolve("restarts.log")).contains("restart 1/1"), run);
        List<Long> nodes = new ArrayList<>();
        for (String n : List.of("coordinator", "trainer-0", "trainer-1")) {
            nodes.add(pid(run, n));
        }
        long before = lines(run.resolve("metrics.jsonl"));
        killCoordinatorAfter(run, before + 200, "step-00000500");
        await("the supervisor to give up", 60, () -> read(run.resolve("restarts.log")).contains("budget (1) spent"));
        await("the cluster to stop", 60, () -> nodes.stream().noneMatch(p -> ProcessHandle.of(p)
                .map(h -> h.isAlive() && !read(Path.of("/proc/" + p + "/cmdline")).isEmpty()).orElse(false)));
        Result status = script("status", "--run-dir", run.toString());
        assertThat(status.exit()).isEqualTo(1);
        assertThat(read(run.resolve("logs/supervisor.log"))).contains("--max-restarts 1 spent, stopping the cluster");
    }
}
