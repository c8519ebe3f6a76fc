package org.un2clip.actors.coordinator;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.un2clip.actors.aggregator.GradientShard;
import org.un2clip.actors.aggregator.ShardOptimizer;
import org.un2clip.actors.aggregator.ShardProtocol;
import org.un2clip.actors.checkpoint.CheckpointStore;
import org.un2clip.actors.checkpoint.Checkpointer;
import org.un2clip.actors.checkpoint.TrainingState;
import org.un2clip.actors.objective.Objectives;
import org.un2clip.actors.plan.RunPlan;
import org.un2clip.actors.plan.SampleAssignment;
import org.un2clip.actors.plan.ShardLayout;
import org.un2clip.actors.trainer.TrainerProtocol;
import org.un2clip.actors.transport.TensorLink;
import org.un2clip.model.step.StepFunction;

/**
 * The run's one coordinator (a cluster singleton in spirit: one per run, in the aggregator process): the plan,
 * the step counter and data cursor, the LR schedule, membership (which rank is which trainer), the global
 * gradient norm across shards, metrics, and when to checkpoint.
 *
 * <p>Per step: every shard reports its squared norm → the coordinator computes the clip coefficient and the
 * learning rate and tells every shard to apply → shards report applied, trainers report loss → one
 * metrics line. Supervision: trainers and shards are watched; any failure fails the run loudly (the future
 * completes exceptionally) — recovery is a resume from the newest checkpoint.
 */
public final class Coordinator extends AbstractBehavior<CoordinatorProtocol.Command> {
    public static final ServiceKey<CoordinatorProtocol.Command> KEY =
            ServiceKey.create(CoordinatorProtocol.Command.class, "un2clip-coordinator");

    private final RunPlan plan;
    private final RunSettings settings;
    private final Objectives objectives;
    private final CompletableFuture<RunResult> done;
    private final CompletableFuture<Long> started;
    private final long startStep;
    private final ShardLayout layout;
    private final SampleAssignment assignment;
    private final MetricsLog metrics;
    private final ActorRef<ShardProtocol.Command>[] shards;
    private final String[] shardEndpoints;
    private final ActorRef<TrainerProtocol.Command>[] trainers;
    private final String[] trainerEndpoints;
    private final ActorRef<Checkpointer.Write> checkpointer;
    private final Map<Long, StepTally> tallies = new HashMap<>();
    private final Map<Long, CoordinatorProtocol.ShardState[]> snapshots = new HashMap<>();
    private final double lossScale;
    private boolean begun;
    private long nextMetricsStep;
    private long lastStepEndNs;
    private long lastCheckpointNs = System.nanoTime();
    private boolean checkpointRequested;
    private double lastLoss = Double.NaN;
    private float[] finalParameters;
    private boolean finalCheckpointWritten;
    private long skippedSteps;

    /** What the coordinator knows about one step while it is open. */
    private static final class StepTally {
        double sumSquares;
        int norms;
        int applied;
        int reports;
        double lossSum;
        int samples;
        double[] phases = new double[4];
        long bytes;
        double lr;
        double clip = 1;
        boolean skipped;
    }

    public static Behavior<CoordinatorProtocol.Command> create(RunPlan plan, RunSettings settings, TensorLink link,
            String bindEndpoint, Objectives objectives, Optional<TrainingState> restored, PrintStream console,
            CompletableFuture<RunResult> done) {
        return create(plan, settings, link, bindEndpoint, objectives, restored, console, done, new CompletableFuture<>());
    }

    /** As above; {@code started} completes with the start step once every trainer registered. */
    public static Behavior<CoordinatorProtocol.Command> create(RunPlan plan, RunSettings settings, TensorLink link,
            String bindEndpoint, Objectives objectives, Optional<TrainingState> restored, PrintStream console,
            CompletableFuture<RunResult> done, CompletableFuture<Long> started) {
        return Behaviors.setup(ctx -> new Coordinator(ctx, plan, settings, link, bindEndpoint, objectives, restored,
                console, done, started));
    }

