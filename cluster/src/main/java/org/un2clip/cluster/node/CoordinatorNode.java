package org.un2clip.cluster.node;

import com.typesafe.config.Config;
import java.io.PrintStream;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.un2clip.actors.checkpoint.CheckpointStore;
import org.un2clip.actors.checkpoint.TrainingState;
import org.un2clip.actors.coordinator.Coordinator;
import org.un2clip.actors.coordinator.CoordinatorProtocol;
import org.un2clip.actors.coordinator.RunHostProtocol;
import org.un2clip.actors.coordinator.RunResult;
import org.un2clip.actors.coordinator.RunSettings;
import org.un2clip.actors.coordinator.ShardFactory;
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
 * The coordinator/aggregator process: the run host (a cluster singleton, {@link CoordinatorSingleton}) and under it
 * each run's Coordinator with its gradient shards and Checkpointer, an
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
    /** How long the run host has to start a run's Coordinator (the singleton starts once this node is Up). */
    private static final java.time.Duration START_TIMEOUT = java.time.Duration.ofSeconds(30);
    /** The run host singleton's proxy (the singleton runs in this node: the only one with the role). */
    private final ActorRef<RunHostProtocol.Command> host;
    /** The current run's Coordinator, once the run host started it. */
    private volatile CompletableFuture<ActorRef<CoordinatorProtocol.Command>> coordinator;
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
        try {
            this.system = ActorSystem.create(Behaviors.empty(), ClusterConfig.SYSTEM, ClusterConfig.of(config,
                    ClusterConfig.COORDINATOR, config.getInt("cluster.port"), seedNodes));
        } catch (RuntimeException e) {
            link.close();
            observability.close();
            throw e;
        }
        this.host = CoordinatorSingleton.init(system);
        this.coordinator = start(Coordinator.create(plan, settings, shards(), objectives,
                restored, console, done, begun, observability.metrics()), plan, settings, done);
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
                        coordinator.join(), run,   // (bounded: the run host's answer times out)
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
     * A session's next run, once the previous one finished: a new Coordinator, the run host's next child (plan, objective, data
     * and run folder from {@code config}; the node's transport and cluster stay; the node's metrics endpoint keeps
     * serving the first run's series, labelled with its run, so a later run feeds metrics nobody serves). Trainer JVMs
     * started with {@code --session} serve it: the run host tells them of it with its configuration, and they rebuild
     * their objective.
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
        coordinator = start(Coordinator.create(plan, settings, shards(), objectives,
                Optional.empty(), console, nextDone, nextBegun), plan, settings, nextDone);
        done = nextDone;
        begun = nextBegun;
    }

    /** The run's gradient shards: on this node's link, each on its own UDP port of transport.host. */
    private ShardFactory shards() {
        return ShardFactory.onLink(link, link.settings().host() + ":0");
    }

    /**
     * Has the run host start a run's Coordinator; a host that does not answer (the singleton never started) fails
     * the run, so that no caller waits for a result that cannot come.
     */
    private CompletableFuture<ActorRef<CoordinatorProtocol.Command>> start(Behavior<CoordinatorProtocol.Command> c,
            RunPlan plan, RunSettings settings, CompletableFuture<RunResult> runDone) {
        CompletableFuture<ActorRef<CoordinatorProtocol.Command>> started = AskPattern.<RunHostProtocol.Command,
                        RunHostProtocol.Started>ask(host, replyTo -> new RunHostProtocol.StartRun(c, plan.runId(),
                        settings.resolvedConfig(), replyTo), START_TIMEOUT, system.scheduler())
                .toCompletableFuture().thenApply(RunHostProtocol.Started::coordinator);
        started.whenComplete((ref, e) -> {
            if (e != null) {
                runDone.completeExceptionally(new IllegalStateException("the run host (cluster singleton) did not "
                        + "start the run's coordinator within " + START_TIMEOUT.toSeconds() + " s: " + e.getMessage(), e));
            }
        });
        return started;
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
