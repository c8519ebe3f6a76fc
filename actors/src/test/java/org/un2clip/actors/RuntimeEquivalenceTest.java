package org.un2clip.actors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.typesafe.config.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.un2clip.actors.checkpoint.CheckpointStore;
import org.un2clip.actors.coordinator.RunResult;
import org.un2clip.actors.objective.Objectives;
import org.un2clip.actors.plan.RunPlan;
import org.un2clip.actors.trainer.DataLoader;
import org.un2clip.conf.Un2clipConfig;
import org.un2clip.model.step.StepFunction;
import org.un2clip.model.step.TrainingBatch;

/** The whole runtime in one JVM (actors, Kryo with serialize-messages on, Aeron IPC) against a bare loop. */
class RuntimeEquivalenceTest {
    @TempDir
    Path tmp;

    private Config config(Path dir, String... more) {
        List<String> o = new ArrayList<>(List.of("run.dir=" + dir, "train.steps=5", "train.global-batch=8",
                "train.micro-batch=2", "train.lr=0.05", "train.weight-decay=0.01", "train.toy.dim=96",
                "train.toy.dataset-size=64", "train.shards=3", "train.clip-grad-norm=5.0",
                "train.lr-schedule=cosine", "train.warmup-steps=2", "pekko.actor.serialize-messages=on"));
        o.addAll(List.of(more));
        return Un2clipConfig.load(Optional.empty(), o);
    }

    private RunResult run(String name, String... more) {
        return InProcessRun.run(config(tmp.resolve(name), more), false, null);
    }

    static float[] bareLoop(Config c) {
        return BareLoop.run(c, null);
    }

    @Test
    void oneTrainerMatchesTheBareLoopAndTwoAndFourTrainersAgreeWithinFloatTolerance() throws Exception {
        RunResult w1 = run("w1", "train.trainers=1");
        float[] bare = bareLoop(config(tmp.resolve("bare")));
        float[] initial = new float[bare.length];
        Objectives.of(config(tmp)).create().initialParameters(java.nio.FloatBuffer.wrap(initial));
        assertThat(w1.parameters()).isNotEqualTo(initial);                  // it trained
        assertThat(maxDiff(w1.parameters(), bare)).isLessThan(1e-6f);
        RunResult w2 = run("w2", "train.trainers=2");
        RunResult w4 = run("w4", "train.trainers=4");
        assertThat(maxDiff(w2.parameters(), w1.parameters())).isLessThan(1e-4f);
        assertThat(maxDiff(w4.parameters(), w1.parameters())).isLessThan(1e-4f);
        assertThat(w4.lastLoss()).isCloseTo(w1.lastLoss(), within(1e-4));

        List<String> lines = Files.readAllLines(tmp.resolve("w2/metrics.jsonl"));
        assertThat(lines).hasSize(5);
        assertThat(lines.get(4)).contains("\"step\":4").contains("\"loss\"").contains("\"lr\"")
                .contains("\"images_per_s\"").contains("\"bytes\"");
        assertThat(tmp.resolve("w2/encoder.safetensors")).exists();
    }

    @Test
    void theSameWorldSizeTwiceIsBitIdenticalAndAsyncWithZeroStalenessIsSync() throws Exception {
        RunResult a = run("a", "train.trainers=2");
        RunResult b = run("b", "train.trainers=2");
        assertThat(b.parameters()).isEqualTo(a.parameters());
        assertThat(Files.readAllBytes(tmp.resolve("b/encoder.safetensors")))
                .isEqualTo(Files.readAllBytes(tmp.resolve("a/encoder.safetensors")));
        RunResult async0 = run("c", "train.trainers=2", "train.mode=async", "train.staleness=0");
        assertThat(async0.parameters()).isEqualTo(a.parameters());
    }

