package org.un2clip.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.un2clip.cluster.cli.Main;
import org.un2clip.cluster.control.ControlClient;
import org.un2clip.cluster.control.ControlToken;
import org.un2clip.cluster.control.RunStatus;
import org.un2clip.cluster.report.MetricsJsonl;
import org.un2clip.cluster.report.StepRecord;

/**
 * The console drives a live `train` run (this JVM is the coordinator, two trainer JVMs over Pekko Cluster and
 * Aeron IPC): status, pause, set lr, resume, checkpoint and stop, each asserted by its effect on the run's
 * files; a wrong token is refused.
 */
class ConsoleControlsLiveRunTest {
    private static final double SCHEDULE_LR = 0.05;
    private static final double OPERATOR_LR = 0.0123;

    @TempDir
    Path tmp;

    @Test
    void theConsoleSteersALiveRunAndAWrongTokenIsRefused() throws Exception {
        Path run = tmp.resolve("run");
        List<String> args = new ArrayList<>(List.of("train"));
        for (String s : List.of("train.trainers=2", "train.global-batch=8", "train.micro-batch=2",
                "train.toy.dim=96", "train.toy.dataset-size=64", "train.shards=2", "train.lr=" + SCHEDULE_LR,
                "train.lr-schedule=constant", "train.steps=10000000", "pekko.actor.serialize-messages=on",
                "run.dir=" + run)) {
            args.add("--set");
            args.add(s);
        }
        CompletableFuture<Integer> train = CompletableFuture.supplyAsync(() -> Main.run(args.toArray(String[]::new)));
        try {
            await("the run trains its first steps", 120, () -> lines(run.resolve("metrics.jsonl")) >= 5
                    || train.isDone());
            assertThat(train).isNotDone();
            ControlClient client = new ControlClient(Files.readString(run.resolve("control.address")).strip(),
                    ControlToken.readFrom(run.resolve("control.token")));

            RunStatus status = client.status();
            assertThat(status.step()).isGreaterThanOrEqualTo(5);
            assertThat(status.lr()).isEqualTo(SCHEDULE_LR);
            assertThat(status.ranks()).extracting(RunStatus.Rank::rank).containsExactly(0, 1);
            assertThat(status.ranks()).allSatisfy(r -> assertThat(r.address()).startsWith("127.0.0.1:"));
            assertThat(status.members()).hasSize(3);
            assertThat(status.paused()).isFalse();
            assertThat(console(run, "status")).isZero();

            // pause: the open step finishes, then nothing more is trained.
            assertThat(console(run, "pause")).isZero();
            await("the run rests", 20, () -> client.status().paused() && stableFor(run, 1000));
            long pausedAt = lines(run.resolve("metrics.jsonl"));
            assertThat(client.status().step()).isEqualTo(pausedAt);
            assertThat(console(run, "pause")).as("pausing twice is refused").isEqualTo(1);

            // set lr while paused: every step from the pause on uses it; then resume.
            assertThat(console(run, "set lr " + OPERATOR_LR)).isZero();
            assertThat(client.status().lr()).isEqualTo(OPERATOR_LR);
            assertThat(console(run, "resume")).isZero();
            await("the run trains again", 30, () -> lines(run.resolve("metrics.jsonl")) >= pausedAt + 5);
            assertThat(client.status().paused()).isFalse();

            // checkpoint on demand: a checkpoint folder appears while the run goes on.
            assertThat(checkpoints(run)).isEmpty();
            assertThat(console(run, "checkpoint")).isZero();
            await("an on-demand checkpoint", 30, () -> !checkpoints(run).isEmpty());
            assertThat(client.status().lastCheckpoint()).isNotNull();

            // drain: rank 1 leaves after the current step, rank 0 takes its share; the last one cannot leave.
            assertThat(console(run, "drain 1")).isZero();
            await("rank 1 to leave", 30, () -> client.status().ranks().size() == 1);
            assertThat(client.status().ranks()).extracting(RunStatus.Rank::rank).containsExactly(0);
            long drainedAt = lines(run.resolve("metrics.jsonl"));
            await("training with one rank", 30, () -> lines(run.resolve("metrics.jsonl")) >= drainedAt + 5);
            assertThat(console(run, "drain 0")).as("the last trainer cannot be drained").isEqualTo(1);

            // a wrong token is refused (by the console and by the endpoint itself).
            Path wrong = tmp.resolve("wrong.token");
            Files.writeString(wrong, "00".repeat(32));
            assertThat(Main.run("console", "--run-dir", run.toString(), "--token-file", wrong.toString(),
                    "--exec", "stop")).isNotZero();
            assertThatThrownBy(() -> new ControlClient(Files.readString(run.resolve("control.address")).strip(),
                    ControlToken.readFrom(wrong)).status()).hasMessageContaining("wrong control token");
            assertThat(train).as("the refused stop did nothing").isNotDone();

            // stop: a final checkpoint at the step boundary, then the run ends cleanly (exit 0).
            assertThat(console(run, "stop")).isZero();
            assertThat(train.get(60, TimeUnit.SECONDS)).isZero();
        } finally {
            if (!train.isDone()) {
                Main.run("console", "--run-dir", run.toString(), "--exec", "stop");
                train.get(60, TimeUnit.SECONDS);
            }
        }
        List<StepRecord> steps = MetricsJsonl.read(run.resolve("metrics.jsonl"));
        long pausedAt = steps.stream().filter(s -> s.lr() == OPERATOR_LR).findFirst().orElseThrow().step();
        assertThat(steps).allSatisfy(s -> assertThat(s.lr()).isEqualTo(s.step() < pausedAt ? SCHEDULE_LR : OPERATOR_LR));
        // every step trained its whole global batch, before and after the drain: each epoch exactly once
        java.util.TreeMap<Long, Integer> perEpoch = new java.util.TreeMap<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            JsonNode r = new ObjectMapper().readTree(line);
            assertThat(r.get("samples").asInt()).isEqualTo(8);
            perEpoch.merge(r.get("epoch").asLong(), 8, Integer::sum);
        }
        perEpoch.remove(perEpoch.lastKey());   // the last epoch may be partial
        assertThat(perEpoch.values()).allSatisfy(n -> assertThat(n).isEqualTo(64));
        assertThat(steps).extracting(StepRecord::step).doesNotHaveDuplicates().hasSize((int) (steps.get(steps.size() - 1)
                .step() + 1));
        Path last = checkpoints(run).get(checkpoints(run).size() - 1);
        assertThat(last.getFileName().toString()).isEqualTo(String.format("step-%08d", steps.size()));
        JsonNode coordinator = new ObjectMapper().readTree(last.resolve("coordinator.json").toFile());
        assertThat(coordinator.get("lr_override").asDouble()).isEqualTo(OPERATOR_LR);
        assertThat(run.resolve("encoder.safetensors")).exists();
    }

    private static int console(Path run, String command) {
        return Main.run("console", "--run-dir", run.toString(), "--exec", command);
    }

    private static long lines(Path file) {
        try {
            if (!Files.exists(file)) {
                return 0;
            }
            byte[] b = Files.readAllBytes(file);
            long n = 0;
            for (byte x : b) {
                n += x == '\n' ? 1 : 0;
            }
            return n;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static boolean stableFor(Path run, long ms) {
        long before = lines(run.resolve("metrics.jsonl"));
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return lines(run.resolve("metrics.jsonl")) == before;
    }

    private static List<Path> checkpoints(Path run) {
        Path dir = run.resolve("checkpoints");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().matches("step-\\d{8}")).sorted().toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void await(String what, long seconds, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + seconds + " s waiting for " + what);
            }
            Thread.sleep(100);
        }
    }
}
