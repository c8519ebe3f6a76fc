package org.un2clip.actors.coordinator;

import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.un2clip.actors.serialization.ControlMessage;
import org.un2clip.actors.trainer.TrainerProtocol;

/** Messages to the Coordinator. */
public final class CoordinatorProtocol {
    private CoordinatorProtocol() {}

    public sealed interface Command extends ControlMessage permits RegisterTrainer, ShardReady, GradientNorm,
            ShardApplied, StepDone, NodeFailed, RequestCheckpoint, CheckpointDone, ShardState, StepDeadline,
            Operator, HoldAck, StallCheck, GetStatus, TrainerLost, MemberUnreachable {}

    /** A trainer joins as {@code rank}; {@code endpoint} is where its parameter receiver listens. */
    public record RegisterTrainer(int rank, ActorRef<TrainerProtocol.Command> trainer, String endpoint)
            implements Command {}

    /** A gradient shard is up; {@code endpoint} is where its gradient receiver listens. */
    public record ShardReady(int shard, String endpoint) implements Command {}

    /** A shard has every rank's gradient of {@code step}: the squared norm of its averaged slice. */
    public record GradientNorm(long step, int generation, int shard, double sumSquares) implements Command {}

    /** A shard applied {@code step} and sent the new slice to every trainer. */
    public record ShardApplied(long step, int shard) implements Command {}

    /** A trainer finished its share of {@code step} (loss summed over its samples, phase times in ns). */
    public record StepDone(long step, int generation, int rank, double lossSum, int samples, long dataNanos, long computeNanos,
            long sendNanos, long waitNanos, long bytesSent) implements Command {}

    /** A trainer, shard or the link failed: the run stops loudly. */
    public record NodeFailed(String who, String reason) implements Command {}

    /** Write a checkpoint at the next step boundary. */
    public record RequestCheckpoint() implements Command {}

    public record CheckpointDone(long step, String path, String error) implements Command {}

    /** Self-message: if step {@code step} is still open, the run is stalled (names who is missing). */
    public record StepDeadline(long step) implements Command {}

    /** A shard's in-memory copy for a checkpoint (same JVM only: never serialized). */
    public record ShardState(long step, int shard, float[] master, float[] expAvg, float[] expAvgSq, long adamStep)
            implements Command, NoSerializationVerificationNeeded {}

    /** What an operator (the control endpoint) asks of the run; each is answered with an {@link OperatorReply}. */
    public sealed interface Operator extends Command permits Pause, Resume, CheckpointNow, SetLr, Drain, Kill, Stop {
        ActorRef<OperatorReply> replyTo();
    }

    /** Finish the open step, start no new one. */
    public record Pause(ActorRef<OperatorReply> replyTo) implements Operator {}

    public record Resume(ActorRef<OperatorReply> replyTo) implements Operator {}

    /** Write a checkpoint at the next step boundary (at once when paused at one). */
    public record CheckpointNow(ActorRef<OperatorReply> replyTo) implements Operator {}

    /** Use {@code lr} from the next step on instead of the schedule. */
    public record SetLr(double lr, ActorRef<OperatorReply> replyTo) implements Operator {}

    /** Let trainer {@code rank} leave after the current step. */
    public record Drain(int rank, ActorRef<OperatorReply> replyTo) implements Operator {}

    /** Make trainer {@code rank}'s process exit at once (fault drills). */
    public record Kill(int rank, ActorRef<OperatorReply> replyTo) implements Operator {}

    /** Checkpoint at the next step boundary, then end the run cleanly. */
    public record Stop(ActorRef<OperatorReply> replyTo) implements Operator {}

    /** Whether the run took an operator's command, and a line for the operator. */
    public record OperatorReply(boolean accepted, String message) implements ControlMessage {}

    /** Trainer {@code rank} is gone (stopped, its process died, its tensor stream broke, or it stalled). */
    public record TrainerLost(int rank, String reason) implements Command {}

    /** The failure detector marked a cluster member unreachable (an adapted cluster event, same JVM only). */
    public record MemberUnreachable(String address) implements Command, NoSerializationVerificationNeeded {}

    /** A trainer will start no step ≥ {@code fromStep} until released (the pause handshake). */
    public record HoldAck(int rank, long fromStep) implements Command {}

    /** Self-message, about once a second: is the open step overdue (k × the median step time)? */
    public record StallCheck() implements Command {}

    /** The run's state for the operator (same JVM only: the control endpoint runs beside the coordinator). */
    public record GetStatus(ActorRef<Status> replyTo) implements Command, NoSerializationVerificationNeeded {}

    /**
     * @param step completed global steps
     * @param lr the learning rate of the next step
     * @param ranks per live trainer rank: its node address, its last step's busy time and seconds since it reported
     * @param lastCheckpointStep -1 before the first checkpoint of this run
     */
    public record Status(long step, long totalSteps, double loss, double lr, double imagesPerSecond,
            double etaSeconds, java.util.List<RankStatus> ranks, long lastCheckpointStep, String lastCheckpointPath,
            boolean begun, boolean paused, boolean stopping, boolean stalled, java.util.List<Integer> lateRanks)
            implements NoSerializationVerificationNeeded {}

    public record RankStatus(int rank, String address, double lastStepSeconds, double secondsSinceLastStep) {}
}
