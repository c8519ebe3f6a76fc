package org.un2clip.actors.trainer;

import org.apache.pekko.actor.typed.ActorRef;
import org.un2clip.actors.serialization.ControlMessage;

/** Messages to a DataLoader. */
public final class DataLoaderProtocol {
    private DataLoaderProtocol() {}

    public sealed interface Command extends ControlMessage permits Prepare {}

    /**
     * Prepare this rank's micro-batches of {@code step}, its share among the {@code live} ranks of plan
     * {@code generation}, and send them to {@code replyTo}.
     */
    public record Prepare(long step, int generation, int[] live, ActorRef<TrainerProtocol.Command> replyTo)
            implements Command {}
}
