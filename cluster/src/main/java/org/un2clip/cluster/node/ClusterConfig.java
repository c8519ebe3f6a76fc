package org.un2clip.cluster.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.stream.Collectors;
import org.un2clip.cluster.ops.LongRunMembership;

/**
 * The Pekko settings of one cluster node (Artery TCP for control traffic), from {@code cluster.*} (address,
 * seeds, role) and {@code membership.*} (downing, failure detector, graceful leave: {@link LongRunMembership},
 * their only source).
 */
public final class ClusterConfig {
    public static final String SYSTEM = "un2clip";
    /** The coordinator/aggregator node's role (coordinator, gradient shards, checkpointer). */
    public static final String COORDINATOR = "coordinator";
    public static final String TRAINER = "trainer";
    public static final List<String> ROLES = List.of(COORDINATOR, TRAINER);

    private ClusterConfig() {}

    /**
     * @param role {@link #COORDINATOR} or {@link #TRAINER}
     * @param seedNodes "host:port" of seed nodes; empty: this node founds the cluster (joins itself)
     */
    public static Config of(Config un2clip, String role, int port, List<String> seedNodes) {
        if (!ROLES.contains(role)) {
            throw new IllegalArgumentException("cluster role must be one of " + ROLES + ", got '" + role + "'");
        }
        String host = un2clip.getString("cluster.host");
        String seeds = seedNodes.stream().map(s -> "\"pekko://" + SYSTEM + "@" + s + "\"")
                .collect(Collectors.joining(", ", "[", "]"));
        Config node = ConfigFactory.parseString(String.join("\n",
                "pekko.actor.provider = cluster",
                "pekko.remote.artery.transport = tcp",
                "pekko.remote.artery.canonical.hostname = \"" + host + "\"",
                "pekko.remote.artery.canonical.port = " + port,
                "pekko.cluster.seed-nodes = " + seeds,
                "pekko.cluster.roles = [\"" + role + "\"]",
                "pekko.cluster.jmx.enabled = off",
                "pekko.cluster.seed-node-timeout = 2s",
                "pekko.cluster.retry-unsuccessful-join-after = 1s",
                "pekko.cluster.shutdown-after-unsuccessful-join-seed-nodes = 60s",
                "pekko.cluster.min-nr-of-members = 1",
                // The run host singleton's proxy retries locating it at this interval (default 1 s): a coordinator
                // node's first run and its trainers' first registration wait on it.
                "pekko.cluster.singleton-proxy.singleton-identification-interval = 200ms",
                "pekko.loglevel = WARNING",
                // A JVM starting on a busy host can take longer than the default 5 s to start its
                // logger, and Pekko then refuses to start (seen in the soak, load average 30+).
                "pekko.logger-startup-timeout = 30s",
                "pekko.log-dead-letters = off",
                "pekko.log-dead-letters-during-shutdown = off",
                // The JVM exits on its own: after `train`/`node` return, or after SIGTERM's hooks.
                "pekko.coordinated-shutdown.exit-jvm = off"));
        return LongRunMembership.pekko(un2clip).withFallback(node).withFallback(un2clip)
                .withFallback(ConfigFactory.defaultReference());
    }
}
