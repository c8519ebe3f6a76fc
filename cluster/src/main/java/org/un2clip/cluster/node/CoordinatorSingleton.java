package org.un2clip.cluster.node;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.ClusterSingletonSettings;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.un2clip.actors.coordinator.RunHost;
import org.un2clip.actors.coordinator.RunHostProtocol;

/**
 * The {@link RunHost} (the runs' Coordinators are its children) as a Pekko Cluster Singleton: it runs on the
 * oldest node with the role {@value ClusterConfig#COORDINATOR} (the coordinator/aggregator process), and every node,
 * that one included, talks to it through the singleton proxy, which buffers messages until the singleton is
 * located and follows it if it ever moves.
 */
public final class CoordinatorSingleton {
    public static final String NAME = "run-host";

    private CoordinatorSingleton() {}

    /**
     * Starts the singleton manager on a node with the role (any other node gets only the proxy: Pekko never runs
     * the singleton where the role is missing); returns the proxy.
     */
    public static ActorRef<RunHostProtocol.Command> init(ActorSystem<?> system) {
        return ClusterSingleton.get(system).init(SingletonActor.of(RunHost.create(), NAME)
                .withSettings(ClusterSingletonSettings.create(system).withRole(ClusterConfig.COORDINATOR)));
    }
}
