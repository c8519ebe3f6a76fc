package org.un2clip.actors.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.un2clip.actors.aggregator.ShardProtocol;
import org.un2clip.actors.checkpoint.CheckpointStore;
import org.un2clip.actors.checkpoint.TrainingState;
import org.un2clip.actors.objective.Objectives;
import org.un2clip.actors.plan.LossScaler;
import org.un2clip.actors.plan.RunPlan;
import org.un2clip.actors.plan.ShardLayout;
import org.un2clip.actors.trainer.TrainerProtocol;
import org.un2clip.conf.Un2clipConfig;

/**
 * The Coordinator's own decisions under interleavings chosen by the test: its shards are scripted stand-ins
 * ({@link ShardFactory}) and its trainers are probes, so every message a shard or trainer would send arrives
 * exactly when and in the order the test says. Serialize-messages is on.
 */
class CoordinatorScriptTest {
    static final ActorTestKit kit = ActorTestKit.create(ConfigFactory.parseString(
            "pekko.actor.serialize-messages = on").withFallback(ConfigFactory.load()));
    static long run = 5000;

    @TempDir
    Path tmp;

    @AfterAll
    static void stop() {
        kit.shutdownTestKit();
    }

    /**
     * A step's gradient norm (Σg² over shards) and loss (Σ over ranks) are added in shard and rank order whatever
     * order the reports arrive in. The parts are chosen so that float addition's order shows: Σg² parts 3, 2⁻⁵²,
     * 2⁻⁵² change the clip coefficient's bits when the small ones are added first; loss parts 10¹⁶, 1, −10¹⁶ sum
     * to 0 in rank order and to 1 when the big ones cancel first.
     */
    @Test
    void aStepsNormAndLossAreSummedInIndexOrderWhateverTheArrivalOrder() throws Exception {
        double tiny = Math.ulp(1.0);
        double[] squares = {3.0, tiny, tiny};
        double[] losses = {1e16, 1, -1e16};
        RunPlan plan = plan(3, 3, 1, 0.5, false);
        double clipInOrder = plan.clipCoefficient(Math.sqrt((squares[0] + squares[1]) + squares[2]));
        double lossInOrder = ((losses[0] + losses[1]) + losses[2]) / 3;
        // The parts tell orders apart: an implementation that summed as reports arrive would fail below.
        assertThat(plan.clipCoefficient(Math.sqrt((squares[2] + squares[1]) + squares[0]))).isNotEqualTo(clipInOrder);
        assertThat((losses[2] + losses[0]) + losses[1]).isNotEqualTo(lossInOrder * 3);

        for (int[] order : permutations(3)) {
            Script s = new Script(plan(3, 3, 1, 0.5, false), "checkpoint.every-steps=0");
            s.begin();
            s.norms(0, squares, order);
            for (ShardProtocol.Apply apply : s.applies(0)) {
                assertThat(apply.clipCoefficient()).as("clip coefficient, norms arriving in order %s",
                        Arrays.toString(order)).isEqualTo(clipInOrder);
            }
            for (int r : order) {
                s.stepDone(0, r, losses[r]);
            }
            s.applied(0);
            s.snapshotRequested(1);
            s.answerSnapshot(1);
            RunResult result = s.done.get(30, TimeUnit.SECONDS);
            assertThat(result.lastLoss()).as("loss, reports arriving in order %s", Arrays.toString(order))
                    .isEqualTo(lossInOrder);
        }
    }