    @Test
    void stoppedAfterStepThreeAndResumedEqualsTheUninterruptedRunBitForBit() throws Exception {
        RunResult full = run("full", "train.trainers=2");
        Path dir = tmp.resolve("resumed");
        InProcessRun.run(config(dir, "train.trainers=2", "train.steps=3"), false, null);
        Path other = tmp.resolve("resumed-w4");
        copyTree(dir.resolve("checkpoints"), other.resolve("checkpoints"));
        RunResult resumed = InProcessRun.run(config(dir, "train.trainers=2"), true, null);
        assertThat(resumed.parameters()).isEqualTo(full.parameters());
        // Checkpoints hold the full flat vector, not shards: another world size resumes it (summation order only).
        RunResult resumedW4 = InProcessRun.run(config(other, "train.trainers=4", "train.shards=2"), true, null);
        assertThat(maxDiff(resumedW4.parameters(), full.parameters())).isLessThan(1e-4f);
        assertThat(new CheckpointStore(dir.resolve("checkpoints"), 3).list()).hasSize(2);
    }

    @Test
    void checkpointsEveryNStepsAndEveryTPeriodKeepTheNewestK() throws Exception {
        run("n", "train.trainers=1", "checkpoint.every-steps=2", "checkpoint.keep=2");
        assertThat(new CheckpointStore(tmp.resolve("n/checkpoints"), 2).list())
                .extracting(p -> p.getFileName().toString()).containsExactly("step-00000005", "step-00000004");
        // Every step takes at least 4 × 2 ms (4 micro-batches): each one is past the 1 ms period when it ends.
        run("t", "train.trainers=1", "checkpoint.every-time=1ms", "train.toy.min-step-time=2ms", "checkpoint.keep=10");
        assertThat(new CheckpointStore(tmp.resolve("t/checkpoints"), 10).list()).hasSize(5);
    }

    @Test
    void aNonFiniteGradientSkipsTheUpdateEverywhere() throws Exception {
        RunResult r = run("inf", "train.trainers=2", "train.loss-scale=1e38");
        float[] initial = new float[r.parameters().length];
        Objectives.of(config(tmp)).create().initialParameters(java.nio.FloatBuffer.wrap(initial));
        assertThat(r.parameters()).isEqualTo(initial);
        assertThat(Files.readAllLines(tmp.resolve("inf/metrics.jsonl"))).allMatch(l -> l.contains("\"skipped\":true"));
    }

    @Test
    void dynamicLossScalingByPowersOfTwoTrainsTheSameBitsAsNoScaling() throws Exception {
        RunResult plain = run("plain", "train.trainers=2");
        RunResult scaled = run("scaled", "train.trainers=2", "train.loss-scale=1024", "train.loss-scale-dynamic=true",
                "train.loss-scale-growth-interval=2");
        // Scaling by 2^k and dividing by G·2^k is exact: the scale is divided out bit for bit.
        assertThat(scaled.parameters()).isEqualTo(plain.parameters());
        List<com.fasterxml.jackson.databind.JsonNode> m = metrics(tmp.resolve("scaled"));
        assertThat(m).extracting(l -> l.get("loss_scale").asDouble()).containsExactly(1024.0, 1024.0, 2048.0, 2048.0,
                4096.0);
        assertThat(m).allMatch(l -> !l.get("skipped").asBoolean());
    }

