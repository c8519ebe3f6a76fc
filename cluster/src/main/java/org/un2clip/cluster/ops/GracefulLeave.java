package org.un2clip.cluster.ops;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a node does when told to go (SIGTERM, or {@code bin/un2clip-cluster down}): Pekko's
 * CoordinatedShutdown (run by the JVM shutdown hook) leaves the cluster; before that, the node finishes
 * or abandons its open step through {@code closeStep}, and at the very end the logs are flushed.
 *
 * <p>The one-line hook a node's start-up adds after creating its actor system:
 * {@code GracefulLeave.install(system, "trainer-3", () -> trainer.abandonOpenStep());}
 */
public final class GracefulLeave {
    private static final Logger LOG = LoggerFactory.getLogger(GracefulLeave.class);

    private GracefulLeave() {}

    /**
     * @param node the node's name, for the log line
     * @param closeStep finishes or abandons the node's open step; its stage completes when that is done
     *     (bounded by membership.leave-timeout through the phase timeout)
     */
    public static void install(ClassicActorSystemProvider system, String node,
            Supplier<CompletionStage<Done>> closeStep) {
        CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
        shutdown.addTask(CoordinatedShutdown.PhaseBeforeClusterShutdown(), "un2clip-close-open-step", () -> {
            LOG.info("{} leaving: {}; closing the open step", node, shutdown.getShutdownReason()
                    .map(Object::toString).orElse("shutdown"));
            try {
                return closeStep.get();
            } catch (RuntimeException e) {
                LOG.warn("{}: closing the open step failed; leaving anyway", node, e);
                return CompletableFuture.completedFuture(Done.getInstance());
            }
        });
        shutdown.addTask(CoordinatedShutdown.PhaseActorSystemTerminate(), "un2clip-flush-logs", () -> {
            LOG.info("{} left the cluster", node);
            LogFlush.flush();
            return CompletableFuture.completedFuture(Done.getInstance());
        });
    }
}
