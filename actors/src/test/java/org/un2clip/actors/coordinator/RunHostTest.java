package org.un2clip.actors.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The run host's routing (it is the cluster singleton trainers reach): runs started one after another as its
 * children, messages forwarded by run number, and messages for a run that is over or was never started reaching
 * no Coordinator. Serialize-messages is on, so everything a trainer sends to the host goes through Kryo.
 */
class RunHostTest {
    static final ActorTestKit kit = ActorTestKit.create(ConfigFactory.parseString(
            "pekko.actor.serialize-messages = on").withFallback(ConfigFactory.load()));
    private static final Duration QUIET = Duration.ofMillis(300);

    @AfterAll
    static void stop() {
        kit.shutdownTestKit();
    }

    /** A Coordinator stand-in: shows every command to {@code probe}; an operator's Stop ends it, as it ends a run. */
    private static Behavior<CoordinatorProtocol.Command> standIn(TestProbe<CoordinatorProtocol.Command> probe) {
        return Behaviors.monitor(CoordinatorProtocol.Command.class, probe.getRef(),
                Behaviors.receiveMessage(m -> m instanceof CoordinatorProtocol.Stop ? Behaviors.stopped() : Behaviors.same()));
    }

    private static RunHostProtocol.Started start(ActorRef<RunHostProtocol.Command> host,
            TestProbe<CoordinatorProtocol.Command> coordinator, long runId, String config) {
        TestProbe<RunHostProtocol.Started> started = kit.createTestProbe();
        host.tell(new RunHostProtocol.StartRun(standIn(coordinator), runId, config, started.getRef()));
        return started.receiveMessage();
    }

    private static CoordinatorProtocol.StepDone stepDone(long step) {
        return new CoordinatorProtocol.StepDone(step, 0, 1, 0.5, 4, 1, 2, 3, 4, 5);
    }

    @Test
    void aWaitingTrainerIsToldOfTheRunAndItsMessagesReachThatRunsCoordinator() {
        ActorRef<RunHostProtocol.Command> host = kit.spawn(RunHost.create());
        TestProbe<RunHostProtocol.RunOpen> trainerNode = kit.createTestProbe();
        host.tell(new RunHostProtocol.AwaitRun(0, trainerNode.getRef()));
        trainerNode.expectNoMessage(QUIET);     // no run yet: the trainer waits rather than sends

        TestProbe<CoordinatorProtocol.Command> coordinator = kit.createTestProbe();
        RunHostProtocol.Started run = start(host, coordinator, 77, "train.steps = 3");
        assertThat(run.run()).isEqualTo(1);
        assertThat(trainerNode.receiveMessage())
                .isEqualTo(new RunHostProtocol.RunOpen(1, 77, "train.steps = 3", run.coordinator()));

        // What the trainer holds as its Coordinator: the per-run forwarder (here sending to the host directly).
        ActorRef<CoordinatorProtocol.Command> toRun = kit.spawn(RunHost.addressedTo(host, run.run()));
        toRun.tell(stepDone(4));
        toRun.tell(stepDone(5));
        assertThat(coordinator.receiveMessage()).isEqualTo(stepDone(4));
        assertThat(coordinator.receiveMessage()).isEqualTo(stepDone(5));

        // A trainer node asking while the run is running (a replacement) is told at once.
        TestProbe<RunHostProtocol.RunOpen> late = kit.createTestProbe();
        host.tell(new RunHostProtocol.AwaitRun(0, late.getRef()));
        assertThat(late.receiveMessage().run()).isEqualTo(1);
    }

