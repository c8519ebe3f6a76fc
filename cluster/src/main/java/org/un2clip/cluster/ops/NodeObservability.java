package org.un2clip.cluster.ops;

import com.typesafe.config.Config;
import java.nio.file.Path;
import org.un2clip.actors.logging.LogContext;
import org.un2clip.actors.metrics.MetricsServer;
import org.un2clip.actors.metrics.NodeMetrics;

/**
 * A node's observability from the {@code metrics} section: the log context of its start-up thread and its
 * Prometheus endpoint. The one-line hook of a node's start-up:
 * {@code NodeObservability obs = NodeObservability.start(config, "trainer-" + rank, rank);} (closed with the
 * node), then the runtime feeds {@link #metrics()}.
 */
public final class NodeObservability implements AutoCloseable {
    private final NodeMetrics metrics;
    private final MetricsServer server;

    private NodeObservability(NodeMetrics metrics, MetricsServer server) {
        this.metrics = metrics;
        this.server = server;
    }

    /** @param rank the trainer rank, or -1 for the coordinator */
    public static NodeObservability start(Config c, String node, int rank) {
        String run = c.getString("run.name");
        LogContext.node(run, node, rank);
        NodeMetrics metrics = new NodeMetrics(run, node, rank);
        MetricsServer server = null;
        if (c.getBoolean("metrics.enabled")) {
            int port = portFor(c.getInt("metrics.port"), rank);
            Path addressFile = Path.of(c.getString("run.dir"), "metrics", node + ".address");
            server = MetricsServer.start(metrics.registry(), c.getString("metrics.host"), port, addressFile);
        }
        return new NodeObservability(metrics, server);
    }

    /** Base port P: the coordinator on P, trainer r on P + 1 + r; 0 stays "any free port". */
    static int portFor(int base, int rank) {
        if (base < 0 || base > 65535) {
            throw new IllegalArgumentException("metrics.port must be 0..65535, got " + base);
        }
        if (base == 0) {
            return 0;
        }
        int port = rank < 0 ? base : base + 1 + rank;
        if (port > 65535) {
            throw new IllegalArgumentException("metrics.port " + base + " leaves no port for trainer rank " + rank);
        }
        return port;
    }

    public NodeMetrics metrics() {
        return metrics;
    }

    /** "host:port" of the metrics endpoint, or null when metrics.enabled is off. */
    public String address() {
        return server == null ? null : server.address();
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
    }
}