    @SuppressWarnings("unchecked")
    private Coordinator(ActorContext<CoordinatorProtocol.Command> ctx, RunPlan plan, RunSettings settings,
            TensorLink link, String bindEndpoint, Objectives objectives, Optional<TrainingState> restored,
            PrintStream console, CompletableFuture<RunResult> done, CompletableFuture<Long> started) {
        super(ctx);
        this.started = started;
        this.plan = plan;
        this.settings = settings;
        this.objectives = objectives;
        this.done = done;
        this.assignment = plan.assignment();
        this.startStep = restored.map(TrainingState::step).orElse(0L);
        this.lossScale = restored.map(TrainingState::lossScale).orElse(plan.lossScale());
        this.nextMetricsStep = startStep;
        float[] master;
        float[] expAvg = null;
        float[] expAvgSq = null;
        long adamStep = 0;
        if (restored.isPresent()) {
            TrainingState s = restored.get();
            if (s.seed() != plan.seed()) {
                throw new IllegalArgumentException("checkpoint of step " + s.step() + " was made with train.seed "
                        + s.seed() + ", this run has " + plan.seed());
            }
            master = s.master();
            expAvg = s.expAvg();
            expAvgSq = s.expAvgSq();
            adamStep = s.adamStep();
        } else {
            try (StepFunction f = objectives.create()) {
                java.nio.FloatBuffer init = java.nio.FloatBuffer.allocate((int) f.parameterCount());
                f.initialParameters(init);
                master = init.array();
            }
        }
        this.layout = new ShardLayout(master.length, plan.shards());
        this.metrics = new MetricsLog(settings.runDir().resolve("metrics.jsonl"), console, plan.steps());
        this.shards = new ActorRef[plan.shards()];
        this.shardEndpoints = new String[plan.shards()];
        this.trainers = new ActorRef[plan.trainers()];
        this.trainerEndpoints = new String[plan.trainers()];
        for (int k = 0; k < plan.shards(); k++) {
            int from = layout.from(k);
            int to = from + layout.length(k);
            ShardOptimizer opt = expAvg == null ? ShardOptimizer.fresh(java.util.Arrays.copyOfRange(master, from, to))
                    : new ShardOptimizer(java.util.Arrays.copyOfRange(master, from, to),
                            java.util.Arrays.copyOfRange(expAvg, from, to),
                            java.util.Arrays.copyOfRange(expAvgSq, from, to), adamStep);
            shards[k] = ctx.spawn(GradientShard.create(k, layout, opt, link, bindEndpoint, plan.runId(), ctx.getSelf()),
                    "shard-" + k, DispatcherSelector.fromConfig("un2clip-data-plane-dispatcher"));
            ctx.watchWith(shards[k], new CoordinatorProtocol.NodeFailed("shard " + k, "stopped"));
        }
        this.checkpointer = ctx.spawn(Checkpointer.create(new CheckpointStore(settings.checkpoints(),
                settings.checkpointKeep())), "checkpointer", DispatcherSelector.blocking());
        ctx.getSystem().receptionist().tell(org.apache.pekko.actor.typed.receptionist.Receptionist.register(KEY,
                ctx.getSelf()));
        ctx.getLog().info("run {}: {} trainers, {} shards of {} parameters, steps {}..{}", plan.runId(),
                plan.trainers(), plan.shards(), master.length, startStep, plan.steps());
    }

