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
                "train.lr-schedule=cosine", "train.warmup-steps=2"));
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
        // Resume with a different world size: the checkpoint holds the full flat vector, not shards.
        RunResult resumed = InProcessRun.run(config(dir, "train.trainers=2"), true, null);
        assertThat(resumed.parameters()).isEqualTo(full.parameters());
        assertThat(new CheckpointStore(dir.resolve("checkpoints"), 3).list()).hasSize(2);
    }

    @Test
    void asyncWithStalenessTrainsAndStaysClose() throws Exception {
        RunResult sync = run("s", "train.trainers=2");
        RunResult async = run("as", "train.trainers=2", "train.mode=async", "train.staleness=2");
        assertThat(async.parameters()).hasSameSizeAs(sync.parameters());
        assertThat(Double.isFinite(async.lastLoss())).isTrue();
        assertThat(maxDiff(async.parameters(), sync.parameters())).isLessThan(0.5f);
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
