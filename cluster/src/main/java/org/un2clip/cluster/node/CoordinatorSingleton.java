package org.un2clip.cluster.node;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.ClusterSingletonSettings;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.un2clip.actors.coordinator.CoordinatorProtocol;

/**
 * The Coordinator as a Pekko Cluster Singleton: it runs on the oldest node with the role {@value #ROLE} (the
 * coordinator/aggregator process), and every node, that one included, talks to it through the singleton proxy,
 * which buffers messages until the singleton is located and follows it if it ever moves.
 */
public final class CoordinatorSingleton {
    public static final String NAME = "coordinator";
    public static final String ROLE = "coordinator";

    private CoordinatorSingleton() {}

    /** On the coordinator node (role {@value #ROLE}): starts the singleton manager; returns the proxy. */
    public static ActorRef<CoordinatorProtocol.Command> start(ActorSystem<?> system,
            Behavior<CoordinatorProtocol.Command> coordinator) {
        return ClusterSingleton.get(system).init(SingletonActor.of(coordinator, NAME)
                .withSettings(ClusterSingletonSettings.create(system).withRole(ROLE)));
    }

    /** On any other node: the proxy only (a node without the role never runs the singleton). */
    public static ActorRef<CoordinatorProtocol.Command> proxy(ActorSystem<?> system) {
        return start(system, Behaviors.setup(ctx -> {
            throw new IllegalStateException("the coordinator singleton cannot run on " + ctx.getSystem().address()
                    + ": only nodes with the role " + ROLE + " host it");
        }));
    }
}
