package org.un2clip.cluster.node;

import com.typesafe.config.Config;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.un2clip.actors.checkpoint.CheckpointStore;
import org.un2clip.actors.coordinator.RunResult;
import org.un2clip.actors.plan.RunPlan;

/**
 * Training runs on this machine, as {@code un2clip train} runs one: this process is the coordinator/aggregator
 * ({@link CoordinatorNode}: Coordinator, gradient shards, Checkpointer, the embedded Aeron driver, the founding
 * Pekko Cluster node) and {@code train.trainers} trainer JVMs are started beside it ({@link LocalCluster}).
 * {@link #run} is one run (the trainer JVMs end with it); a {@link Session} runs several in a row on the same
 * coordinator node and trainer JVMs (the demo's stages), so the JVMs start, load the engine and join once.
 */
public final class LocalRun {
    private LocalRun() {}

    /** The run could not start or failed; the message says why and where the logs are. */
    public static final class Failed extends Exception {
        private final boolean beforeBegin;

        public Failed(String message) {
            this(message, false);
        }

        /** @param beforeBegin the trainers never all registered: no step ran */
        public Failed(String message, boolean beforeBegin) {
            super(message);
            this.beforeBegin = beforeBegin;
        }

        /** True when the local cluster failed to come up (a trainer JVM died or did not join): no step ran. */
        public boolean beforeBegin() {
            return beforeBegin;
        }
    }

    /**
     * Runs to the end and returns the result; the trainer JVMs have exited (or were ended) when it returns.
     *
     * @param resolved the configuration file the trainers read (the caller wrote {@code c} there)
     * @param onResult told as soon as the result is in (leaving the cluster takes a few seconds more)
     */
    public static RunResult run(Config c, Path resolved, Optional<CheckpointStore.Restore> restored, PrintStream console,
            Consumer<RunResult> onResult) throws Failed, InterruptedException {
        RunPlan plan = RunPlan.from(c);
        Path logDir = Path.of(c.getString("run.dir")).resolve("logs");
        long joinDeadline = System.nanoTime() + c.getDuration("cluster.join-timeout").toNanos();
        try (CoordinatorNode node = new CoordinatorNode(c, List.of(), restored, console);
             LocalCluster children = new LocalCluster()) {
            startTrainers(c, plan, resolved, node, children, logDir, false);
            RunResult result = await(node, children, joinDeadline, logDir);
            onResult.accept(result);
            return result;
        }
    }

    private static void startTrainers(Config c, RunPlan plan, Path resolved, CoordinatorNode node, LocalCluster children,
            Path logDir, boolean session) throws Failed {
        int threads = threadsPerTrainer(c, plan.trainers(), Runtime.getRuntime().availableProcessors());
        boolean ipc = c.getString("transport.media").equals("ipc");
        try {
            for (int r = 0; r < plan.trainers(); r++) {
                children.startTrainer(r, resolved, node.clusterAddress(), ipc ? node.aeronDirectory() : null, threads, logDir,
                        session);
            }
        } catch (java.io.IOException e) {
            children.destroyAll();
            throw new Failed("cannot start a trainer JVM: " + e.getMessage());
        }
    }

    /**
     * PyTorch intra-op threads of each of {@code trainers} trainer JVMs on a host of {@code cores} cores:
     * {@code train.threads-per-trainer}, or when 0 the cores but one, divided among the trainers. One core is left
     * to the runtime (shards, media driver, data loading): OpenMP workers spin at every barrier, so a worker that
     * loses its core to a shard's poll stalls the whole step (the tiny step took 180 ms instead of 130 with both
     * cores of a 2-core host given to the trainer, and 130 ms with one).
     */
    public static int threadsPerTrainer(Config c, int trainers, int cores) {
        int configured = c.getInt("train.threads-per-trainer");
        return configured > 0 ? configured : Math.max(1, (cores - 1) / trainers);
    }

    /** Waits for the node's current run; a trainer JVM that dies or does not join before the run begins fails it. */
    private static RunResult await(CoordinatorNode node, LocalCluster children, long joinDeadline, Path logDir)
            throws Failed, InterruptedException {
        while (true) {
            try {
                return node.done().get(1, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                int failed = children.failedChild();
                if (failed >= 0 && !node.begun()) {
                    children.destroyAll();
                    throw new Failed("trainer " + failed + " exited with an error; see " + logDir.resolve("trainer-" + failed + ".log"), true);
                }
                // Once the run began a lost trainer is the coordinator's call: it re-plans over the others.
                if (System.nanoTime() > joinDeadline && !node.begun()) {
                    children.destroyAll();
                    throw new Failed("the trainers did not all join within cluster.join-timeout; see " + logDir, true);
                }
            } catch (ExecutionException e) {
                throw new Failed("training failed: " + e.getCause().getMessage(), !node.begun());
            }
        }
    }

    /**
     * Successive runs on one local cluster: the first run starts the coordinator node and the trainer JVMs
     * ({@code node --session}, logging to {@code logDir}); each later run is a new Coordinator in the same node
     * ({@link CoordinatorNode#nextRun}), whose configuration the trainers fetch to rebuild their objective. Every run
     * must have the same trainer count and transport; the control endpoint must be off. After a failed run the
     * session is closed.
     */
    public static final class Session implements AutoCloseable {
        private final Path logDir;
        private final PrintStream console;
        private CoordinatorNode node;
        private LocalCluster children;
        private int trainers;

        public Session(Path logDir, PrintStream console) {
            this.logDir = logDir;
            this.console = console;
        }

        /** Runs {@code c} (its trainers read {@code resolved} when this run starts the session) to the end. */
        public RunResult run(Config c, Path resolved) throws Failed, InterruptedException {
            RunPlan plan = RunPlan.from(c);
            if (c.getBoolean("control.enabled")) {
                throw new Failed("a session's runs need control.enabled = false");
            }
            long joinDeadline = System.nanoTime() + c.getDuration("cluster.join-timeout").toNanos();
            if (node != null && !children.allAlive()) {
                // a trainer JVM was lost in an earlier run (that run re-planned over the others): start afresh
                console.println("a trainer JVM of the local cluster is gone; starting a new local cluster");
                close();
            }
            boolean ok = false;
            try {
                if (node == null) {
                    node = new CoordinatorNode(c, List.of(), Optional.empty(), console);
                    children = new LocalCluster();
                    trainers = plan.trainers();
                    startTrainers(c, plan, resolved, node, children, logDir, true);
                } else {
                    if (plan.trainers() != trainers) {
                        throw new Failed("the session's trainer JVMs are " + trainers + ", this run wants " + plan.trainers());
                    }
                    node.nextRun(c);
                }
                RunResult r = await(node, children, joinDeadline, logDir);
                ok = true;
                return r;
            } finally {
                if (!ok) {
                    if (children != null) {
                        children.destroyAll();
                    }
                    close();
                }
            }
        }

        /** The coordinator node leaves the cluster, and with it every trainer JVM; waits for them to exit. */
        @Override
        public void close() {
            if (node != null) {
                node.close();
                node = null;
            }
            if (children != null) {
                children.close();
                children = null;
            }
        }
    }
}