    /**
     * Dynamic loss scaling: a checkpoint holds the scaler its step boundary had, even when the next step's norm
     * (which decides the scale after it) arrives while the shards' states for the checkpoint are still being
     * gathered. Step 1's gradient is not finite, so the scale halves right then; a checkpoint that took the
     * scaler when its last shard answered would hold step 2's scale, and a resume from it would halve twice.
     */
    @Test
    void aCheckpointHoldsTheLossScaleOfItsBoundaryWhenTheNextStepIsDecidedMeanwhile() throws Exception {
        RunPlan plan = plan(1, 2, 3, 0, true);
        Script s = new Script(plan, "checkpoint.every-steps=1", "checkpoint.keep=10");
        s.begin();
        boolean[] finite = {true, false, true};
        s.norms(0, normsWhere(finite[0]), 1, 0);
        for (int step = 0; step < 3; step++) {
            boolean skip = !finite[step];
            assertThat(s.applies(step)).as("step %d skipped", step).allMatch(a -> a.skip() == skip);
            s.applied(step);
            s.snapshotRequested(step + 1);
            s.stepDone(step, 0, 0.5);
            if (step + 1 < 3) {
                // The next step's norms, and with them the scale after it, while the checkpoint is gathered.
                s.norms(step + 1, normsWhere(finite[step + 1]), step % 2, 1 - step % 2);
            }
            s.answerSnapshot(step + 1);
        }
        s.done.get(30, TimeUnit.SECONDS);
        s.nextFromTrainer(0, TrainerProtocol.Shutdown.class);

        LossScaler expected = new LossScaler(plan.lossScale(), 0);
        List<TrainingState> checkpoints = s.checkpoints();
        assertThat(checkpoints).extracting(TrainingState::step).containsExactly(1L, 2L, 3L);
        List<TrainerProtocol.LossScale> told = s.lossScalesToldToRank0();
        for (int step = 0; step < 3; step++) {
            expected = expected.after(finite[step], plan.lossScaleGrowthInterval());
            TrainingState c = checkpoints.get(step);
            assertThat(c.lossScale()).as("loss scale in the checkpoint of step %d", step + 1)
                    .isEqualTo(expected.scale());
            assertThat(c.lossScaleGoodSteps()).as("good steps in the checkpoint of step %d", step + 1)
                    .isEqualTo(expected.goodSteps());
        }
        // What the trainer was told agrees: step s ran at the scale that the checkpoint of boundary s holds.
        assertThat(told).extracting(TrainerProtocol.LossScale::step).containsExactly(0L, 1L, 2L);
        for (TrainerProtocol.LossScale t : told.subList(1, 3)) {
            assertThat(t.scale()).isEqualTo(checkpoints.get((int) t.step() - 1).lossScale());
        }
    }

    /**
     * The pause handshake: once paused, no update that would let a trainer start the pause step is sent before
     * every live trainer promised to hold there (a trainer starts step s when it has the update of s − 1). A stale
     * promise does not count. Paused at the boundary, a checkpoint is written at once; a resume sends what waited.
     */
    @Test
    void aPauseDefersTheUpdateThatEnablesThePauseStepUntilEveryTrainerHolds() throws Exception {
        Script s = new Script(plan(2, 2, 5, 0, false));
        s.begin();
        s.plainStep(0);

        TestProbe<CoordinatorProtocol.OperatorReply> operator = kit.createTestProbe();
        s.coordinator.tell(new CoordinatorProtocol.Pause(operator.getRef()));
        assertThat(operator.receiveMessage().accepted()).isTrue();
        for (int r = 0; r < 2; r++) {
            assertThat(s.nextFromTrainer(r, TrainerProtocol.Hold.class).fromStep()).isEqualTo(2);
        }
        // Step 1 is reduced; its update would let a trainer start step 2.
        s.norms(1, new double[] {1, 1}, 1, 0);
        s.coordinator.tell(new CoordinatorProtocol.HoldAck(0, 2));
        s.coordinator.tell(new CoordinatorProtocol.HoldAck(1, 3));     // a promise for another pause step
        for (TestProbe<ShardProtocol.Command> shard : s.shards) {
            shard.expectNoMessage(Duration.ofMillis(300));
        }
        s.coordinator.tell(new CoordinatorProtocol.HoldAck(1, 2));
        s.applies(1);
        s.applied(1);
        s.stepDone(1, 0, 1);
        s.stepDone(1, 1, 1);

        CoordinatorProtocol.Status held = s.status();
        assertThat(held.paused()).isTrue();
        assertThat(held.step()).isEqualTo(2);
        s.coordinator.tell(new CoordinatorProtocol.CheckpointNow(operator.getRef()));
        assertThat(operator.receiveMessage().message()).contains("step 2");
        s.snapshotRequested(2);
        s.answerSnapshot(2);
        s.awaitCheckpoint(2);
        assertThat(s.checkpoints()).extracting(TrainingState::step).containsExactly(2L);

        s.coordinator.tell(new CoordinatorProtocol.Resume(operator.getRef()));
        assertThat(operator.receiveMessage().accepted()).isTrue();
        for (int r = 0; r < 2; r++) {
            s.nextFromTrainer(r, TrainerProtocol.Release.class);
        }
        s.norms(2, new double[] {1, 1}, 0, 1);
        s.applies(2);
    }

