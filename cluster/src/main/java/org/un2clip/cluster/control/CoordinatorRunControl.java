package org.un2clip.cluster.control;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.un2clip.actors.coordinator.CoordinatorProtocol;

/**
 * The {@link RunControl} of a live run: every command is a question to the Coordinator actor (which
 * decides at its step boundaries), so the endpoint never touches the run's state itself. Members come
 * from this node's view of the Pekko Cluster.
 */
public final class CoordinatorRunControl implements RunControl {
    /** The Coordinator answers between messages; a run busy checkpointing still answers within this. */
    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(10);
    private final ActorSystem<?> system;
    private final ActorRef<CoordinatorProtocol.Command> coordinator;
    private final String run;
    private final RunStatus.Resumed resumedFrom;

    /** @param resumedFrom where this process resumed the run from, or null for a fresh start */
    public CoordinatorRunControl(ActorSystem<?> system, ActorRef<CoordinatorProtocol.Command> coordinator,
            String run, RunStatus.Resumed resumedFrom) {
        this.system = system;
        this.coordinator = coordinator;
        this.run = run;
        this.resumedFrom = resumedFrom;
    }

    @Override
    public CompletionStage<RunStatus> status() {
        return AskPattern.<CoordinatorProtocol.Command, CoordinatorProtocol.Status>ask(coordinator,
                CoordinatorProtocol.GetStatus::new, ASK_TIMEOUT, system.scheduler()).thenApply(this::toRunStatus);
    }

    private RunStatus toRunStatus(CoordinatorProtocol.Status s) {
        List<RunStatus.Rank> ranks = s.ranks().stream().map(r -> new RunStatus.Rank(r.rank(),
                hostPort(r.address()), r.lastStepSeconds(), r.secondsSinceLastStep())).toList();
        RunStatus.Checkpoint checkpoint = s.lastCheckpointStep() < 0 ? null
                : new RunStatus.Checkpoint(s.lastCheckpointStep(), s.lastCheckpointPath());
        return new RunStatus(run, s.step(), s.totalSteps(), s.loss(), s.lr(), s.imagesPerSecond(), s.etaSeconds(),
                ClusterMembers.of(system), ranks, checkpoint, s.paused(), s.stalled(), s.lateRanks(),
                resumedFrom);
    }

    /** "pekko://un2clip@127.0.0.1:40123" → "127.0.0.1:40123" (a rank in this JVM: "local"). */
    private static String hostPort(String address) {
        int at = address.indexOf('@');
        return at < 0 ? "local" : address.substring(at + 1);
    }

    private CompletionStage<ControlReply> command(
            Function<ActorRef<CoordinatorProtocol.OperatorReply>, CoordinatorProtocol.Operator> make) {
        return AskPattern.<CoordinatorProtocol.Command, CoordinatorProtocol.OperatorReply>ask(coordinator,
                make::apply, ASK_TIMEOUT, system.scheduler())
                .thenApply(r -> new ControlReply(r.accepted(), r.message()));
    }

    @Override public CompletionStage<ControlReply> pause() { return command(CoordinatorProtocol.Pause::new); }
    @Override public CompletionStage<ControlReply> resume() { return command(CoordinatorProtocol.Resume::new); }
    @Override public CompletionStage<ControlReply> checkpoint() { return command(CoordinatorProtocol.CheckpointNow::new); }
    @Override public CompletionStage<ControlReply> setLr(double lr) { return command(r -> new CoordinatorProtocol.SetLr(lr, r)); }
    @Override public CompletionStage<ControlReply> drain(int rank) { return command(r -> new CoordinatorProtocol.Drain(rank, r)); }
    @Override public CompletionStage<ControlReply> kill(int rank) { return command(r -> new CoordinatorProtocol.Kill(rank, r)); }
    @Override public CompletionStage<ControlReply> stop() { return command(CoordinatorProtocol.Stop::new); }
}
