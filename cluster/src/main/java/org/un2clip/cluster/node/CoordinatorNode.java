package org.un2clip.cluster.node;

import com.typesafe.config.Config;
import java.io.PrintStream;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.un2clip.actors.checkpoint.CheckpointStore;
import org.un2clip.actors.checkpoint.TrainingState;
import org.un2clip.actors.coordinator.Coordinator;
import org.un2clip.actors.coordinator.RunResult;
import org.un2clip.actors.coordinator.RunSettings;
import org.un2clip.actors.objective.Objectives;
import org.un2clip.actors.plan.RunPlan;
import org.un2clip.actors.transport.TensorLink;
import org.un2clip.actors.transport.TransportSettings;
import org.un2clip.cluster.control.ControlServer;
import org.un2clip.cluster.control.ControlSettings;
import org.un2clip.cluster.control.CoordinatorRunControl;
import org.un2clip.cluster.ops.GracefulLeave;
import org.un2clip.cluster.control.RunStatus;
import org.un2clip.cluster.ops.NodeObservability;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator/aggregator process: the Coordinator, the gradient shards and the Checkpointer, an
 * embedded media driver (trainers of this host attach to it over IPC) and a Pekko Cluster node that founds
 * the cluster when it has no seed nodes. It also serves the operator: the control endpoint (the Coordinator answers every command: {@link CoordinatorRunControl}) and the
 * node's Prometheus metrics.
 */
public final class CoordinatorNode implements AutoCloseable {
    private final TensorLink link;
    private final ActorSystem<Void> system;
    private final PrintStream console;
    /** The current run's result and start (a session's later runs replace them). */
    private volatile CompletableFuture<RunResult> done = new CompletableFuture<>();
    private volatile CompletableFuture<Long> begun = new CompletableFuture<>();
    private int runs = 1;
    private final CompletableFuture<org.apache.pekko.actor.typed.ActorRef<
            org.un2clip.actors.coordinator.CoordinatorProtocol.Command>> coordinator = new CompletableFuture<>();
    private static final Logger LOG = LoggerFactory.getLogger(CoordinatorNode.class);
    private ControlServer control;
    private final NodeObservability observability;

    /**
     * @param resume what a resume found (the state, the checkpoint used, damaged ones skipped: the control
     *               endpoint's status shows it); empty for a fresh run
     */
    public CoordinatorNode(Config config, List<String> seedNodes, Optional<CheckpointStore.Restore> resume,
            PrintStream console) {
        this.console = console;
        Optional<TrainingState> restored = resume.flatMap(CheckpointStore.Restore::state);
        RunPlan plan = RunPlan.from(config);
        RunSettings settings = RunSettings.from(config);
        Objectives objectives = Objectives.of(config);
        // Metrics first: the Coordinator feeds them from its first step; the endpoint's address file lets a
        // scraper find it (RUN_DIR/metrics/coordinator.address).
        this.observability = NodeObservability.start(config, "coordinator", -1);
        try {
            this.link = TensorLink.embedded(TransportSettings.from(config));
        } catch (RuntimeException e) {
            observability.close();
            throw e;
        }
        observability.metrics().link(link);
        CompletableFuture<RunResult> done = this.done;
        CompletableFuture<Long> begun = this.begun;
        String endpoint = link.settings().host() + ":0";
        try {
            this.system = ActorSystem.create(Behaviors.setup(ctx -> {
                coordinator.complete(ctx.spawn(Coordinator.create(plan, settings, link, endpoint, objectives,
                        restored, console, done, begun, observability.metrics()), "coordinator"));
                return Behaviors.empty();
            }), ClusterConfig.SYSTEM, ClusterConfig.of(config, ClusterConfig.COORDINATOR, config.getInt("cluster.port"),
                    seedNodes));
        } catch (RuntimeException e) {
            link.close();
            observability.close();
            throw e;
        }
        String run = config.getString("run.name");
        // SIGTERM: the open step is abandoned (the run continues from the newest checkpoint with --resume);
        // say where the run stood, then leave the cluster (trainers watching the coordinator leave too).
        GracefulLeave.install(system, "coordinator", () -> this.done.isDone()
                ? CompletableFuture.completedFuture(Done.getInstance())    // ended (or closing after it ended)
                : new CoordinatorRunControl(system, coordinator.join(), run, null).status().handle((s, e) -> {
                    if (s != null) {
                        LOG.warn("coordinator leaving at step {} of {}: the open step is abandoned; newest checkpoint: {}",
                                s.step(), s.totalSteps(), s.lastCheckpoint() == null ? "none"
                                        : "step " + s.lastCheckpoint().step() + " (" + s.lastCheckpoint().path() + ")");
                    }
                    return Done.getInstance();
                }));
        if (seedNodes.isEmpty()) {
            Cluster cluster = Cluster.get(system);
            cluster.manager().tell(Join.create(cluster.selfMember().address()));
            awaitUp(cluster);
        }
        try {
            java.nio.file.Files.createDirectories(java.nio.file.Path.of(config.getString("run.dir")));
            if (config.getBoolean("control.enabled")) {
                control = ControlServer.start(system, new CoordinatorRunControl(system,
                        coordinator.orTimeout(30, java.util.concurrent.TimeUnit.SECONDS).join(), run,
                        resume.map(RunStatus.Resumed::of).orElse(null)),
                        ControlSettings.from(config));
            }
        } catch (java.io.IOException | RuntimeException e) {
            close();
            throw new IllegalStateException("coordinator node: cannot start the operator endpoints: " + e.getMessage(), e);
        }
    }