    /**
     * A trainer lost in the middle of a step: the step is re-planned over the others under a new plan generation,
     * and what was reported for it under the old one (a shard's norm that comes late, the survivor's first
     * report, the lost rank's report) no longer counts: the update waits for every shard's norm of the new plan,
     * and the step's loss is the survivor's new report alone.
     */
    @Test
    void aStepReplannedAfterALostTrainerCountsOnlyReportsOfTheNewPlan() throws Exception {
        Script s = new Script(plan(2, 2, 5, 0, false));
        s.begin();
        s.plainStep(0);

        s.stepDone(1, 0, 0, 100, 1);                   // rank 0's share under plan 0
        s.coordinator.tell(new CoordinatorProtocol.GradientNorm(1, 0, 0, 1));
        s.coordinator.tell(new CoordinatorProtocol.TrainerLost(1, "lost in the test"));
        for (int k = 0; k < 2; k++) {
            ShardProtocol.Replan replan = s.next(k, ShardProtocol.Replan.class);
            assertThat(replan.fromStep()).isEqualTo(1);
            assertThat(replan.generation()).isEqualTo(1);
            assertThat(replan.live()).containsExactly(0);
        }
        assertThat(s.nextFromTrainer(0, TrainerProtocol.Replan.class).live()).containsExactly(0);
        s.nextFromTrainer(1, TrainerProtocol.Shutdown.class);

        s.coordinator.tell(new CoordinatorProtocol.GradientNorm(1, 0, 1, 1));     // late, of plan 0
        s.stepDone(1, 0, 1, 50, 1);                    // the lost rank's report of its old share, late
        s.coordinator.tell(new CoordinatorProtocol.GradientNorm(1, 1, 0, 1));
        for (TestProbe<ShardProtocol.Command> shard : s.shards) {
            shard.expectNoMessage(Duration.ofMillis(300));
        }
        s.coordinator.tell(new CoordinatorProtocol.GradientNorm(1, 1, 1, 1));
        s.applies(1);
        s.applied(1);
        s.stepDone(1, 1, 0, 4, 2);                     // the whole step, under plan 1
        CoordinatorProtocol.Status after = s.awaitStep(2);
        assertThat(after.loss()).isEqualTo(4.0 / 2);
        assertThat(after.ranks()).extracting(CoordinatorProtocol.RankStatus::rank).containsExactly(0);
    }

    /** Two shards' Σg²: shard 0's is NaN for a step whose gradient is not finite. */
    private static double[] normsWhere(boolean finite) {
        return new double[] {finite ? 1.0 : Double.NaN, 1.0};
    }

    private static RunPlan plan(int trainers, int shards, int steps, double clipGradNorm, boolean dynamicScale) {
        return new RunPlan(run++, trainers, shards, trainers, 1, steps, 42, false, 0, 0.1, 0.01, 0.9, 0.999, 1e-8,
                "constant", 0, clipGradNorm, 1024, "toy", 64, dynamicScale, 1);
    }

    private static List<int[]> permutations(int n) {
        List<int[]> out = new ArrayList<>();
        permute(new int[n], new boolean[n], 0, out);
        return out;
    }

