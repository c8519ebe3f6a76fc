package org.un2clip.actors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.typesafe.config.ConfigFactory;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.un2clip.actors.aggregator.GradientShard;
import org.un2clip.actors.aggregator.ShardOptimizer;
import org.un2clip.actors.aggregator.ShardProtocol;
import org.un2clip.actors.coordinator.Coordinator;
import org.un2clip.actors.coordinator.CoordinatorProtocol;
import org.un2clip.actors.coordinator.RunResult;
import org.un2clip.actors.coordinator.RunSettings;
import org.un2clip.actors.coordinator.ShardFactory;
import org.un2clip.actors.objective.Objectives;
import org.un2clip.actors.plan.RunPlan;
import org.un2clip.actors.plan.ShardLayout;
import org.un2clip.actors.trainer.TrainerProtocol;
import org.un2clip.actors.transport.FloatVectors;
import org.un2clip.actors.transport.Streams;
import org.un2clip.actors.transport.TensorLink;
import org.un2clip.actors.transport.TensorPublisher;
import org.un2clip.actors.transport.TensorReceiver;
import org.un2clip.actors.transport.TensorSlot;
import org.un2clip.actors.transport.TransportSettings;

/** Behaviors one at a time with the Pekko TestKit (serialize-messages on), fake peers on real Aeron streams. */
class RuntimeActorsTest {
    static final ActorTestKit kit = ActorTestKit.create(ConfigFactory.parseString(
            "pekko.actor.serialize-messages = on").withFallback(ConfigFactory.load()));
    static TensorLink link;
    static long run = 1000;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        link = TensorLink.embedded(TransportSettings.defaults().withChunkBytes(4096));
    }

    @AfterAll
    static void stop() {
        kit.shutdownTestKit();
        link.close();
    }

    static RunPlan plan(long runId, int trainers, int shards, int steps) {
        return new RunPlan(runId, trainers, shards, 4, 2, steps, 42, false, 0, 0.1, 0.01, 0.9, 0.999, 1e-8,
                "constant", 0, 0.0, 1.0, "toy", 64, false, 2000);
    }

    /** A trainer's parameter stream, received by the test thread. */
    static final class FakeTrainer implements TensorReceiver.Listener {
        final TensorReceiver receiver;
        final TensorSlot slot;
        int completed;

        FakeTrainer(long runId, int rank, int floats) {
            receiver = link.receiver("ipc", Streams.parameters(rank), runId, this);
            slot = new TensorSlot(FloatVectors.allocate(floats), 0, floats, link.settings().chunkFloats());
        }

        float[] await(long version, int shard, int rank, int floats) {
            receiver.expect(slot, version, version, shard, rank, floats);
            int before = completed;
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (completed == before) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no parameters of version " + version + ": " + receiver.counters());
                }
                receiver.poll(16);
            }
            return FloatVectors.toArray(slot.destination());
        }

        @Override
        public void onComplete(TensorSlot s) {
            completed++;
        }

        @Override
        public void onIncomplete(TensorSlot s, String reason) {
            throw new AssertionError(reason);
        }
    }

    static ByteBuffer vector(float... v) {
        ByteBuffer b = FloatVectors.allocate(v.length);
        b.asFloatBuffer().put(v);
        return b;
    }

    @Test
    void aShardSumsInRankOrderReportsTheNormAppliesAdamWAndBroadcasts() {
        long runId = run++;
        ShardLayout layout = new ShardLayout(6, 2);   // shard 1 owns [3, 6)
        TestProbe<CoordinatorProtocol.Command> coordinator = kit.createTestProbe();
        FakeTrainer t0 = new FakeTrainer(runId, 0, 3);
        FakeTrainer t1 = new FakeTrainer(runId, 1, 3);
        ActorRef<ShardProtocol.Command> shard = kit.spawn(GradientShard.create(1, layout,
                ShardOptimizer.fresh(new float[] {1, 2, 3}), link, "ipc", runId, coordinator.getRef()),
                "shard-" + runId, DispatcherSelector.fromConfig("un2clip-data-plane-dispatcher"));
        assertThat(coordinator.expectMessageClass(CoordinatorProtocol.ShardReady.class).shard()).isEqualTo(1);

        RunPlan plan = plan(runId, 2, 2, 3);
        shard.tell(new ShardProtocol.Begin(plan, 0, new String[] {"ipc", "ipc"}));
        assertThat(t0.await(0, 1, 0, 3)).containsExactly(1, 2, 3);
        assertThat(t1.await(0, 1, 1, 3)).containsExactly(1, 2, 3);

        // Rank 1 arrives first; the sum is still rank 0 + rank 1, over the whole flat vector's slice [3, 6).
        try (TensorPublisher p = link.publisher("ipc", Streams.gradients(1), runId)) {
            p.awaitConnected();
            p.send(0, 0, 1, 1, vector(0, 0, 0, 4, 8, 12), 3, 3);
            p.send(0, 0, 1, 0, vector(0, 0, 0, 0, 4, -4), 3, 3);
        }
        float[] avg = {(0 + 4) / 4f, (4 + 8) / 4f, (-4 + 12) / 4f};
        CoordinatorProtocol.GradientNorm norm = coordinator.expectMessageClass(CoordinatorProtocol.GradientNorm.class,
                Duration.ofSeconds(10));
        assertThat(norm.step()).isZero();
        assertThat(norm.sumSquares()).isCloseTo(1 + 9 + 4, within(1e-9));

        shard.tell(new ShardProtocol.Apply(0, 0.1, 0.5, false));
        assertThat(coordinator.expectMessageClass(CoordinatorProtocol.ShardApplied.class))
                .isEqualTo(new CoordinatorProtocol.ShardApplied(0, 1));
        ShardOptimizer expected = ShardOptimizer.fresh(new float[] {1, 2, 3});
        expected.update(new float[] {avg[0] * 0.5f, avg[1] * 0.5f, avg[2] * 0.5f}, 0.1, 0.9, 0.999, 1e-8, 0.01);
        assertThat(t0.await(1, 1, 0, 3)).containsExactly(expected.master());
        assertThat(t1.await(1, 1, 1, 3)).containsExactly(expected.master());

        shard.tell(new ShardProtocol.Snapshot(1, coordinator.getRef()));
        CoordinatorProtocol.ShardState state = coordinator.expectMessageClass(CoordinatorProtocol.ShardState.class);
        assertThat(state.master()).containsExactly(expected.master());
        assertThat(state.expAvgSq()).containsExactly(expected.expAvgSq());
        assertThat(state.adamStep()).isEqualTo(1);
        shard.tell(new ShardProtocol.Shutdown());
        t0.receiver.close();
        t1.receiver.close();
    }

    /** A coordinator (with its real shard) and two probe trainers whose parameter streams the test receives. */
    private record Started(CompletableFuture<RunResult> done, TestProbe<TrainerProtocol.Command> t0,
            TestProbe<TrainerProtocol.Command> t1, FakeTrainer f0, FakeTrainer f1) {}

    private Started startCoordinator(String stepTimeout) {
        return startCoordinator(stepTimeout, c -> { });
    }

    /** As above; {@code beforeRegistration} talks to the coordinator before any trainer registered. */
    private Started startCoordinator(String stepTimeout,
            java.util.function.Consumer<ActorRef<CoordinatorProtocol.Command>> beforeRegistration) {
        long runId = run++;
        RunPlan plan = plan(runId, 2, 1, 5);
        var config = org.un2clip.conf.Un2clipConfig.load(Optional.empty(), java.util.List.of("run.dir=" + tmp,
                "train.toy.dim=8", "train.step-timeout=" + stepTimeout));
        CompletableFuture<RunResult> done = new CompletableFuture<>();
        ActorRef<CoordinatorProtocol.Command> coordinator = kit.spawn(Coordinator.create(plan,
                RunSettings.from(config), ShardFactory.onLink(link, "ipc"), Objectives.of(config), Optional.empty(), null, done),
                "coordinator-" + runId);
        FakeTrainer f0 = new FakeTrainer(runId, 0, 8);
        FakeTrainer f1 = new FakeTrainer(runId, 1, 8);
        TestProbe<TrainerProtocol.Command> t0 = kit.createTestProbe();
        TestProbe<TrainerProtocol.Command> t1 = kit.createTestProbe();
        beforeRegistration.accept(coordinator);
        coordinator.tell(new CoordinatorProtocol.RegisterTrainer(0, t0.getRef(), "ipc"));
        coordinator.tell(new CoordinatorProtocol.RegisterTrainer(1, t1.getRef(), "ipc"));
        TrainerProtocol.Begin begin = (TrainerProtocol.Begin) t0.receiveMessage(Duration.ofSeconds(10));
        assertThat(begin.startStep()).isZero();
        assertThat(begin.plan()).isEqualTo(plan);
        assertThat(f0.await(0, 0, 0, 8)).hasSize(8);   // the shard sent its initial slice
        return new Started(done, t0, t1, f0, f1);
    }

    private static String failure(CompletableFuture<RunResult> done) throws Exception {
        try {
            done.get(20, TimeUnit.SECONDS);
            throw new AssertionError("the run should have failed");
        } catch (ExecutionException e) {
            return e.getCause().getMessage();
        }
    }

    @Test
    void aMemberUnreachableBeforeItsTrainerRegisteredDoesNotStopTheCoordinator() throws Exception {
        // An overloaded machine delays heartbeats: a trainer's node may be unreachable before it registered.
        Started s = startCoordinator("10m", c -> c.tell(new CoordinatorProtocol.MemberUnreachable(
                "pekko://un2clip@10.0.0.9:25521")));
        assertThat(s.done()).isNotDone();     // startCoordinator saw Begin: the run started over both ranks
        s.t0().stop();
        s.t1().stop();
        assertThat(failure(s.done())).contains("every trainer is lost");
    }

    @Test
    void aLostTrainersStepIsReplannedOverTheOthersAndLosingAllFailsTheRun() throws Exception {
        Started s = startCoordinator("10m");
        s.t1().receiveMessage(Duration.ofSeconds(10));   // Begin
        s.t1().stop();
        TrainerProtocol.Replan replan = (TrainerProtocol.Replan) s.t0().receiveMessage(Duration.ofSeconds(10));
        assertThat(replan.fromStep()).isZero();
        assertThat(replan.generation()).isEqualTo(1);
        assertThat(replan.live()).containsExactly(0);
        assertThat(s.done()).isNotDone();
        s.t0().stop();
        assertThat(failure(s.done())).contains("every trainer is lost");
        s.f0().receiver.close();
        s.f1().receiver.close();
    }

    @Test
    void aStalledStepFailsTheRunNamingWhatIsMissing() throws Exception {
        Started s = startCoordinator("1s");
        s.t1().receiveMessage(Duration.ofSeconds(10));   // Begin; nobody sends a gradient
        assertThat(failure(s.done())).contains("step 0 did not complete within 1 s").contains("0 of 2 trainers")
                .contains("late ranks: [0, 1]");
        s.f0().receiver.close();
        s.f1().receiver.close();
    }
}
