package org.un2clip.cluster.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.un2clip.actors.coordinator.RunHost;
import org.un2clip.actors.coordinator.RunHostProtocol;
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
 * One trainer process: joins the cluster, reaches the coordinator through the proxy of the run host singleton
 * ({@link CoordinatorSingleton}), runs one
 * Trainer (and its DataLoader), serves its Prometheus metrics, and ends when the trainer stops, when the
 * coordinator is gone, or on SIGTERM (graceful leave: the open step is finished, then the trainer stops and the
 * coordinator re-plans its share). With {@code session}, the process serves successive runs of one coordinator
 * node instead ({@link CoordinatorNode#nextRun}): after a run it asks the run host for the next run, which comes
 * with the run's configuration, rebuilds its objective and trains again; it ends when the coordinator node leaves.
 */
public final class TrainerNode {
    private TrainerNode() {}

    /**
     * Runs until the trainer stops (a session: until the coordinator node leaves); returns 0 after a clean shutdown.
     *
     * @param aeronDirectory the host's driver directory to attach to (IPC), or null for an embedded driver
     */
    public static int run(Config config, int rank, List<String> seedNodes, String aeronDirectory, boolean session)
            throws Exception {
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
            AtomicReference<Running> running = new AtomicReference<>();
            ActorSystem<Event> system = ActorSystem.create(
                    Behaviors.setup(ctx -> new Guardian(ctx, rank, link, endpoint, objectives, plan.runId(), session,
                            observability.metrics(), running)),
                    ClusterConfig.SYSTEM, ClusterConfig.of(config, ClusterConfig.TRAINER, 0, seedNodes));
            // SIGTERM: a step runs inside one message, so Shutdown (queued behind it) finishes the open step
            // and the trainer's PostStop closes its streams; then the node leaves the cluster.
            GracefulLeave.install(system, node, () -> {
                Running r = running.get();
                if (r == null) {
                    return CompletableFuture.completedFuture(Done.getInstance());
                }
                r.trainer().tell(new TrainerProtocol.Shutdown());
                return r.stopped();
            });
            system.getWhenTerminated().toCompletableFuture().get(365, TimeUnit.DAYS);
            return 0;
        }
    }

    /** The run in progress, read by the SIGTERM hook off the actor's thread: its trainer, and when it stopped. */
    private record Running(ActorRef<TrainerProtocol.Command> trainer, CompletableFuture<Done> stopped) {}

    /** What the trainer node's guardian reacts to. */
    sealed interface Event {}

    /** The run host named the run to serve next. */
    private record Opened(RunHostProtocol.RunOpen run) implements Event {}

    /** A session's coordinator node is leaving the cluster: the session is over. */
    private record CoordinatorLeft(String address) implements Event {}

    /** Any other membership change (trainers joining or leaving). */
    private record OtherMemberEvent() implements Event {}

    /**
     * Starts one Trainer per run: the first with the objective built from the process's configuration, later ones
     * (session) with the objective of the configuration the run host sends with the run. One run at a time.
     */
    private static final class Guardian extends AbstractBehavior<Event> {
        private final int rank;
        private final TensorLink link;
        private final String endpoint;
        private final Objectives firstObjectives;
        private final long firstRunId;
        private final boolean session;
        /** The proxy of the run host singleton: everything the trainer tells its Coordinator goes through it. */
        private final ActorRef<RunHostProtocol.Command> host;
        private final ActorRef<RunHostProtocol.RunOpen> opened;
        private final NodeMetrics metrics;
        private final AtomicReference<Running> running;
        private ActorRef<TrainerProtocol.Command> trainer;
        /** The number of the newest run this node served (or skipped); 0 before the first. */
        private int lastRun;
        private int served;
        private boolean over;

        Guardian(ActorContext<Event> ctx, int rank, TensorLink link, String endpoint, Objectives objectives, long runId,
                boolean session, NodeMetrics metrics, AtomicReference<Running> running) {
            super(ctx);
            this.metrics = metrics;
            this.running = running;
            this.rank = rank;
            this.link = link;
            this.endpoint = endpoint;
            this.firstObjectives = objectives;
            this.firstRunId = runId;
            this.session = session;
            this.opened = ctx.messageAdapter(RunHostProtocol.RunOpen.class, Opened::new);
            // The proxy buffers the request until it has located the singleton on the coordinator node.
            this.host = CoordinatorSingleton.init(ctx.getSystem());
            host.tell(new RunHostProtocol.AwaitRun(0, opened));
            if (session) {
                Cluster.get(ctx.getSystem()).subscriptions().tell(Subscribe.create(ctx.messageAdapter(
                        ClusterEvent.MemberEvent.class, e -> leaving(e)), ClusterEvent.MemberEvent.class));
            }
        }

        /** A coordinator member that leaves, exits or is removed ends the session; other member events are ignored. */
        private static Event leaving(ClusterEvent.MemberEvent e) {
            boolean gone = e instanceof ClusterEvent.MemberLeft || e instanceof ClusterEvent.MemberExited
                    || e instanceof ClusterEvent.MemberRemoved;
            return gone && e.member().hasRole(ClusterConfig.COORDINATOR)
                    ? new CoordinatorLeft(e.member().address().toString()) : new OtherMemberEvent();
        }

        @Override
        public Receive<Event> createReceive() {
            return newReceiveBuilder()
                    .onMessage(Opened.class, o -> onOpened(o.run()))
                    .onMessage(OtherMemberEvent.class, m -> this)
                    .onMessage(CoordinatorLeft.class, m -> {
                        if (over) {
                            return this;    // left, exited, removed: one member going away, told three times
                        }
                        over = true;
                        getContext().getLog().info("rank {}: the coordinator node {} left: session over", rank, m.address());
                        return leave();
                    })
                    .onSignal(Terminated.class, t -> {
                        if (t.getRef().equals(trainer)) {
                            trainer = null;
                            running.getAndSet(null).stopped().complete(Done.getInstance());
                            if (session) {
                                host.tell(new RunHostProtocol.AwaitRun(lastRun, opened));
                                return this;
                            }
                            return leave();
                        }
                        // The (non-session) run's coordinator left (SIGTERM) or was downed: nothing left to do.
                        // At a normal end the trainer was told to stop before its coordinator left.
                        if (trainer != null) {
                            getContext().getLog().warn("rank {}: the coordinator is gone; leaving", rank);
                        }
                        return leave();
                    })
                    .build();
        }

        /** The first run is trained with the process's objective; a session's later ones with the run's own. */
        private Behavior<Event> onOpened(RunHostProtocol.RunOpen o) {
            if (trainer != null || o.run() <= lastRun) {
                // Asked once per run, after the previous trainer stopped: an answer now is not for this node.
                getContext().getLog().warn("rank {}: ignored run {} of the run host: serving run {}", rank, o.run(), lastRun);
                return this;
            }
            if (served == 0) {
                return start(o, firstObjectives, firstRunId);
            }
            Objectives objectives;
            try {
                objectives = Objectives.of(ConfigFactory.parseString(o.config()).resolve());
            } catch (RuntimeException e) {
                // The coordinator sees no registration and fails the run at its join deadline; say why here.
                getContext().getLog().error("rank {}: cannot build the objective of run {} ({}): {}", rank, o.run(),
                        o.coordinator().path(), e.getMessage());
                lastRun = o.run();
                host.tell(new RunHostProtocol.AwaitRun(lastRun, opened));
                return this;
            }
            return start(o, objectives, o.runId());
        }

        private Behavior<Event> start(RunHostProtocol.RunOpen o, Objectives objectives, long runId) {
            served++;
            lastRun = o.run();
            getContext().getLog().info("rank {}: coordinator found at {} (run {} of the run host)", rank,
                    o.coordinator().path(), o.run());
            // The trainer's messages go through the singleton proxy, addressed to this run: a late one reaches no
            // later run's Coordinator. The forwarder lives as long as the node (one small actor per run): stopping
            // it when the trainer stops could drop the trainer's last messages still in its mailbox.
            ActorRef<CoordinatorProtocol.Command> coordinator = getContext().spawn(
                    RunHost.addressedTo(host, o.run()), "to-run-" + o.run());
            String name = served == 1 ? "trainer-" + rank : "trainer-" + rank + "-run-" + served;
            // The node's endpoint serves the first run's series (labelled with its run); a session's later runs
            // feed their own, unserved metrics rather than register those series twice.
            var behavior = served == 1 ? Trainer.create(rank, link, endpoint, objectives, coordinator, runId, metrics)
                    : Trainer.create(rank, link, endpoint, objectives, coordinator, runId);
            trainer = getContext().spawn(behavior, name, DispatcherSelector.fromConfig("un2clip-data-plane-dispatcher"));
            getContext().watch(trainer);
            running.set(new Running(trainer, new CompletableFuture<>()));
            if (!session) {
                // A session's Coordinators end with their runs; its end is the coordinator node leaving (above).
                getContext().watch(o.coordinator());
            }
            return this;
        }

        /** Leave the cluster gracefully, then the system (and this process) ends. */
        private Behavior<Event> leave() {
            CoordinatedShutdown.get(getContext().getSystem()).runAll(CoordinatedShutdown.clusterLeavingReason());
            return this;
        }
    }
}
