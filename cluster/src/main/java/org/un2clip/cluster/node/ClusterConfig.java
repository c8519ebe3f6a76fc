package org.un2clip.cluster.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.stream.Collectors;

/** The Pekko settings of one cluster node (Artery TCP for control traffic), from {@code cluster.*}. */
public final class ClusterConfig {
    public static final String SYSTEM = "un2clip";

    private ClusterConfig() {}

    /**
     * @param seedNodes "host:port" of seed nodes; empty: this node founds the cluster (joins itself)
     */
    public static Config of(Config un2clip, String role, int port, List<String> seedNodes) {
        String host = un2clip.getString("cluster.host");
        String seeds = seedNodes.stream().map(s -> "\"pekko://" + SYSTEM + "@" + s + "\"")
                .collect(Collectors.joining(", ", "[", "]"));
        return ConfigFactory.parseString(String.join("\n",
                        "pekko.actor.provider = cluster",
                        "pekko.remote.artery.transport = tcp",
                        "pekko.remote.artery.canonical.hostname = \"" + host + "\"",
                        "pekko.remote.artery.canonical.port = " + port,
                        "pekko.cluster.seed-nodes = " + seeds,
                        "pekko.cluster.roles = [\"" + role + "\"]",
                        "pekko.cluster.downing-provider-class = \"org.apache.pekko.cluster.sbr.SplitBrainResolverProvider\"",
                        "pekko.cluster.split-brain-resolver.active-strategy = keep-oldest",
                        "pekko.cluster.jmx.enabled = off",
                        "pekko.cluster.seed-node-timeout = 2s",
                        "pekko.cluster.retry-unsuccessful-join-after = 1s",
                        "pekko.cluster.shutdown-after-unsuccessful-join-seed-nodes = 60s",
                        "pekko.coordinated-shutdown.phases.cluster-exiting.timeout = 3s",
                        "pekko.cluster.min-nr-of-members = 1",
                        "pekko.loglevel = WARNING",
                        // A JVM starting on a busy host can take longer than the default 5 s to start its
                        // logger, and Pekko then refuses to start (seen in the soak, load average 30+).
                        "pekko.logger-startup-timeout = 30s",
                        "pekko.log-dead-letters = off",
                        "pekko.log-dead-letters-during-shutdown = off",
                        "pekko.coordinated-shutdown.exit-jvm = off"))
                .withFallback(un2clip).withFallback(ConfigFactory.defaultReference());
    }
}
