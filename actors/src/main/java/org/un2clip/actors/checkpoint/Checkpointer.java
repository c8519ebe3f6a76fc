package org.un2clip.actors.checkpoint;

import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.un2clip.actors.coordinator.CoordinatorProtocol;

/**
 * Writes checkpoints in the background (run it on a blocking-I/O dispatcher): training stalls only for
 * the shards' in-memory copies. A failed write is reported, never hidden; training goes on.
 */
public final class Checkpointer {
    private Checkpointer() {}

    /** The one message: write this state. Same JVM only. */
    public record Write(TrainingState state, String resolvedConfig, ActorRef<CoordinatorProtocol.Command> replyTo)
            implements NoSerializationVerificationNeeded {}

    public static Behavior<Write> create(CheckpointStore store) {
        return Behaviors.receiveMessage(w -> {
            try {
                String path = store.write(w.state(), w.resolvedConfig()).toString();
                w.replyTo().tell(new CoordinatorProtocol.CheckpointDone(w.state().step(), path, null));
            } catch (Exception e) {
                w.replyTo().tell(new CoordinatorProtocol.CheckpointDone(w.state().step(), null, e.toString()));
            }
            return Behaviors.same();
        });
    }
}