    private static void permute(int[] prefix, boolean[] used, int at, List<int[]> out) {
        if (at == prefix.length) {
            out.add(prefix.clone());
            return;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (!used[i]) {
                used[i] = true;
                prefix[at] = i;
                permute(prefix, used, at + 1, out);
                used[i] = false;
            }
        }
    }

    /** One coordinator, its scripted shards and probe trainers; messages are sent when a method says so. */
    private final class Script {
        private static final Duration WAIT = Duration.ofSeconds(10);
        final RunPlan plan;
        final CompletableFuture<RunResult> done = new CompletableFuture<>();
        final List<TestProbe<ShardProtocol.Command>> shards = new ArrayList<>();
        final List<TestProbe<TrainerProtocol.Command>> trainers = new ArrayList<>();
        /** Every message a probe received that a {@link #next} call passed over, by probe. */
        final List<List<Object>> passedOver = new ArrayList<>();
        final Path runDir;
        final ActorRef<CoordinatorProtocol.Command> coordinator;
        ShardLayout layout;

        Script(RunPlan plan, String... settings) {
            this.plan = plan;
            this.runDir = tmp.resolve("run-" + plan.runId());
            List<String> keys = new ArrayList<>(List.of("run.dir=" + runDir, "train.objective=toy", "train.toy.dim=9",
                    "train.stall-floor=10m"));
            keys.addAll(List.of(settings));
            var config = Un2clipConfig.load(Optional.empty(), keys);
            for (int k = 0; k < plan.shards(); k++) {
                shards.add(kit.createTestProbe());
                passedOver.add(new ArrayList<>());
            }
            for (int r = 0; r < plan.trainers(); r++) {
                trainers.add(kit.createTestProbe());
                passedOver.add(new ArrayList<>());
            }
            ShardFactory scripted = (shard, shardLayout, optimizer, runId, coordinator) -> {
                layout = shardLayout;
                return Behaviors.monitor(ShardProtocol.Command.class, shards.get(shard).getRef(), Behaviors.ignore());
            };
            coordinator = kit.spawn(Coordinator.create(plan, RunSettings.from(config), scripted, Objectives.of(config),
                    Optional.empty(), null, done), "coordinator-" + plan.runId());
        }

        void begin() {
            for (int k = 0; k < plan.shards(); k++) {
                coordinator.tell(new CoordinatorProtocol.ShardReady(k, "ipc"));
            }
            for (int r = 0; r < plan.trainers(); r++) {
                coordinator.tell(new CoordinatorProtocol.RegisterTrainer(r, trainers.get(r).getRef(), "ipc"));
            }
            for (int k = 0; k < plan.shards(); k++) {
                assertThat(next(k, ShardProtocol.Begin.class).startStep()).isZero();
            }
            for (int r = 0; r < plan.trainers(); r++) {
                assertThat(nextFromTrainer(r, TrainerProtocol.Begin.class).startStep()).isZero();
            }
        }

        /** {@code step} runs start to end in shard and rank order: every norm 1, every rank one sample of loss 1. */
        void plainStep(long step) {
            for (int k = 0; k < plan.shards(); k++) {
                coordinator.tell(new CoordinatorProtocol.GradientNorm(step, 0, k, 1));
            }
            applies(step);
            applied(step);
            for (int r = 0; r < plan.trainers(); r++) {
                stepDone(step, r, 1);
            }
        }

        /** The shards' Σg² of {@code step}, arriving in {@code order}. */
        void norms(long step, double[] squares, int... order) {
            for (int k : order) {
                coordinator.tell(new CoordinatorProtocol.GradientNorm(step, 0, k, squares[k]));
            }
        }

        /** Each shard's next Apply, which must be of {@code step}. */
        List<ShardProtocol.Apply> applies(long step) {
            List<ShardProtocol.Apply> out = new ArrayList<>();
            for (int k = 0; k < plan.shards(); k++) {
                out.add(next(k, ShardProtocol.Apply.class));
                assertThat(out.get(k).step()).isEqualTo(step);
            }
            return out;
        }

