package org.un2clip.actors.trainer;

import java.util.List;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.un2clip.actors.plan.RunPlan;
import org.un2clip.actors.serialization.ControlMessage;
import org.un2clip.model.step.TrainingBatch;

/** Messages to a Trainer. */
public final class TrainerProtocol {
    private TrainerProtocol() {}

    public sealed interface Command extends ControlMessage permits Begin, Poll, Shutdown, BatchReady, Hold, Release, Kill, Replan, LossScale {}

    /** Start at {@code startStep}; shard i's gradient receiver listens at {@code shardEndpoints[i]}. */
    public record Begin(RunPlan plan, long startStep, String[] shardEndpoints) implements Command {}

    /** Self-message: poll the data plane for a while, then yield to the mailbox. */
    public record Poll() implements Command {}

    public record Shutdown() implements Command {}

    /** The DataLoader's micro-batches of one step (same JVM only). */
    public record BatchReady(long step, int generation, List<TrainingBatch> microBatches, long nanos)
            implements Command, NoSerializationVerificationNeeded {}

    /** Start no step ≥ {@code fromStep} until {@link Release}; answered with a HoldAck (the pause handshake). */
    public record Hold(long fromStep) implements Command {}

    public record Release() implements Command {}

    /** Exit this trainer's process at once, as a crash would (fault drills; never sent to an in-process trainer). */
    public record Kill() implements Command {}

    /**
     * A trainer was lost: from {@code fromStep} on, steps are planned over the {@code live} ranks (plan
     * {@code generation}); this trainer redoes {@code fromStep} with its new share if it already sent it.
     */
    public record Replan(long fromStep, int generation, int[] live) implements Command {}

    /** Dynamic loss scaling: multiply the gradient of {@code step} by {@code scale} (a step waits for its scale). */
    public record LossScale(long step, double scale) implements Command {}
}
