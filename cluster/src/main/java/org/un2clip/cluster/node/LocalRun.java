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
import org.un2clip.actors.checkpoint.TrainingState;
import org.un2clip.actors.coordinator.RunResult;
import org.un2clip.actors.plan.RunPlan;

/**
 * One training run on this machine, as {@code un2clip train} runs it: this process is the coordinator/aggregator
 * ({@link CoordinatorNode}: Coordinator, gradient shards, Checkpointer, the embedded Aeron driver, the founding
 * Pekko Cluster node) and {@code train.trainers} trainer JVMs are started beside it ({@link LocalCluster}).
 * Used by {@code train} and by the demo's runtime stage runner.
 */
public final class LocalRun {
    private LocalRun() {}

    /** The run could not start or failed; the message says why and where the logs are. */
    public static final class Failed extends Exception {
        public Failed(String message) {
            super(message);
        }
    }

    /**
     * Runs to the end and returns the result; the trainer JVMs have exited (or were ended) when it returns.
     *
     * @param resolved the configuration file the trainers read (the caller wrote {@code c} there)
     * @param onResult told as soon as the result is in (leaving the cluster takes a few seconds more)
     */
    public static RunResult run(Config c, Path resolved, Optional<TrainingState> restored, PrintStream console,
            Consumer<RunResult> onResult) throws Failed, InterruptedException {
        RunPlan plan = RunPlan.from(c);
        Path runDir = Path.of(c.getString("run.dir"));
        int threads = c.getInt("train.threads-per-trainer");
        if (threads <= 0) {
            threads = Math.max(1, Runtime.getRuntime().availableProcessors() / plan.trainers());
        }
        boolean ipc = c.getString("transport.media").equals("ipc");
        long joinDeadline = System.nanoTime() + c.getDuration("cluster.join-timeout").toNanos();
        try (CoordinatorNode node = new CoordinatorNode(c, List.of(), restored, console);
             LocalCluster children = new LocalCluster()) {
            for (int r = 0; r < plan.trainers(); r++) {
                children.startTrainer(r, resolved, node.clusterAddress(), ipc ? node.aeronDirectory() : null, threads,
                        runDir.resolve("logs"));
            }
            while (true) {
                try {
                    RunResult result = node.done().get(1, TimeUnit.SECONDS);
                    onResult.accept(result);
                    return result;
                } catch (TimeoutException e) {
                    int failed = children.failedChild();
                    if (failed >= 0 && !node.begun()) {
                        children.destroyAll();
                        throw new Failed("trainer " + failed + " exited with an error; see "
                                + runDir.resolve("logs/trainer-" + failed + ".log"));
                    }
                    // Once the run began a lost trainer is the coordinator's call: it re-plans over the others.
                    if (System.nanoTime() > joinDeadline && !node.begun()) {
                        children.destroyAll();
                        throw new Failed("the trainers did not all join within cluster.join-timeout; see "
                                + runDir.resolve("logs"));
                    }
                } catch (ExecutionException e) {
                    throw new Failed("training failed: " + e.getCause().getMessage());
                }
            }
        } catch (java.io.IOException e) {
            throw new Failed("cannot start a trainer JVM: " + e.getMessage());
        }
    }
}