        /** Every shard reports {@code step} applied. */
        void applied(long step) {
            for (int k = 0; k < plan.shards(); k++) {
                coordinator.tell(new CoordinatorProtocol.ShardApplied(step, k));
            }
        }

        void stepDone(long step, int rank, double lossSum) {
            stepDone(step, 0, rank, lossSum, 1);
        }

        void stepDone(long step, int generation, int rank, double lossSum, int samples) {
            coordinator.tell(new CoordinatorProtocol.StepDone(step, generation, rank, lossSum, samples, 0, 0, 0, 0, 0));
        }

        /** Each shard's next Snapshot request, which must be of {@code step}. */
        void snapshotRequested(long step) {
            for (int k = 0; k < plan.shards(); k++) {
                assertThat(next(k, ShardProtocol.Snapshot.class).step()).isEqualTo(step);
            }
        }

        /** Every shard answers the snapshot of {@code step} with its state. */
        void answerSnapshot(long step) {
            for (int k = 0; k < plan.shards(); k++) {
                float[] slice = new float[layout.length(k)];
                Arrays.fill(slice, k + step);
                coordinator.tell(new CoordinatorProtocol.ShardState(step, k, slice, slice.clone(), slice.clone(),
                        step));
            }
        }

        /** Shard {@code k}'s next message of {@code type}; the ones before it are kept in {@link #passedOver}. */
        <T> T next(int k, Class<T> type) {
            return next(shards.get(k), passedOver.get(k), type);
        }

        <T> T nextFromTrainer(int r, Class<T> type) {
            return next(trainers.get(r), passedOver.get(plan.shards() + r), type);
        }

        private <M, T> T next(TestProbe<M> probe, List<Object> passed, Class<T> type) {
            while (true) {
                M m = probe.receiveMessage(WAIT);
                if (type.isInstance(m)) {
                    return type.cast(m);
                }
                passed.add(m);
            }
        }

        /** The loss scales rank 0 was told, in order, among the messages {@link #next} passed over. */
        List<TrainerProtocol.LossScale> lossScalesToldToRank0() {
            return passedOver.get(plan.shards()).stream().filter(TrainerProtocol.LossScale.class::isInstance)
                    .map(TrainerProtocol.LossScale.class::cast).toList();
        }

        CoordinatorProtocol.Status status() {
            TestProbe<CoordinatorProtocol.Status> probe = kit.createTestProbe();
            coordinator.tell(new CoordinatorProtocol.GetStatus(probe.getRef()));
            return probe.receiveMessage(WAIT);
        }

        /** Until the coordinator heard that the checkpoint of {@code step} is written (the checkpointer's own time). */
        void awaitCheckpoint(long step) throws InterruptedException {
            awaitStatus("checkpoint of step " + step + " written", st -> st.lastCheckpointStep() >= step);
        }

        /** Until {@code step} steps are complete; the status then. */
        CoordinatorProtocol.Status awaitStep(long step) throws InterruptedException {
            return awaitStatus(step + " steps complete", st -> st.step() >= step);
        }

        private CoordinatorProtocol.Status awaitStatus(String what, Predicate<CoordinatorProtocol.Status> until)
                throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            CoordinatorProtocol.Status st;
            while (!until.test(st = status())) {
                assertThat(System.nanoTime()).as(what + " within " + WAIT).isLessThan(deadline);
                Thread.sleep(10);
            }
            return st;
        }

        /** The run's checkpoints, oldest first. */
        List<TrainingState> checkpoints() throws Exception {
            CheckpointStore store = new CheckpointStore(runDir.resolve("checkpoints"), 10);
            List<TrainingState> out = new ArrayList<>();
            for (Path p : store.list()) {
                out.add(0, store.load(p));     // list() is newest first
            }
            return out;
        }
    }
}
