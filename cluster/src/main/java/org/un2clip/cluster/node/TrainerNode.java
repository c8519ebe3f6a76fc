package org.un2clip.cluster.node;

import com.typesafe.config.Config;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.un2clip.actors.coordinator.Coordinator;
import org.un2clip.actors.coordinator.CoordinatorProtocol;
import org.un2clip.actors.objective.Objectives;
import org.un2clip.actors.plan.RunPlan;
import org.un2clip.actors.trainer.Trainer;
import org.un2clip.actors.transport.TensorLink;
import org.un2clip.actors.transport.TransportSettings;

/**
 * One trainer process: joins the cluster, finds the coordinator through the receptionist, runs one
 * Trainer (and its DataLoader), and ends when the trainer stops.
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
        try (TensorLink link = ts.media().equals("ipc") ? TensorLink.attached(ts, aeronDirectory)
                : TensorLink.embedded(ts)) {
            String endpoint = ts.host() + ":0";
            ActorSystem<Receptionist.Listing> system = ActorSystem.create(
                    guardian(rank, link, endpoint, objectives, plan.runId()), ClusterConfig.SYSTEM,
                    ClusterConfig.of(config, "trainer", 0, seedNodes));
            system.getWhenTerminated().toCompletableFuture().get(365, TimeUnit.DAYS);
            return 0;
        }
    }

    private static Behavior<Receptionist.Listing> guardian(int rank, TensorLink link, String endpoint,
            Objectives objectives, long runId) {
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
                        var trainer = ctx.spawn(Trainer.create(rank, link, endpoint, objectives, coordinator, runId),
                                "trainer-" + rank, DispatcherSelector.fromConfig("un2clip-data-plane-dispatcher"));
                        ctx.watch(trainer);
                        // A lost coordinator (its node downed) ends the run this trainer belongs to: leave rather
                        // than wait forever; a restarted coordinator (--resume) gets fresh trainers.
                        ctx.watch(coordinator);
                        return Behaviors.receive(Receptionist.Listing.class)
                                .onMessage(Receptionist.Listing.class, l -> Behaviors.same())
                                .onSignal(Terminated.class, t -> {
                                    if (t.getRef().equals(coordinator)) {
                                        ctx.getLog().warn("rank {}: the coordinator is gone; leaving", rank);
                                    }
                                    // Leave the cluster gracefully, then the system (and this process) ends.
                                    org.apache.pekko.actor.CoordinatedShutdown.get(ctx.getSystem())
                                            .runAll(org.apache.pekko.actor.CoordinatedShutdown.clusterLeavingReason());
                                    return Behaviors.same();
                                })
                                .build();
                    })
                    .build();
        });
    }
}