    /** "host:port" of the Prometheus endpoint, or null when metrics.enabled is off. */
    public String metricsAddress() {
        return observability.address();
    }

    /**
     * A session's next run, once the previous one finished: a new Coordinator in this node (plan, objective, data
     * and run folder from {@code config}; the node's transport and cluster stay; the node's metrics endpoint keeps
     * serving the first run's series, labelled with its run, so a later run feeds metrics nobody serves). Trainer JVMs
     * started with {@code --session} serve it: they ask it for its configuration and rebuild their objective.
     * {@link #done()} and {@link #begun()} then refer to this run.
     */
    public synchronized void nextRun(Config config) {
        if (!done.isDone()) {
            throw new IllegalStateException("the node's previous run has not finished");
        }
        if (control != null) {
            throw new IllegalStateException("a session's later runs have no control endpoint: set control.enabled = false");
        }
        RunPlan plan = RunPlan.from(config);
        RunSettings settings = RunSettings.from(config);
        Objectives objectives = Objectives.of(config);
        CompletableFuture<RunResult> nextDone = new CompletableFuture<>();
        CompletableFuture<Long> nextBegun = new CompletableFuture<>();
        system.systemActorOf(Coordinator.create(plan, settings, link, link.settings().host() + ":0", objectives, Optional.empty(),
                console, nextDone, nextBegun), "coordinator-" + runs++,
                org.apache.pekko.actor.typed.Props.empty());
        done = nextDone;
        begun = nextBegun;
    }

    /** "host:port" of the control endpoint, or null when control.enabled is off. */
    public String controlAddress() {
        return control == null ? null : control.address();
    }

    /** Trainers started before the founding node is Up would wait for a join retry. */
    private static void awaitUp(Cluster cluster) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (cluster.selfMember().status() != org.apache.pekko.cluster.MemberStatus.up()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the coordinator node did not come up as a cluster member in 30 s");
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while founding the cluster", e);
            }
        }
    }

    /** "host:port" trainers give as their seed node. */
    public String clusterAddress() {
        var a = Cluster.get(system).selfMember().address();
        return a.getHost().get() + ":" + a.getPort().get();
    }

    /** The Aeron directory trainers of this host attach to (IPC). */
    public String aeronDirectory() {
        return link.directory();
    }

    /** True once every trainer registered and the run began. */
    public boolean begun() {
        return begun.isDone();
    }

    public CompletableFuture<RunResult> done() {
        return done;
    }

    @Override
    public void close() {
        if (control != null) {
            control.close();
        }
        observability.close();
        system.terminate();
        try {
            system.getWhenTerminated().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // Closing anyway.
        }
        link.close();
    }
}
