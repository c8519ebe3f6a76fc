package org.un2clip.actors.coordinator;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.un2clip.actors.aggregator.GradientShard;
import org.un2clip.actors.aggregator.ShardOptimizer;
import org.un2clip.actors.aggregator.ShardProtocol;
import org.un2clip.actors.plan.ShardLayout;
import org.un2clip.actors.transport.TensorLink;

/**
 * The behavior of gradient shard {@code shard}, which the coordinator spawns as its child: in a run, a
 * {@link GradientShard} on the tensor link; in tests of the coordinator's own logic, a scripted stand-in.
 */
@FunctionalInterface
public interface ShardFactory {
    Behavior<ShardProtocol.Command> create(int shard, ShardLayout layout, ShardOptimizer optimizer, long runId,
            ActorRef<CoordinatorProtocol.Command> coordinator);

    /** Real shards: each receives gradients on {@code link}, its UDP endpoint bound at {@code bindEndpoint}. */
    static ShardFactory onLink(TensorLink link, String bindEndpoint) {
        return (shard, layout, optimizer, runId, coordinator) ->
                GradientShard.create(shard, layout, optimizer, link, bindEndpoint, runId, coordinator);
    }
}
