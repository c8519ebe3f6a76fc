package org.un2clip.actors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.un2clip.actors.checkpoint.CheckpointStore;
import org.un2clip.actors.checkpoint.TrainingState;
import org.un2clip.actors.coordinator.Coordinator;
import org.un2clip.actors.coordinator.CoordinatorProtocol;
import org.un2clip.actors.coordinator.RunResult;
import org.un2clip.actors.coordinator.RunSettings;
import org.un2clip.actors.coordinator.ShardFactory;
import org.un2clip.actors.objective.Objectives;
import org.un2clip.actors.plan.RunPlan;
import org.un2clip.actors.trainer.Trainer;
import org.un2clip.actors.transport.TensorLink;
import org.un2clip.actors.transport.TransportSettings;

/**
 * A whole run in one JVM: coordinator, shards and every trainer in one actor system over one embedded
 * driver (IPC). Real transport, no Pekko Cluster (tests turn serialize-messages on): the
 * runtime's tests and the overhead benchmark use it; `train` runs the same behaviors in separate JVMs.
 */
public final class InProcessRun {
    private InProcessRun() {}

    public static RunResult run(Config config, boolean resume, PrintStream console) {
        RunPlan plan = RunPlan.from(config);
        RunSettings settings = RunSettings.from(config);
        Optional<TrainingState> restored = resume ? loadNewest(settings) : Optional.empty();
        Objectives objectives = Objectives.of(config);
        // Tests add pekko.actor.serialize-messages = on, so every message really goes through Kryo.
        Config pekko = ConfigFactory.parseString("pekko.loglevel = WARNING\npekko.log-dead-letters-during-shutdown = off")
                .withFallback(config).withFallback(ConfigFactory.defaultReference());
        CompletableFuture<RunResult> done = new CompletableFuture<>();
        try (TensorLink link = TensorLink.embedded(TransportSettings.from(config))) {
            String endpoint = link.settings().host() + ":0";
            ActorSystem<Void> system = ActorSystem.create(Behaviors.setup(ctx -> {
                ActorRef<CoordinatorProtocol.Command> coordinator = ctx.spawn(Coordinator.create(plan, settings,
                        ShardFactory.onLink(link, endpoint), objectives, restored, console, done), "coordinator");
                for (int r = 0; r < plan.trainers(); r++) {
                    ctx.spawn(Trainer.create(r, link, endpoint, objectives, coordinator, plan.runId()), "trainer-" + r,
                            DispatcherSelector.fromConfig("un2clip-data-plane-dispatcher"));
                }
                return Behaviors.empty();
            }), "un2clip", pekko);
            try {
                return done.get(30, TimeUnit.MINUTES);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
            } catch (Exception e) {
                throw new IllegalStateException("run did not finish: " + e, e);
            } finally {
                system.terminate();
                try {
                    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
                } catch (Exception ignored) {
                    // Shutting down after the result is in.
                }
            }
        }
    }

    public static Optional<TrainingState> loadNewest(RunSettings settings) {
        return restore(settings).state();
    }

    /** The newest checkpoint of the run that verifies, and the damaged newer ones passed over. */
    public static CheckpointStore.Restore restore(RunSettings settings) {
        try {
            return new CheckpointStore(settings.checkpoints(), settings.checkpointKeep()).restore();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoints in " + settings.checkpoints(), e);
        }
    }
}
