package org.un2clip.actors.coordinator;

import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.un2clip.actors.serialization.ControlMessage;

/**
 * Messages to the {@link RunHost}, the cluster singleton that hosts the runs' Coordinators. Runs are numbered by
 * the host (1, 2, ... in the order they start): the number, not the run id, addresses a run, since successive runs
 * of a session may share a run id (same run name and seed).
 */
public final class RunHostProtocol {
    private RunHostProtocol() {}

    public sealed interface Command permits StartRun, ToRun, AwaitRun, RunStopped {}

    /**
     * Start a run's Coordinator as the host's child (sent by the coordinator node, in the host's JVM: the behavior
     * never crosses the wire). Answered with {@link Started}.
     *
     * @param config the run's resolved configuration, for trainer JVMs serving successive runs
     */
    public record StartRun(Behavior<CoordinatorProtocol.Command> coordinator, long runId, String config,
            ActorRef<Started> replyTo) implements Command, NoSerializationVerificationNeeded {}

    /** The run's number and its Coordinator (same JVM: the control endpoint and the status talk to it directly). */
    public record Started(int run, ActorRef<CoordinatorProtocol.Command> coordinator)
            implements NoSerializationVerificationNeeded {}

    /** A message for run {@code run}'s Coordinator; dropped (with a log line) when that run is not running. */
    public record ToRun(int run, CoordinatorProtocol.Command command) implements Command, ControlMessage {}

    /**
     * A trainer node waits for a run numbered above {@code after} (0: any): answered with {@link RunOpen} at once
     * when the newest running run qualifies, else when the next run starts.
     */
    public record AwaitRun(int after, ActorRef<RunOpen> replyTo) implements Command, ControlMessage {}

    /**
     * A run is running: its number (what {@link ToRun} addresses), its run id, its resolved configuration, and its
     * Coordinator (to watch, and to name in the log; messages go through the host).
     */
    public record RunOpen(int run, long runId, String config, ActorRef<CoordinatorProtocol.Command> coordinator)
            implements ControlMessage {}

    /** A run's Coordinator stopped (the host watches its children; same JVM only). */
    public record RunStopped(int run) implements Command, NoSerializationVerificationNeeded {}
}
