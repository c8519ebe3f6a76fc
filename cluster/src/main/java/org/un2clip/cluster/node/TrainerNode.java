package org.un2clip.cluster.node;

import com.typesafe.config.Config;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.un2clip.actors.coordinator.Coordinator;
import org.un2clip.actors.coordinator.CoordinatorProtocol;
import org.un2clip.actors.metrics.NodeMetrics;
import org.un2clip.actors.objective.Objectives;
import org.un2clip.actors.plan.RunPlan;
import org.un2clip.actors.trainer.Trainer;
import org.un2clip.actors.trainer.TrainerProtocol;
import org.un2clip.actors.transport.TensorLink;
import org.un2clip.actors.transport.TransportSettings;
import org.un2clip.cluster.ops.GracefulLeave;
import org.un2clip.cluster.ops.NodeObservability;

/**
 * One trainer process: joins the cluster, finds the coordinator through the receptionist, runs one
 * Trainer (and its DataLoader), serves its Prometheus metrics, and ends when the trainer stops, when the
 * coordinator is gone, or on SIGTERM (graceful leave: the open step is finished, then the trainer stops and
 * the coordinator re-plans its share).
 */
public final class TrainerNode {
    private TrainerNode() {}

    /**
     * Runs until the trainer stops; returns 0 after a clean shutdown.
     *
     * @param aeronDirectory the host's driver directory to attach to (IPC), or null for an embedded driver
     */
    public static int run(Config config, int rank, List<String> seedNodes, String aeronDirectory) throws Exception {
        TransportSettings ts = TransportSettings.from(config);
        if (ts.media().equals("ipc") && aeronDirectory == null) {
            throw new IllegalArgumentException("transport.media = ipc needs --aeron-dir (the coordinator host's "
                    + "Aeron directory); use transport.media = udp between hosts");
        }
        if (seedNodes.isEmpty()) {
            throw new IllegalArgumentException("a trainer needs --seed-nodes host:port (the coordinator's node)");
        }
        RunPlan plan = RunPlan.from(config);
        Objectives objectives = Objectives.of(config);
        String node = "trainer-" + rank;
        try (NodeObservability observability = NodeObservability.start(config, node, rank);
             TensorLink link = ts.media().equals("ipc") ? TensorLink.attached(ts, aeronDirectory)
                     : TensorLink.embedded(ts)) {
            observability.metrics().link(link);
            String endpoint = ts.host() + ":0";
            CompletableFuture<ActorRef<TrainerProtocol.Command>> trainer = new CompletableFuture<>();
            CompletableFuture<Done> trainerStopped = new CompletableFuture<>();
            ActorSystem<Receptionist.Listing> system = ActorSystem.create(
                    guardian(rank, link, endpoint, objectives, plan.runId(), observability.metrics(), trainer,
                            trainerStopped),
                    ClusterConfig.SYSTEM, ClusterConfig.of(config, ClusterConfig.TRAINER, 0, seedNodes));
            // SIGTERM: a step runs inside one message, so Shutdown (queued behind it) finishes the open step
            // and the trainer's PostStop closes its streams; then the node leaves the cluster.
            GracefulLeave.install(system, node, () -> {
                if (!trainer.isDone()) {
                    return CompletableFuture.completedFuture(Done.getInstance());
                }
                trainer.join().tell(new TrainerProtocol.Shutdown());
                return trainerStopped;
            });
            system.getWhenTerminated().toCompletableFuture().get(365, TimeUnit.DAYS);
            return 0;
        }
    }

    private static Behavior<Receptionist.Listing> guardian(int rank, TensorLink link, String endpoint,
            Objectives objectives, long runId, NodeMetrics metrics,
            CompletableFuture<ActorRef<TrainerProtocol.Command>> trainerRef, CompletableFuture<Done> trainerStopped) {
        return Behaviors.setup(ctx -> {
            ctx.getSystem().receptionist().tell(Receptionist.subscribe(Coordinator.KEY, ctx.getSelf()));
            return Behaviors.receive(Receptionist.Listing.class)
                    .onMessage(Receptionist.Listing.class, listing -> {
                        var found = listing.getServiceInstances(Coordinator.KEY);
                        if (found.isEmpty()) {
                            return Behaviors.same();
                        }
                        ActorRef<CoordinatorProtocol.Command> coordinator = found.iterator().next();
                        ctx.getLog().info("rank {}: coordinator found at {}", rank, coordinator.path());
                        var trainer = ctx.spawn(Trainer.create(rank, link, endpoint, objectives, coordinator, runId,
                                metrics), "trainer-" + rank, DispatcherSelector.fromConfig("un2clip-data-plane-dispatcher"));
                        ctx.watch(trainer);
                        // A coordinator that left (SIGTERM) or was downed leaves this trainer nothing to do.
                        ctx.watch(coordinator);
                        trainerRef.complete(trainer);
                        return Behaviors.receive(Receptionist.Listing.class)
                                .onMessage(Receptionist.Listing.class, l -> Behaviors.same())
                                .onSignal(Terminated.class, t -> {
                                    if (t.getRef().equals(trainer)) {
                                        trainerStopped.complete(Done.getInstance());
                                    } else if (!trainerStopped.isDone()) {
                                        // (At a normal end the trainer was told to stop before its coordinator left.)
                                        ctx.getLog().warn("rank {}: the coordinator is gone; leaving", rank);
                                    }
                                    // Leave the cluster gracefully, then the system (and this process) ends.
                                    CoordinatedShutdown.get(ctx.getSystem())
                                            .runAll(CoordinatedShutdown.clusterLeavingReason());
                                    return Behaviors.same();
                                })
                                .build();
                    })
                    .build();
        });
    }
}