    @Override
    public Receive<CoordinatorProtocol.Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(CoordinatorProtocol.ShardReady.class, m -> {
                    shardEndpoints[m.shard()] = m.endpoint();
                    return maybeBegin();
                })
                .onMessage(CoordinatorProtocol.RegisterTrainer.class, this::onRegister)
                .onMessage(CoordinatorProtocol.GradientNorm.class, this::onNorm)
                .onMessage(CoordinatorProtocol.ShardApplied.class, this::onApplied)
                .onMessage(CoordinatorProtocol.StepDone.class, this::onStepDone)
                .onMessage(CoordinatorProtocol.ShardState.class, this::onShardState)
                .onMessage(CoordinatorProtocol.CheckpointDone.class, this::onCheckpointDone)
                .onMessage(CoordinatorProtocol.RequestCheckpoint.class, m -> {
                    checkpointRequested = true;
                    return this;
                })
                .onMessage(CoordinatorProtocol.NodeFailed.class, this::onFailed)
                .build();
    }

    private Behavior<CoordinatorProtocol.Command> onRegister(CoordinatorProtocol.RegisterTrainer m) {
        if (m.rank() < 0 || m.rank() >= trainers.length) {
            getContext().getLog().error("trainer registered as rank {} but the run has {} trainers", m.rank(),
                    trainers.length);
            return this;
        }
        if (trainers[m.rank()] != null) {
            return fail("rank " + m.rank() + " registered twice (" + trainers[m.rank()] + ", " + m.trainer() + ")");
        }
        trainers[m.rank()] = m.trainer();
        trainerEndpoints[m.rank()] = m.endpoint();
        getContext().watchWith(m.trainer(), new CoordinatorProtocol.NodeFailed("trainer " + m.rank(), "stopped"));
        return maybeBegin();
    }

    private Behavior<CoordinatorProtocol.Command> maybeBegin() {
        for (String e : shardEndpoints) {
            if (e == null) {
                return this;
            }
        }
        for (String e : trainerEndpoints) {
            if (e == null) {
                return this;
            }
        }
        if (startStep >= plan.steps()) {
            return fail("nothing to do: the run is already at step " + startStep + " of " + plan.steps());
        }
        begun = true;
        started.complete(startStep);
        lastStepEndNs = System.nanoTime();
        for (ActorRef<TrainerProtocol.Command> t : trainers) {
            t.tell(new TrainerProtocol.Begin(plan, startStep, shardEndpoints));
        }
        for (ActorRef<ShardProtocol.Command> s : shards) {
            s.tell(new ShardProtocol.Begin(plan, startStep, trainerEndpoints));
        }
        return this;
    }

    private StepTally tally(long step) {
        return tallies.computeIfAbsent(step, s -> new StepTally());
    }

    private Behavior<CoordinatorProtocol.Command> onNorm(CoordinatorProtocol.GradientNorm m) {
        StepTally t = tally(m.step());
        t.sumSquares += m.sumSquares();
        if (++t.norms < shards.length) {
            return this;
        }
        double norm = Math.sqrt(t.sumSquares);
        t.skipped = !Double.isFinite(norm);
        if (t.skipped) {
            skippedSteps++;
            getContext().getLog().warn("step {}: non-finite gradient norm, update skipped ({} so far)", m.step(),
                    skippedSteps);
        }
        // torch.nn.utils.clip_grad_norm_: coefficient max_norm / (norm + 1e-6), clamped to 1.
        t.clip = plan.clipGradNorm() > 0 && !t.skipped ? Math.min(1.0, plan.clipGradNorm() / (norm + 1e-6)) : 1.0;
        t.lr = plan.schedule().at(m.step());
        for (ActorRef<ShardProtocol.Command> s : shards) {
            s.tell(new ShardProtocol.Apply(m.step(), t.lr, t.clip, t.skipped));
        }
        return this;
    }

    private Behavior<CoordinatorProtocol.Command> onApplied(CoordinatorProtocol.ShardApplied m) {
        StepTally t = tally(m.step());
        if (++t.applied < shards.length) {
            return this;
        }
        long completed = m.step() + 1;
        boolean timeDue = !settings.checkpointEveryTime().isZero()
                && System.nanoTime() - lastCheckpointNs >= settings.checkpointEveryTime().toNanos();
        boolean stepDue = settings.checkpointEverySteps() > 0 && completed % settings.checkpointEverySteps() == 0;
        if (stepDue || timeDue || checkpointRequested || completed == plan.steps()) {
            checkpointRequested = false;
            lastCheckpointNs = System.nanoTime();
            snapshots.put(completed, new CoordinatorProtocol.ShardState[shards.length]);
            for (ActorRef<ShardProtocol.Command> s : shards) {
                s.tell(new ShardProtocol.Snapshot(completed, getContext().getSelf()));
            }
        }
        return writeMetrics();
    }

    private Behavior<CoordinatorProtocol.Command> onStepDone(CoordinatorProtocol.StepDone m) {
        StepTally t = tally(m.step());
        t.reports++;
        t.lossSum += m.lossSum();
        t.samples += m.samples();
        t.phases[0] = Math.max(t.phases[0], m.dataNanos() / 1e9);
        t.phases[1] = Math.max(t.phases[1], m.computeNanos() / 1e9);
        t.phases[2] = Math.max(t.phases[2], m.sendNanos() / 1e9);
        t.phases[3] = Math.max(t.phases[3], m.waitNanos() / 1e9);
        t.bytes += m.bytesSent();
        return writeMetrics();
    }

    /** Writes the metrics lines of every fully finished step, in order. */
    private Behavior<CoordinatorProtocol.Command> writeMetrics() {
        StepTally t;
        while ((t = tallies.get(nextMetricsStep)) != null && t.applied == shards.length && t.reports == trainers.length) {
            long now = System.nanoTime();
            double seconds = Math.max(1e-9, (now - lastStepEndNs) / 1e9);
            lastStepEndNs = now;
            lastLoss = t.lossSum / t.samples;
            metrics.step(nextMetricsStep, lastLoss, t.lr, t.samples, seconds, t.phases,
                    t.bytes + (long) layout.parameters() * 4L * trainers.length, t.clip, t.skipped);
            tallies.remove(nextMetricsStep);
            nextMetricsStep++;
        }
        return maybeFinish();
    }

    private Behavior<CoordinatorProtocol.Command> onShardState(CoordinatorProtocol.ShardState m) {
        CoordinatorProtocol.ShardState[] parts = snapshots.get(m.step());
        parts[m.shard()] = m;
        for (CoordinatorProtocol.ShardState p : parts) {
            if (p == null) {
                return this;
            }
        }
        snapshots.remove(m.step());
        int n = (int) layout.parameters();
        float[] master = new float[n];
        float[] expAvg = new float[n];
        float[] expAvgSq = new float[n];
        for (CoordinatorProtocol.ShardState p : parts) {
            int from = layout.from(p.shard());
            System.arraycopy(p.master(), 0, master, from, p.master().length);
            System.arraycopy(p.expAvg(), 0, expAvg, from, p.expAvg().length);
            System.arraycopy(p.expAvgSq(), 0, expAvgSq, from, p.expAvgSq().length);
        }
        SampleAssignment.Cursor cursor = assignment.cursor(m.step());
        TrainingState state = new TrainingState(m.step(), parts[0].adamStep(), plan.seed(), cursor.epoch(),
                cursor.offset(), lossScale, master, expAvg, expAvgSq);
        if (m.step() == plan.steps()) {
            finalParameters = master;
        }
        checkpointer.tell(new Checkpointer.Write(state, settings.resolvedConfig(), getContext().getSelf()));
        return this;
    }

    private Behavior<CoordinatorProtocol.Command> onCheckpointDone(CoordinatorProtocol.CheckpointDone m) {
        if (m.error() != null) {
            getContext().getLog().error("checkpoint of step {} failed: {}", m.step(), m.error());
            if (m.step() == plan.steps()) {
                return fail("the final checkpoint failed: " + m.error());
            }
            return this;
        }
        getContext().getLog().info("checkpoint of step {} written to {}", m.step(), m.path());
        if (m.step() == plan.steps()) {
            finalCheckpointWritten = true;
        }
        return maybeFinish();
    }

    private Behavior<CoordinatorProtocol.Command> maybeFinish() {
        if (!finalCheckpointWritten || nextMetricsStep < plan.steps()) {
            return this;
        }
        try {
            Path encoder = settings.runDir().resolve("encoder.safetensors");
            objectives.writeEncoder(finalParameters, encoder);
        } catch (Exception e) {
            return fail("cannot write the encoder: " + e);
        }
        shutdownAll();
        done.complete(new RunResult(plan.steps(), finalParameters, lastLoss));
        metrics.close();
        return Behaviors.stopped();
    }

    private Behavior<CoordinatorProtocol.Command> onFailed(CoordinatorProtocol.NodeFailed m) {
        if (done.isDone()) {
            return this;
        }
        return fail(m.who() + " failed: " + m.reason());
    }

    private Behavior<CoordinatorProtocol.Command> fail(String why) {
        getContext().getLog().error("run failed: {}", why);
        shutdownAll();
        done.completeExceptionally(new IllegalStateException(why));
        metrics.close();
        return Behaviors.stopped();
    }

    private void shutdownAll() {
        for (ActorRef<TrainerProtocol.Command> t : trainers) {
            if (t != null) {
                getContext().unwatch(t);
                t.tell(new TrainerProtocol.Shutdown());
            }
        }
        for (ActorRef<ShardProtocol.Command> s : shards) {
            getContext().unwatch(s);
            s.tell(new ShardProtocol.Shutdown());
        }
    }

    boolean begun() {
        return begun;
    }
}
