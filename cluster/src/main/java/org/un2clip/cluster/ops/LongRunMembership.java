package org.un2clip.cluster.ops;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.Locale;
import org.un2clip.cluster.node.ClusterConfig;

/**
 * Pekko Cluster settings for long runs, from the {@code membership} section: Split Brain Resolver,
 * failure detector, graceful leave on SIGTERM. {@link org.un2clip.cluster.node.ClusterConfig} lays them over
 * every node's own settings, so the section is their only source.
 */
public final class LongRunMembership {
    /**
     * Pekko 1.7's strategies that need no further settings (static-quorum needs a quorum size fitting the
     * cluster, lease-majority a lease implementation; neither is offered).
     */
    static final List<String> STRATEGIES = List.of("keep-majority", "keep-oldest", "down-all");

    private LongRunMembership() {}

    /**
     * The Pekko keys these settings own.
     *
     * @throws IllegalArgumentException naming the key for an unknown strategy or an unsafe detector setting
     */
    public static Config pekko(Config un2clip) {
        String strategy = un2clip.getString("membership.split-brain-resolver").toLowerCase(Locale.ROOT);
        if (!STRATEGIES.contains(strategy)) {
            throw new IllegalArgumentException("membership.split-brain-resolver must be one of " + STRATEGIES
                    + ", got '" + strategy + "'");
        }
        long pauseMs = un2clip.getDuration("membership.failure-detector.acceptable-heartbeat-pause").toMillis();
        long intervalMs = un2clip.getDuration("membership.failure-detector.heartbeat-interval").toMillis();
        if (pauseMs < 3000) {
            throw new IllegalArgumentException("membership.failure-detector.acceptable-heartbeat-pause must be "
                    + ">= 3s (shorter pauses down healthy nodes during GC), got " + pauseMs + "ms");
        }
        if (intervalMs <= 0 || intervalMs * 2 > pauseMs) {
            throw new IllegalArgumentException("membership.failure-detector.heartbeat-interval must be > 0 and at "
                    + "most half of acceptable-heartbeat-pause, got " + intervalMs + "ms");
        }
        double threshold = un2clip.getDouble("membership.failure-detector.threshold");
        if (!(threshold >= 1.0)) {
            throw new IllegalArgumentException("membership.failure-detector.threshold must be >= 1, got "
                    + threshold);
        }
        String role = un2clip.getString("membership.majority-role");
        if (!role.isEmpty() && !ClusterConfig.ROLES.contains(role)) {
            throw new IllegalArgumentException("membership.majority-role must be \"\" or one of " + ClusterConfig.ROLES
                    + ", got '" + role + "'");
        }
        long stableMs = un2clip.getDuration("membership.stable-after").toMillis();
        long leaveMs = un2clip.getDuration("membership.leave-timeout").toMillis();
        return ConfigFactory.parseString(String.join("\n",
                "pekko.cluster.downing-provider-class = \"org.apache.pekko.cluster.sbr.SplitBrainResolverProvider\"",
                "pekko.cluster.split-brain-resolver.active-strategy = " + strategy,
                // Majority among the coordinator-role members: the side holding the coordinator lives, also
                // in the 1 vs 1 tie of a coordinator and one trainer.
                "pekko.cluster.split-brain-resolver.keep-majority.role = \"" + role + "\"",
                "pekko.cluster.split-brain-resolver.stable-after = " + stableMs + "ms",
                "pekko.cluster.failure-detector.heartbeat-interval = " + intervalMs + "ms",
                "pekko.cluster.failure-detector.threshold = " + threshold,
                "pekko.cluster.failure-detector.acceptable-heartbeat-pause = " + pauseMs + "ms",
                // SIGTERM runs the JVM shutdown hooks; Pekko's hook runs CoordinatedShutdown, which leaves
                // the cluster (Leaving -> Exiting -> Removed) before the actor system stops.
                "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = on",
                "pekko.cluster.run-coordinated-shutdown-when-down = on",
                "pekko.coordinated-shutdown.phases.cluster-leave.timeout = " + leaveMs + "ms",
                "pekko.coordinated-shutdown.phases.cluster-exiting.timeout = " + leaveMs + "ms",
                "pekko.coordinated-shutdown.phases.before-cluster-shutdown.timeout = " + leaveMs + "ms"));
    }
}
