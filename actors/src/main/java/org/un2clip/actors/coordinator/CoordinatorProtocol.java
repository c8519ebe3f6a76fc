package org.un2clip.actors.coordinator;

import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.un2clip.actors.serialization.ControlMessage;
import org.un2clip.actors.trainer.TrainerProtocol;

/** Messages to the Coordinator. */
public final class CoordinatorProtocol {
    private CoordinatorProtocol() {}

    public sealed interface Command extends ControlMessage permits RegisterTrainer, ShardReady, GradientNorm,
            ShardApplied, StepDone, NodeFailed, RequestCheckpoint, CheckpointDone, ShardState {}

    /** A trainer joins as {@code rank}; {@code endpoint} is where its parameter receiver listens. */
    public record RegisterTrainer(int rank, ActorRef<TrainerProtocol.Command> trainer, String endpoint)
            implements Command {}

    /** A gradient shard is up; {@code endpoint} is where its gradient receiver listens. */
    public record ShardReady(int shard, String endpoint) implements Command {}

    /** A shard has every rank's gradient of {@code step}: the squared norm of its averaged slice. */
    public record GradientNorm(long step, int shard, double sumSquares) implements Command {}

    /** A shard applied {@code step} and sent the new slice to every trainer. */
    public record ShardApplied(long step, int shard) implements Command {}

    /** A trainer finished its share of {@code step} (loss summed over its samples, phase times in ns). */
    public record StepDone(long step, int rank, double lossSum, int samples, long dataNanos, long computeNanos,
            long sendNanos, long waitNanos, long bytesSent) implements Command {}

    /** A trainer, shard or the link failed: the run stops loudly. */
    public record NodeFailed(String who, String reason) implements Command {}

    /** Write a checkpoint at the next step boundary. */
    public record RequestCheckpoint() implements Command {}

    public record CheckpointDone(long step, String path, String error) implements Command {}

    /** A shard's in-memory copy for a checkpoint (same JVM only: never serialized). */
    public record ShardState(long step, int shard, float[] master, float[] expAvg, float[] expAvgSq, long adamStep)
            implements Command, NoSerializationVerificationNeeded {}
}