    @Test
    void dynamicLossScalingSkipsOverflowingStepsHalvesGrowsAndResumesBitForBit() throws Exception {
        String[] dynamic = {"train.trainers=2", "train.steps=48", "train.loss-scale=1.7014118346046923E38",
            "train.loss-scale-dynamic=true", "train.loss-scale-growth-interval=3", "checkpoint.every-steps=1",
            "checkpoint.keep=48"};
        RunResult full = run("dyn", dynamic);
        List<com.fasterxml.jackson.databind.JsonNode> m = metrics(tmp.resolve("dyn"));
        assertThat(m).hasSize(48);
        assertThat(m.get(0).get("skipped").asBoolean()).as("2^127 overflows the first step").isTrue();
        assertThat(m.get(47).get("skipped").asBoolean()).as("the scale came down and steps train").isFalse();
        // The scale follows the rule step by step: halve after a skipped step, double after 3 finite in a row.
        List<org.un2clip.actors.plan.LossScaler> before = new ArrayList<>();   // the scaler each step starts with
        org.un2clip.actors.plan.LossScaler s = new org.un2clip.actors.plan.LossScaler(m.get(0).get("loss_scale").asDouble(), 0);
        for (com.fasterxml.jackson.databind.JsonNode line : m) {
            assertThat(line.get("loss_scale").asDouble()).as("step %s", line.get("step")).isEqualTo(s.scale());
            before.add(s);
            s = s.after(!line.get("skipped").asBoolean(), 3);
        }
        before.add(s);
        // Every checkpoint (one per step) holds the scaler the next step starts with, not a later one: the next
        // step's norms often reach the coordinator before the last shard's state for the checkpoint does.
        CheckpointStore store = new CheckpointStore(tmp.resolve("dyn/checkpoints"), 48);
        assertThat(store.list()).hasSize(48);
        for (Path p : store.list()) {
            var c = new com.fasterxml.jackson.databind.ObjectMapper().readTree(p.resolve("coordinator.json").toFile());
            org.un2clip.actors.plan.LossScaler expected = before.get(c.get("step").asInt());
            assertThat(c.get("loss_scale").asDouble()).as("loss scale in %s", p).isEqualTo(expected.scale());
            assertThat(c.get("loss_scale_good_steps").asInt()).as("finite steps in %s", p)
                    .isEqualTo(expected.goodSteps());
        }
        float[] initial = new float[full.parameters().length];
        Objectives.of(config(tmp)).create().initialParameters(java.nio.FloatBuffer.wrap(initial));
        assertThat(full.parameters()).isNotEqualTo(initial);
        // Resume from a checkpoint taken in the middle of a growth interval (its count of finite steps matters).
        Path mid = null;
        for (Path p : store.list()) {
            var c = new com.fasterxml.jackson.databind.ObjectMapper().readTree(p.resolve("coordinator.json").toFile());
            if (c.get("loss_scale_good_steps").asInt() > 0 && c.get("step").asInt() < 15) {
                mid = p;
            }
        }
        assertThat(mid).as("a checkpoint with finite steps counted toward growth").isNotNull();
        Path resumedDir = tmp.resolve("dyn-resumed");
        copyTree(mid, resumedDir.resolve("checkpoints").resolve(mid.getFileName().toString()));
        RunResult resumed = InProcessRun.run(config(resumedDir, dynamic), true, null);
        assertThat(resumed.parameters()).isEqualTo(full.parameters());
        List<com.fasterxml.jackson.databind.JsonNode> after = metrics(resumedDir);
        List<com.fasterxml.jackson.databind.JsonNode> tail = m.subList(m.size() - after.size(), m.size());
        assertThat(after).extracting(l -> l.get("loss_scale").asDouble() + "/" + l.get("skipped").asBoolean())
                .containsExactlyElementsOf(tail.stream().map(l -> l.get("loss_scale").asDouble() + "/"
                        + l.get("skipped").asBoolean()).toList());
    }

    @Test
    void dynamicLossScalingInAsyncModeIsAClearError() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RunPlan.from(config(tmp, "train.mode=async",
                "train.staleness=1", "train.loss-scale-dynamic=true")))
                .hasMessageContaining("train.loss-scale-dynamic needs train.mode = sync");
    }

    private static List<com.fasterxml.jackson.databind.JsonNode> metrics(Path run) throws java.io.IOException {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        List<com.fasterxml.jackson.databind.JsonNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            out.add(json.readTree(l));
        }
        return out;
    }

    @Test
    void asyncWithStalenessTrainsAndStaysClose() throws Exception {
        RunResult sync = run("s", "train.trainers=2");
        RunResult async = run("as", "train.trainers=2", "train.mode=async", "train.staleness=2");
        assertThat(async.parameters()).hasSameSizeAs(sync.parameters());
        assertThat(Double.isFinite(async.lastLoss())).isTrue();
        assertThat(maxDiff(async.parameters(), sync.parameters())).isLessThan(0.5f);
    }

    static void copyTree(Path from, Path to) throws java.io.IOException {
        Files.createDirectories(to.getParent());
        try (var files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Files.copy(p, to.resolve(from.relativize(p).toString()));
            }
        }
    }

    static float maxDiff(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        float m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
