package org.un2clip.actors.aggregator;

import org.apache.pekko.actor.typed.ActorRef;
import org.un2clip.actors.coordinator.CoordinatorProtocol;
import org.un2clip.actors.plan.RunPlan;
import org.un2clip.actors.serialization.ControlMessage;

/** Messages to a GradientShard. */
public final class ShardProtocol {
    private ShardProtocol() {}

    public sealed interface Command extends ControlMessage permits Begin, Poll, Apply, Snapshot, Shutdown, Replan, LossScale {}

    /** Start at {@code startStep}: send the current slice to every trainer, then take gradients. */
    public record Begin(RunPlan plan, long startStep, String[] trainerEndpoints) implements Command {}

    public record Poll() implements Command {}

    /** Apply {@code step} with this learning rate and clip coefficient; {@code skip}: non-finite, no update. */
    public record Apply(long step, double lr, double clipCoefficient, boolean skip) implements Command {}

    /** Copy master and moments (state after {@code step} steps) and send them to {@code replyTo}. */
    public record Snapshot(long step, ActorRef<CoordinatorProtocol.Command> replyTo) implements Command {}

    public record Shutdown() implements Command {}

    /**
     * The live ranks changed (a trainer lost, or a replacement joined): drop every partial gradient of steps
     * ≥ {@code fromStep} and expect them again from the {@code live} ranks, tagged with plan
     * {@code generation}. A live rank this shard does not send to yet gets its parameters at
     * {@code trainerEndpoints[rank]}.
     */
    public record Replan(long fromStep, int generation, int[] live, String[] trainerEndpoints) implements Command {}

    /** Dynamic loss scaling: divide the gradient of {@code step} by {@code scale} (its reduction waits for it). */
    public record LossScale(long step, double scale) implements Command {}
}