    @Test
    void successiveRunsGetOnlyTheirOwnMessages() {
        ActorRef<RunHostProtocol.Command> host = kit.spawn(RunHost.create());
        TestProbe<CoordinatorProtocol.Command> first = kit.createTestProbe();
        RunHostProtocol.Started one = start(host, first, 5, "a");
        ActorRef<CoordinatorProtocol.Command> toOne = kit.spawn(RunHost.addressedTo(host, one.run()));

        // The first run ends: its Coordinator stops.
        TestProbe<CoordinatorProtocol.OperatorReply> operator = kit.createTestProbe();
        toOne.tell(new CoordinatorProtocol.Stop(operator.getRef()));
        first.receiveMessage();
        first.expectTerminated(one.coordinator());

        // A session's trainer node asks for the run after the first: nothing until it starts.
        TestProbe<RunHostProtocol.RunOpen> trainerNode = kit.createTestProbe();
        host.tell(new RunHostProtocol.AwaitRun(one.run(), trainerNode.getRef()));
        trainerNode.expectNoMessage(QUIET);

        // The same run id (a session's runs may share run name and seed): the run number tells them apart.
        TestProbe<CoordinatorProtocol.Command> second = kit.createTestProbe();
        RunHostProtocol.Started two = start(host, second, 5, "b");
        assertThat(two.run()).isEqualTo(2);
        assertThat(two.coordinator()).isNotEqualTo(one.coordinator());
        assertThat(trainerNode.receiveMessage()).isEqualTo(new RunHostProtocol.RunOpen(2, 5, "b", two.coordinator()));

        // A late message of the first run's trainer is dropped, not given to the second run.
        toOne.tell(new CoordinatorProtocol.NodeFailed("trainer 1", "stale"));
        ActorRef<CoordinatorProtocol.Command> toTwo = kit.spawn(RunHost.addressedTo(host, two.run()));
        toTwo.tell(stepDone(0));
        assertThat(second.receiveMessage()).isEqualTo(stepDone(0));
        second.expectNoMessage(QUIET);
        first.expectNoMessage(Duration.ZERO);
    }

    @Test
    void runsAreAddressedByNumberWhileTwoAreAlive() {
        ActorRef<RunHostProtocol.Command> host = kit.spawn(RunHost.create());
        TestProbe<CoordinatorProtocol.Command> first = kit.createTestProbe();
        TestProbe<CoordinatorProtocol.Command> second = kit.createTestProbe();
        RunHostProtocol.Started one = start(host, first, 1, "a");
        // The next run may start while the previous Coordinator is still winding down.
        RunHostProtocol.Started two = start(host, second, 2, "b");

        host.tell(new RunHostProtocol.ToRun(two.run(), stepDone(9)));
        host.tell(new RunHostProtocol.ToRun(one.run(), stepDone(8)));
        assertThat(second.receiveMessage()).isEqualTo(stepDone(9));
        assertThat(first.receiveMessage()).isEqualTo(stepDone(8));

        // A waiter is told of the newest run only.
        TestProbe<RunHostProtocol.RunOpen> trainerNode = kit.createTestProbe();
        host.tell(new RunHostProtocol.AwaitRun(0, trainerNode.getRef()));
        assertThat(trainerNode.receiveMessage().run()).isEqualTo(2);
    }

    @Test
    void aMessageForARunNeverStartedReachesNoCoordinator() {
        ActorRef<RunHostProtocol.Command> host = kit.spawn(RunHost.create());
        host.tell(new RunHostProtocol.ToRun(1, stepDone(0)));      // before any run: refused, not kept for run 1
        TestProbe<CoordinatorProtocol.Command> coordinator = kit.createTestProbe();
        RunHostProtocol.Started one = start(host, coordinator, 3, "a");
        host.tell(new RunHostProtocol.ToRun(one.run() + 1, stepDone(1)));
        host.tell(new RunHostProtocol.ToRun(one.run(), stepDone(2)));
        assertThat(coordinator.receiveMessage()).isEqualTo(stepDone(2));
        coordinator.expectNoMessage(QUIET);

        // A waiter told of a run this host never started (another incarnation's run 7) is not told of run 2.
        TestProbe<RunHostProtocol.RunOpen> stale = kit.createTestProbe();
        host.tell(new RunHostProtocol.AwaitRun(7, stale.getRef()));
        start(host, kit.createTestProbe(), 4, "b");
        stale.expectNoMessage(QUIET);
    }
}
