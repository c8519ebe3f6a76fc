package org.un2clip.actors.coordinator;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
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
import org.un2clip.actors.aggregator.ShardOptimizer;
import org.un2clip.actors.aggregator.ShardProtocol;
import org.un2clip.actors.checkpoint.CheckpointStore;
import org.un2clip.actors.checkpoint.Checkpointer;
import org.un2clip.actors.checkpoint.TrainingState;
import org.un2clip.actors.metrics.MetricsRegistry;
import org.un2clip.actors.metrics.NodeMetrics;
import org.un2clip.actors.objective.Objectives;
import org.un2clip.actors.plan.RunPlan;
import org.un2clip.actors.plan.LossScaler;
import org.un2clip.actors.plan.SampleAssignment;
import org.un2clip.actors.plan.ShardLayout;
import org.un2clip.actors.trainer.TrainerProtocol;
import org.un2clip.model.step.StepFunction;

/**
 * The run's one coordinator (one per run, in the aggregator process: a child of the cluster singleton
 * {@link RunHost}, through which trainers reach it): the plan,
 * the step counter and data cursor, the LR schedule, membership (which rank is which trainer), the global
 * gradient norm across shards, metrics, and when to checkpoint.
 *
 * <p>Per step: every shard reports its squared norm → the coordinator computes the clip coefficient and the
 * learning rate and tells every shard to apply → shards report applied, trainers report loss → one
 * metrics line.
 *
 * <p>Fault tolerance (sync mode): a trainer lost — its actor stopped, its node unreachable, its gradient
 * stream broken, stalled past 2 × the stall bound, or drained — leaves the live set; every step whose
 * gradients are not all in is re-planned over the live ranks under a new plan generation (shares, gradient
 * chunks and reports carry it, so nothing of the old plan mixes in). A replacement that registers as a lost
 * rank rejoins the same way. A shard failing, or the last trainer lost, fails the run loudly (the future
 * completes exceptionally) — recovery is a resume from the newest checkpoint.
 *
 * <p>Operator commands ({@link CoordinatorProtocol.Operator}) act at step boundaries: pause is a handshake
 * (every trainer promises not to start step P before any update that would enable P is sent).
 */
public final class Coordinator extends AbstractBehavior<CoordinatorProtocol.Command> {
    private static final java.time.Duration STALL_CHECK_EVERY = java.time.Duration.ofMillis(500);
    private final RunPlan plan;
    private final RunSettings settings;
    private final Objectives objectives;
    private final CompletableFuture<RunResult> done;
    private final CompletableFuture<Long> started;
    private final long startStep;
    private final ShardLayout layout;
    private final SampleAssignment assignment;
    private final MetricsLog metrics;
    /** The node's Prometheus metrics: the same step numbers as metrics.jsonl, plus queue depths. */
    private final NodeMetrics nodeMetrics;
    private final MetricsRegistry.Gauge openSteps;
    private final MetricsRegistry.Gauge deferredApplyDepth;
    private final List<ActorRef<ShardProtocol.Command>> shards = new ArrayList<>();
    private final String[] shardEndpoints;
    private final List<ActorRef<TrainerProtocol.Command>> trainers;
    private final String[] trainerEndpoints;
    private final ActorRef<Checkpointer.Write> checkpointer;
    private final Map<Long, StepTally> tallies = new HashMap<>();
    private final Map<Long, PendingSnapshot> snapshots = new HashMap<>();
    /** The loss scale of the next undecided step (static unless train.loss-scale-dynamic). */
    private LossScaler scaler;
    /** The scaler before the last decided step, {@link #decidedStep} (a re-reduced step is decided again from it). */
    private LossScaler scalerBefore;
    private long decidedStep = -1;
    private long nextMetricsStep;
    private long lastStepEndNs;
    /** When a replacement last rejoined: its share of the open step starts then, so the stall clock does too. */
    private long rejoinedNs;
    private long lastCheckpointNs = System.nanoTime();
    private boolean checkpointRequested;
    private double lastLoss = Double.NaN;
    private float[] finalParameters;
    private boolean finalCheckpointWritten;
    private long skippedSteps;
    /** Steps of this run: plan.steps(), or the boundary an operator's stop ends the run at. */
    private long finalStep;
    private boolean begun;
    private long lastApplySent;
    private final OperatorState operator = new OperatorState();
    private final List<ShardProtocol.Apply> deferredApplies = new ArrayList<>();
    private final RecentSteps recent = new RecentSteps(20);
    private final long[] rankReportNs;
    private final double[] rankBusySeconds;
    private long lastCheckpointStep = -1;
    private String lastCheckpointPath;
    private long stallWarnedStep = -1;
    /** The newest step every shard has applied. */
    private long lastFullyApplied;
    /** The newest step every shard has reduced (all its gradients are in: a lost rank's included). */
    private long lastReduced;
    /** Ranks still training; a lost one is never taken back in this run. */
    private final java.util.BitSet live = new java.util.BitSet();
    /** Ranks an operator drained: they leave once the open step's gradients are all in. */
    private final java.util.BitSet draining = new java.util.BitSet();
    /**
     * Replacements that rejoined and have not reported a step yet: their first step carries the JVM's and the
     * objective's warm-up, longer than a short run's stall bound, so they are named but not removed as stalled
     * until {@value #WARM_UP_BOUNDS} stall bounds have passed (a dead one is still found by the failure detector).
     */
    private final java.util.BitSet warmingUp = new java.util.BitSet();
    private static final int WARM_UP_BOUNDS = 10;
    private final PlanGenerations generations;

    /** What the coordinator knows about one step while it is open. */
    private static final class StepTally {
        final IndexedSum squares;     // Σg² by shard
        final IndexedSum losses;      // Σ size·loss by rank
        int norms;
        int applied;
        int reports;
        final java.util.BitSet reported = new java.util.BitSet();
        int samples;
        double[] phases = new double[4];
        long bytes;
        double lr;
        double clip = 1;
        boolean skipped;
        double lossScale;

        StepTally(int shards, int ranks) {
            squares = new IndexedSum(shards);
            losses = new IndexedSum(ranks);
        }
    }

    public static Behavior<CoordinatorProtocol.Command> create(RunPlan plan, RunSettings settings,
            ShardFactory shards, Objectives objectives, Optional<TrainingState> restored, PrintStream console,
            CompletableFuture<RunResult> done) {
        return create(plan, settings, shards, objectives, restored, console, done, new CompletableFuture<>());
    }

    /** As above; {@code started} completes with the start step once every trainer registered. */
    public static Behavior<CoordinatorProtocol.Command> create(RunPlan plan, RunSettings settings,
            ShardFactory shards, Objectives objectives, Optional<TrainingState> restored, PrintStream console,
            CompletableFuture<RunResult> done, CompletableFuture<Long> started) {
        return create(plan, settings, shards, objectives, restored, console, done, started,
                new NodeMetrics(Long.toString(plan.runId()), "coordinator", -1));
    }

    /** As above; {@code nodeMetrics} (the node's Prometheus endpoint) is fed once per finished step. */
    public static Behavior<CoordinatorProtocol.Command> create(RunPlan plan, RunSettings settings,
            ShardFactory shards, Objectives objectives, Optional<TrainingState> restored, PrintStream console,
            CompletableFuture<RunResult> done, CompletableFuture<Long> started, NodeMetrics nodeMetrics) {
        return Behaviors.setup(ctx -> new Coordinator(ctx, plan, settings, shards, objectives, restored,
                console, done, started, nodeMetrics));
    }

    private Coordinator(ActorContext<CoordinatorProtocol.Command> ctx, RunPlan plan, RunSettings settings,
            ShardFactory shardFactory, Objectives objectives, Optional<TrainingState> restored, PrintStream console,
            CompletableFuture<RunResult> done, CompletableFuture<Long> started, NodeMetrics nodeMetrics) {
        super(ctx);
        this.nodeMetrics = nodeMetrics;
        this.openSteps = nodeMetrics.queue("open-steps");
        this.deferredApplyDepth = nodeMetrics.queue("deferred-applies");
        this.started = started;
        this.plan = plan;
        this.settings = settings;
        this.objectives = objectives;
        this.done = done;
        this.assignment = plan.assignment();
        this.startStep = restored.map(TrainingState::step).orElse(0L);
        this.scaler = restored.map(r -> new LossScaler(r.lossScale(), r.lossScaleGoodSteps()))
                .orElse(new LossScaler(plan.lossScale(), 0));
        this.scalerBefore = scaler;
        this.nextMetricsStep = startStep;
        this.finalStep = plan.steps();
        this.lastApplySent = startStep - 1;
        this.lastFullyApplied = startStep - 1;
        this.lastReduced = startStep - 1;
        this.live.set(0, plan.trainers());
        this.generations = new PlanGenerations(startStep, live.stream().toArray());
        this.operator.lrOverride = restored.map(TrainingState::lrOverride).orElse(Double.NaN);
        this.rankReportNs = new long[plan.trainers()];
        this.rankBusySeconds = new double[plan.trainers()];
        java.util.Arrays.fill(rankBusySeconds, Double.NaN);
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
        this.shardEndpoints = new String[plan.shards()];
        this.trainers = new ArrayList<>(Collections.nCopies(plan.trainers(), null));
        this.trainerEndpoints = new String[plan.trainers()];
        for (int k = 0; k < plan.shards(); k++) {
            int from = layout.from(k);
            int to = from + layout.length(k);
            ShardOptimizer opt = expAvg == null ? ShardOptimizer.fresh(java.util.Arrays.copyOfRange(master, from, to))
                    : new ShardOptimizer(java.util.Arrays.copyOfRange(master, from, to),
                            java.util.Arrays.copyOfRange(expAvg, from, to),
                            java.util.Arrays.copyOfRange(expAvgSq, from, to), adamStep);
            ActorRef<ShardProtocol.Command> shard = ctx.spawn(shardFactory.create(k, layout, opt, plan.runId(),
                    ctx.getSelf()), "shard-" + k,
                    DispatcherSelector.fromConfig("un2clip-data-plane-dispatcher"));
            ctx.watchWith(shard, new CoordinatorProtocol.NodeFailed("shard " + k, "stopped"));
            shards.add(shard);
        }
        this.checkpointer = ctx.spawn(Checkpointer.create(new CheckpointStore(settings.checkpoints(),
                settings.checkpointKeep())), "checkpointer", DispatcherSelector.blocking());
        if ("cluster".equals(ctx.getSystem().settings().config().getString("pekko.actor.provider"))) {
            // The failure detector's verdict is the fastest sign of a dead trainer process (~5 s, see
            // membership.failure-detector); its trainer actor's termination only follows the downing.
            org.apache.pekko.cluster.typed.Cluster.get(ctx.getSystem()).subscriptions().tell(
                    org.apache.pekko.cluster.typed.Subscribe.create(ctx.messageAdapter(
                            org.apache.pekko.cluster.ClusterEvent.UnreachableMember.class,
                            e -> new CoordinatorProtocol.MemberUnreachable(e.member().address().toString())),
                            org.apache.pekko.cluster.ClusterEvent.UnreachableMember.class));
        }
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
                .onMessage(CoordinatorProtocol.StepDeadline.class, this::onDeadline)
                .onMessage(CoordinatorProtocol.Operator.class, this::onOperator)
                .onMessage(CoordinatorProtocol.HoldAck.class, this::onHoldAck)
                .onMessage(CoordinatorProtocol.StallCheck.class, this::onStallCheck)
                .onMessage(CoordinatorProtocol.TrainerLost.class, this::onTrainerLost)
                .onMessage(CoordinatorProtocol.MemberUnreachable.class, this::onUnreachable)
                .onMessage(CoordinatorProtocol.GetStatus.class, m -> {
                    m.replyTo().tell(status());
                    return this;
                })
                .build();
    }

    private Behavior<CoordinatorProtocol.Command> onRegister(CoordinatorProtocol.RegisterTrainer m) {
        if (m.rank() < 0 || m.rank() >= trainers.size()) {
            getContext().getLog().error("trainer registered as rank {} but the run has {} trainers", m.rank(),
                    trainers.size());
            return this;
        }
        if (trainers.get(m.rank()) != null && begun && !live.get(m.rank())) {
            return rejoin(m);
        }
        if (trainers.get(m.rank()) != null) {
            return fail("rank " + m.rank() + " registered twice (" + trainers.get(m.rank()) + ", " + m.trainer() + ")");
        }
        trainers.set(m.rank(), m.trainer());
        trainerEndpoints[m.rank()] = m.endpoint();
        getContext().watchWith(m.trainer(), new CoordinatorProtocol.TrainerLost(m.rank(), "its actor stopped"));
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
        started.complete(startStep);
        begun = true;
        armDeadline();
        lastStepEndNs = System.nanoTime();
        java.util.Arrays.fill(rankReportNs, lastStepEndNs);
        getContext().scheduleOnce(STALL_CHECK_EVERY, getContext().getSelf(), new CoordinatorProtocol.StallCheck());
        for (ActorRef<TrainerProtocol.Command> t : trainers) {
            t.tell(new TrainerProtocol.Begin(plan, startStep, shardEndpoints));
        }
        for (ActorRef<ShardProtocol.Command> s : shards) {
            s.tell(new ShardProtocol.Begin(plan, startStep, trainerEndpoints));
        }
        tellLossScale(startStep, trainers);
        return this;
    }

    private StepTally tally(long step) {
        return tallies.computeIfAbsent(step, s -> new StepTally(shards.size(), rankReportNs.length));
    }

    private Behavior<CoordinatorProtocol.Command> onNorm(CoordinatorProtocol.GradientNorm m) {
        if (!generations.current(m.step(), m.generation())) {
            return this;
        }
        StepTally t = tally(m.step());
        t.squares.add(m.shard(), m.sumSquares());
        if (++t.norms < shards.size()) {
            return this;
        }
        lastReduced = Math.max(lastReduced, m.step());
        if (!draining.isEmpty()) {
            // Their share of this step is in; from the next step on the others take it.
            draining.stream().forEach(r -> getContext().getSelf().tell(
                    new CoordinatorProtocol.TrainerLost(r, "drained by the operator")));
            draining.clear();
        }
        double norm = Math.sqrt(t.squares.total());
        t.skipped = !Double.isFinite(norm);
        if (t.skipped) {
            skippedSteps++;
            getContext().getLog().warn("step {}: non-finite gradient norm, update skipped ({} so far)", m.step(),
                    skippedSteps);
        }
        t.clip = t.skipped ? 1.0 : plan.clipCoefficient(norm);
        t.lr = lrOf(m.step());
        decideLossScale(m.step(), t);
        ShardProtocol.Apply apply = new ShardProtocol.Apply(m.step(), t.lr, t.clip, t.skipped);
        if (operator.paused && !operator.allHeld(live)) {
            // Pause handshake: until every trainer promised not to start pauseAt, no update may enable it.
            deferredApplies.add(apply);
            deferredApplyDepth.set(deferredApplies.size());
        } else {
            sendApply(apply);
        }
        return this;
    }

    /**
     * Dynamic loss scaling: step {@code step}'s norm decides the scale of the next step, which every shard and
     * live trainer is told before the update that lets the next step start (same sender, so it arrives first
     * at the shards; a trainer waits for its step's scale). A step reduced again after a re-plan is decided
     * again from the state before it.
     */
    private void decideLossScale(long step, StepTally t) {
        LossScaler base = step == decidedStep ? scalerBefore : scaler;
        t.lossScale = base.scale();
        if (!plan.dynamicLossScale()) {
            return;
        }
        scalerBefore = base;
        scaler = base.after(!t.skipped, plan.lossScaleGrowthInterval());
        decidedStep = step;
        if (scaler.scale() != base.scale()) {
            getContext().getLog().info("step {}: loss scale {} -> {}", step, base.scale(), scaler.scale());
        }
        if (step + 1 < finalStep) {
            java.util.List<ActorRef<TrainerProtocol.Command>> liveTrainers = new java.util.ArrayList<>();
            live.stream().forEach(r -> liveTrainers.add(trainers.get(r)));
            tellLossScale(step + 1, liveTrainers);
        }
    }

    /** The scale of {@code step} (the next undecided one, or the last decided one) to the shards and trainers. */
    private void tellLossScale(long step, java.util.List<ActorRef<TrainerProtocol.Command>> to) {
        if (!plan.dynamicLossScale()) {
            return;
        }
        double scale = step == decidedStep ? scalerBefore.scale() : scaler.scale();
        for (ActorRef<ShardProtocol.Command> s : shards) {
            s.tell(new ShardProtocol.LossScale(step, scale));
        }
        for (ActorRef<TrainerProtocol.Command> t : to) {
            t.tell(new TrainerProtocol.LossScale(step, scale));
        }
    }

    private double lrOf(long step) {
        return Double.isNaN(operator.lrOverride) ? plan.schedule().at(step) : operator.lrOverride;
    }

    private void sendApply(ShardProtocol.Apply apply) {
        lastApplySent = Math.max(lastApplySent, apply.step());
        for (ActorRef<ShardProtocol.Command> s : shards) {
            s.tell(apply);
        }
    }

    private void flushDeferredApplies() {
        for (ShardProtocol.Apply a : deferredApplies) {
            sendApply(a);
        }
        deferredApplies.clear();
        deferredApplyDepth.set(0);
    }

    private Behavior<CoordinatorProtocol.Command> onApplied(CoordinatorProtocol.ShardApplied m) {
        StepTally t = tally(m.step());
        if (++t.applied < shards.size()) {
            return this;
        }
        lastFullyApplied = Math.max(lastFullyApplied, m.step());
        long completed = m.step() + 1;
        boolean timeDue = !settings.checkpointEveryTime().isZero()
                && System.nanoTime() - lastCheckpointNs >= settings.checkpointEveryTime().toNanos();
        boolean stepDue = settings.checkpointEverySteps() > 0 && completed % settings.checkpointEverySteps() == 0;
        if (stepDue || timeDue || checkpointRequested || completed == finalStep) {
            requestSnapshot(completed);
        }
        return writeMetrics();
    }

    /**
     * A checkpoint being gathered: the shards' states as they arrive, and the loss scaler as it stood when the step
     * completed. By the time the last shard answers, the next step may have been decided (its norm in), and its
     * scaler must not leak into this checkpoint: a resume would then scale that step twice.
     */
    private record PendingSnapshot(CoordinatorProtocol.ShardState[] parts, LossScaler scaler) {}

    /** Asks every shard for its state at {@code completed} (they are at that version: nothing runs past it). */
    private void requestSnapshot(long completed) {
        checkpointRequested = false;
        lastCheckpointNs = System.nanoTime();
        if (snapshots.containsKey(completed)) {
            return;
        }
        snapshots.put(completed, new PendingSnapshot(new CoordinatorProtocol.ShardState[shards.size()], scaler));
        for (ActorRef<ShardProtocol.Command> s : shards) {
            s.tell(new ShardProtocol.Snapshot(completed, getContext().getSelf()));
        }
    }

    private Behavior<CoordinatorProtocol.Command> onStepDone(CoordinatorProtocol.StepDone m) {
        if (!generations.current(m.step(), m.generation())) {
            return this;     // a share of a step that was re-planned after it was sent
        }
        StepTally t = tally(m.step());
        t.reports++;
        t.reported.set(m.rank());
        t.losses.add(m.rank(), m.lossSum());
        t.samples += m.samples();
        t.phases[0] = Math.max(t.phases[0], m.dataNanos() / 1e9);
        t.phases[1] = Math.max(t.phases[1], m.computeNanos() / 1e9);
        t.phases[2] = Math.max(t.phases[2], m.sendNanos() / 1e9);
        t.phases[3] = Math.max(t.phases[3], m.waitNanos() / 1e9);
        t.bytes += m.bytesSent();
        long now = System.nanoTime();
        rankReportNs[m.rank()] = now;
        warmingUp.clear(m.rank());
        rankBusySeconds[m.rank()] = (m.dataNanos() + m.computeNanos() + m.sendNanos()) / 1e9;
        return writeMetrics();
    }

    /** Writes the metrics lines of every fully finished step, in order. */
    private Behavior<CoordinatorProtocol.Command> writeMetrics() {
        StepTally t;
        while ((t = tallies.get(nextMetricsStep)) != null && t.applied == shards.size()
                && awaitedRanks(nextMetricsStep, t).isEmpty()) {
            long now = System.nanoTime();
            double seconds = Math.max(1e-9, (now - lastStepEndNs) / 1e9);
            lastStepEndNs = now;
            lastLoss = t.losses.total() / t.samples;
            int samples = t.samples + lostRanksSamples(nextMetricsStep, t);
            recent.add(seconds, samples);
            metrics.step(nextMetricsStep, assignment.cursor(nextMetricsStep).epoch(), lastLoss, t.lr, samples,
                    seconds, t.phases, t.bytes + layout.parameters() * 4L * live.cardinality(), t.clip, t.skipped,
                    t.reported.cardinality(), t.lossScale);
            nodeMetrics.stepCompleted(nextMetricsStep, seconds, lastLoss, samples);
            nodeMetrics.phases(t.phases[0], t.phases[1], t.phases[2], t.phases[3]);
            tallies.remove(nextMetricsStep);
            nextMetricsStep++;
            armDeadline();
        }
        openSteps.set(tallies.size());
        return maybeFinish();
    }

    private void armDeadline() {
        if (nextMetricsStep < finalStep) {
            getContext().scheduleOnce(settings.stepTimeout(), getContext().getSelf(),
                    new CoordinatorProtocol.StepDeadline(nextMetricsStep));
        }
    }

    /** Stall detection: the step is still open after train.step-timeout; say who has not reported. */
    private Behavior<CoordinatorProtocol.Command> onDeadline(CoordinatorProtocol.StepDeadline d) {
        if (d.step() != nextMetricsStep || done.isDone() || heldAtBoundary()
                || System.nanoTime() - lastStepEndNs < settings.stepTimeout().toNanos()) {
            return this;    // finished, paused at this step, or re-armed by a resume (that deadline will judge)
        }
        StepTally t = tallies.getOrDefault(d.step(), new StepTally(0, 0));
        java.util.List<Integer> late = new java.util.ArrayList<>();
        for (int r = 0; r < trainers.size(); r++) {
            if (!t.reported.get(r)) {
                late.add(r);
            }
        }
        return fail("step " + d.step() + " did not complete within " + settings.stepTimeout().toSeconds()
                + " s (train.step-timeout): " + t.reports + " of " + trainers.size() + " trainers reported (late ranks: "
                + late + "), " + t.norms + " of " + shards.size() + " shards reduced, " + t.applied + " applied");
    }

    // ---- the operator's commands (the control endpoint asks; every command is answered) ----

    private Behavior<CoordinatorProtocol.Command> onOperator(CoordinatorProtocol.Operator m) {
        CoordinatorProtocol.OperatorReply reply;
        if (done.isDone()) {
            reply = refused("the run has ended");
        } else if (!begun) {
            reply = refused("the run has not begun yet (waiting for every trainer and shard to register)");
        } else if (operator.stopping) {
            reply = refused("the run is stopping after step " + finalStep);
        } else if (m instanceof CoordinatorProtocol.Pause) {
            reply = pause();
        } else if (m instanceof CoordinatorProtocol.Resume) {
            reply = resume();
        } else if (m instanceof CoordinatorProtocol.CheckpointNow) {
            reply = checkpointNow();
        } else if (m instanceof CoordinatorProtocol.SetLr l) {
            reply = setLr(l.lr());
        } else if (m instanceof CoordinatorProtocol.Drain d) {
            reply = drain(d.rank());
        } else if (m instanceof CoordinatorProtocol.Kill k) {
            reply = kill(k.rank());
        } else if (m instanceof CoordinatorProtocol.Stop) {
            reply = stop();
        } else {
            throw new IllegalStateException("unhandled operator command " + m);
        }
        getContext().getLog().info("operator: {} -> {}{}", m.getClass().getSimpleName(),
                reply.accepted() ? "" : "refused: ", reply.message());
        m.replyTo().tell(reply);
        return this;
    }

    private static CoordinatorProtocol.OperatorReply accepted(String message) {
        return new CoordinatorProtocol.OperatorReply(true, message);
    }

    private static CoordinatorProtocol.OperatorReply refused(String message) {
        return new CoordinatorProtocol.OperatorReply(false, message);
    }

    /**
     * The first step no trainer can have started: in sync mode a trainer starts step s once the shards
     * applied s − 1 (async: s − 1 − S), and the newest update sent is {@code lastApplySent}.
     */
    private CoordinatorProtocol.OperatorReply pause() {
        if (operator.paused) {
            return refused("already paused before step " + operator.pauseAt);
        }
        long at = lastApplySent + 2 + plan.staleness();
        operator.pause(at);
        live.stream().forEach(r -> trainers.get(r).tell(new TrainerProtocol.Hold(at)));
        return accepted("pausing: steps before " + at + " finish, none from " + at + " starts");
    }

    private Behavior<CoordinatorProtocol.Command> onHoldAck(CoordinatorProtocol.HoldAck m) {
        if (operator.paused && m.fromStep() == operator.pauseAt) {
            operator.held.set(m.rank());
            if (operator.allHeld(live)) {
                flushDeferredApplies();
            }
        }
        return this;
    }

    /** True while paused and every step before the pause finished: nothing runs. */
    private boolean heldAtBoundary() {
        return operator.paused && nextMetricsStep >= operator.pauseAt;
    }

    private CoordinatorProtocol.OperatorReply resume() {
        if (!operator.paused) {
            return refused("not paused");
        }
        boolean idle = heldAtBoundary();
        operator.resume();
        live.stream().forEach(r -> trainers.get(r).tell(new TrainerProtocol.Release()));
        flushDeferredApplies();
        if (idle) {
            lastStepEndNs = System.nanoTime();     // the pause is no step's time
            java.util.Arrays.fill(rankReportNs, lastStepEndNs);
            armDeadline();
        }
        return accepted("resumed at step " + nextMetricsStep);
    }

    private CoordinatorProtocol.OperatorReply checkpointNow() {
        if (operator.paused && lastFullyApplied >= operator.pauseAt - 1) {
            requestSnapshot(operator.pauseAt);      // the shards rest at this version: write it now
            return accepted("writing a checkpoint of step " + operator.pauseAt);
        }
        checkpointRequested = true;
        return accepted("a checkpoint will be written at the next step boundary");
    }

    private CoordinatorProtocol.OperatorReply setLr(double lr) {
        if (!Double.isFinite(lr) || lr < 0) {
            return refused("set lr: " + lr + " is not a finite, non-negative learning rate");
        }
        operator.lrOverride = lr;
        return accepted("lr " + lr + " from step " + (lastApplySent + 1 + deferredApplies.size())
                + " on (the schedule no longer applies)");
    }

    private CoordinatorProtocol.OperatorReply drain(int rank) {
        if (rank < 0 || rank >= trainers.size() || !live.get(rank)) {
            return refused("drain: rank " + rank + " is not training (live ranks: " + live + ")");
        }
        if (plan.staleness() > 0) {
            return refused("drain: re-planning is implemented for train.mode = sync only");
        }
        java.util.BitSet after = (java.util.BitSet) live.clone();
        after.andNot(draining);
        after.clear(rank);
        if (after.isEmpty()) {
            return refused("drain " + rank + ": it is the last trainer (use stop)");
        }
        draining.set(rank);
        return accepted("rank " + rank + " leaves after the current step; its share goes to ranks " + after);
    }

    private CoordinatorProtocol.OperatorReply kill(int rank) {
        if (rank < 0 || rank >= trainers.size()) {
            return refused("kill: no rank " + rank + " (the run has ranks 0.." + (trainers.size() - 1) + ")");
        }
        if (!live.get(rank)) {
            return refused("kill " + rank + ": that trainer has already left the run");
        }
        ActorRef<TrainerProtocol.Command> t = trainers.get(rank);
        if (t.path().address().hasLocalScope()) {
            return refused("kill " + rank + ": that trainer runs inside the coordinator's JVM (--in-process)");
        }
        t.tell(new TrainerProtocol.Kill());
        return accepted("rank " + rank + " told to exit at once (" + t.path().address() + ")");
    }

    /** Pause at the next boundary, checkpoint it, and end the run there (encoder written, nodes shut down). */
    private CoordinatorProtocol.OperatorReply stop() {
        if (!operator.paused) {
            pause();
        }
        operator.stopping = true;
        finalStep = Math.min(finalStep, operator.pauseAt);
        if (lastFullyApplied >= finalStep - 1) {
            requestSnapshot(finalStep);
        }
        return accepted("stopping: the run ends with a checkpoint after step " + finalStep);
    }

    // ---- status and stall detection ----

    private CoordinatorProtocol.Status status() {
        long now = System.nanoTime();
        List<CoordinatorProtocol.RankStatus> ranks = new ArrayList<>();
        for (int r = live.nextSetBit(0); r >= 0; r = live.nextSetBit(r + 1)) {
            ActorRef<TrainerProtocol.Command> t = trainers.get(r);
            ranks.add(new CoordinatorProtocol.RankStatus(r, t == null ? "" : t.path().address().toString(),
                    rankBusySeconds[r], begun ? (now - rankReportNs[r]) / 1e9 : Double.NaN));
        }
        double mean = recent.meanSeconds();
        double eta = Double.isNaN(mean) ? -1 : mean * (finalStep - nextMetricsStep);
        boolean stalled = stalled(now);
        return new CoordinatorProtocol.Status(nextMetricsStep, finalStep, lastLoss, lrOf(lastApplySent + 1),
                recent.samplesPerSecond(), eta, ranks, lastCheckpointStep, lastCheckpointPath, begun,
                operator.paused, operator.stopping, stalled, stalled ? lateRanks() : List.of());
    }

    /** The open step has waited longer than stall-factor × the median step time (and the floor). */
    private boolean stalled(long now) {
        double median = recent.medianSeconds();
        if (!begun || done.isDone() || heldAtBoundary() || nextMetricsStep >= finalStep || Double.isNaN(median)) {
            return false;
        }
        return (now - openSinceNs()) / 1e9 > stallBound();
    }

    private double stallBound() {
        return Math.max(settings.stallFloor().toNanos() / 1e9, settings.stallFactor() * recent.medianSeconds());
    }

    // ---- fault tolerance (sync mode): a lost trainer's share is re-planned over the others ----

    /** Ranks whose report of {@code step} is still awaited: in the step's plan, still live, not reported. */
    private List<Integer> awaitedRanks(long step, StepTally t) {
        List<Integer> awaited = new ArrayList<>();
        for (int r : generations.ranksOf(step)) {
            if (live.get(r) && (t == null || !t.reported.get(r))) {
                awaited.add(r);
            }
        }
        return awaited;
    }

    /**
     * Samples of ranks lost after their gradient of {@code step} was reduced but before their report came:
     * the update holds their share, so it counts (the step's plan says how big it was).
     */
    private int lostRanksSamples(long step, StepTally t) {
        int[] ranks = generations.ranksOf(step);
        int n = 0;
        for (int r : ranks) {
            if (!t.reported.get(r)) {
                n += assignment.samples(step, r, ranks).length;
            }
        }
        return n;
    }

    private Behavior<CoordinatorProtocol.Command> onUnreachable(CoordinatorProtocol.MemberUnreachable m) {
        for (int r = live.nextSetBit(0); r >= 0; r = live.nextSetBit(r + 1)) {
            // Before every trainer registered, a member may be unreachable whose rank is not known yet (seen
            // on an overloaded machine: delayed heartbeats); cluster.join-timeout covers one that never comes.
            ActorRef<TrainerProtocol.Command> t = trainers.get(r);
            if (t != null && t.path().address().toString().equals(m.address())) {
                return onTrainerLost(new CoordinatorProtocol.TrainerLost(r, "unreachable (cluster failure detector)"));
            }
        }
        return this;
    }

    private Behavior<CoordinatorProtocol.Command> onTrainerLost(CoordinatorProtocol.TrainerLost m) {
        int rank = m.rank();
        if (done.isDone() || rank < 0 || rank >= trainers.size() || !live.get(rank)) {
            return this;
        }
        if (!begun) {
            return fail("trainer " + rank + " was lost before the run began: " + m.reason());
        }
        if (plan.staleness() > 0) {
            return fail("trainer " + rank + " lost (" + m.reason() + "): re-planning is implemented for sync mode"
                    + " (train.mode = sync) only; resume from the newest checkpoint");
        }
        live.clear(rank);
        ActorRef<TrainerProtocol.Command> lost = trainers.get(rank);
        getContext().unwatch(lost);
        lost.tell(new TrainerProtocol.Shutdown());     // a frozen one must not come back into a step
        if (live.isEmpty()) {
            return fail("every trainer is lost (the last: rank " + rank + ", " + m.reason() + ")");
        }
        if (lost.path().address().hasGlobalScope()
                && "cluster".equals(getContext().getSystem().settings().config().getString("pekko.actor.provider"))) {
            org.apache.pekko.cluster.typed.Cluster.get(getContext().getSystem()).manager().tell(
                    new org.apache.pekko.cluster.typed.Down(lost.path().address()));
        }
        long from = lastReduced + 1;      // earlier steps have every gradient in: the lost rank's share stays
        int[] ranks = live.stream().toArray();
        int generation = newGeneration(from, ranks);
        getContext().getLog().warn("trainer {} lost ({}), {} s after its last report: step {} and later re-planned"
                + " over ranks {} (plan generation {})", rank, m.reason(),
                String.format("%.2f", (System.nanoTime() - rankReportNs[rank]) / 1e9), from,
                java.util.Arrays.toString(ranks), generation);
        replan(from, generation, ranks);
        if (operator.paused && operator.allHeld(live)) {
            flushDeferredApplies();
        }
        return writeMetrics();
    }

    /** Steps from {@code from} on are spread over {@code ranks} by a new plan: what was tallied of them is void. */
    private int newGeneration(long from, int[] ranks) {
        tallies.keySet().removeIf(s -> s >= from);
        return generations.begin(from, ranks);
    }

    private void replan(long from, int generation, int[] ranks) {
        for (ActorRef<ShardProtocol.Command> s : shards) {
            s.tell(new ShardProtocol.Replan(from, generation, ranks, trainerEndpoints.clone()));
        }
        for (int r : ranks) {
            trainers.get(r).tell(new TrainerProtocol.Replan(from, generation, ranks));
        }
    }

    /**
     * A replacement for a lost rank registered: it takes its share again from the first step whose gradients
     * are not all in (the others redo that step if they sent it), starting from the shards' parameters of
     * that step.
     */
    private Behavior<CoordinatorProtocol.Command> rejoin(CoordinatorProtocol.RegisterTrainer m) {
        if (operator.paused || operator.stopping) {
            getContext().getLog().warn("rank {} asked to rejoin while the run is paused or stopping: refused",
                    m.rank());
            m.trainer().tell(new TrainerProtocol.Shutdown());
            return this;
        }
        int rank = m.rank();
        trainers.set(rank, m.trainer());
        trainerEndpoints[rank] = m.endpoint();
        getContext().watchWith(m.trainer(), new CoordinatorProtocol.TrainerLost(rank, "its actor stopped"));
        live.set(rank);
        long from = lastReduced + 1;
        if (from >= finalStep) {
            return this;
        }
        int[] ranks = live.stream().toArray();
        int generation = newGeneration(from, ranks);
        rankReportNs[rank] = System.nanoTime();
        rankBusySeconds[rank] = Double.NaN;
        // A replacement's first step includes its warm-up: not a stall of the step that was open before it came.
        rejoinedNs = rankReportNs[rank];
        warmingUp.set(rank);
        getContext().getLog().info("rank {} rejoined ({}): step {} and later re-planned over ranks {} (plan"
                + " generation {})", rank, m.trainer().path().address(), from, java.util.Arrays.toString(ranks),
                generation);
        // Begin first: the replan that follows (same sender, same order) gives it its generation and share.
        m.trainer().tell(new TrainerProtocol.Begin(plan, from, shardEndpoints));
        tellLossScale(from, java.util.List.of(m.trainer()));
        replan(from, generation, ranks);
        return this;
    }

    /** Since when the open step counts as open for stall detection (its start, or a later rejoin). */
    private long openSinceNs() {
        return Math.max(lastStepEndNs, rejoinedNs);
    }

    private List<Integer> lateRanks() {
        return awaitedRanks(nextMetricsStep, tallies.get(nextMetricsStep));
    }

    private Behavior<CoordinatorProtocol.Command> onStallCheck(CoordinatorProtocol.StallCheck m) {
        if (done.isDone()) {
            return this;
        }
        long now = System.nanoTime();
        if (stalled(now) && stallWarnedStep == nextMetricsStep && (now - openSinceNs()) / 1e9 > 2 * stallBound()) {
            // Named once; still stuck after twice the bound: the late ranks are removed as if dead.
            List<Integer> late = new java.util.ArrayList<>(lateRanks());
            if ((now - rejoinedNs) / 1e9 <= WARM_UP_BOUNDS * stallBound()) {
                late.removeIf(warmingUp::get);
            }
            if (!late.isEmpty() && late.size() < live.cardinality()) {
                for (int r : late) {
                    getContext().getSelf().tell(new CoordinatorProtocol.TrainerLost(r, "stalled in step "
                            + nextMetricsStep));
                }
            }
        }
        if (stalled(now) && stallWarnedStep != nextMetricsStep) {
            stallWarnedStep = nextMetricsStep;
            getContext().getLog().warn("step {} stalled: open for {} s, more than {} x the median step time {} s;"
                    + " late ranks: {}", nextMetricsStep, String.format("%.2f", (now - openSinceNs()) / 1e9),
                    settings.stallFactor(), String.format("%.3f", recent.medianSeconds()), lateRanks());
        }
        getContext().scheduleOnce(STALL_CHECK_EVERY, getContext().getSelf(), new CoordinatorProtocol.StallCheck());
        return this;
    }

    private Behavior<CoordinatorProtocol.Command> onShardState(CoordinatorProtocol.ShardState m) {
        PendingSnapshot pending = snapshots.get(m.step());
        CoordinatorProtocol.ShardState[] parts = pending.parts();
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
        org.un2clip.data.sampler.SamplerState cursor = assignment.cursor(m.step());
        TrainingState state = new TrainingState(m.step(), parts[0].adamStep(), plan.seed(), cursor.epoch(),
                cursor.offset(), pending.scaler().scale(), master, expAvg, expAvgSq, operator.lrOverride,
                pending.scaler().goodSteps());
        if (m.step() == finalStep) {
            finalParameters = master;
        }
        checkpointer.tell(new Checkpointer.Write(state, settings.resolvedConfig(), getContext().getSelf()));
        return this;
    }

    private Behavior<CoordinatorProtocol.Command> onCheckpointDone(CoordinatorProtocol.CheckpointDone m) {
        if (m.error() != null) {
            getContext().getLog().error("checkpoint of step {} failed: {}", m.step(), m.error());
            if (m.step() == finalStep) {
                return fail("the final checkpoint failed: " + m.error());
            }
            return this;
        }
        getContext().getLog().info("checkpoint of step {} written to {}", m.step(), m.path());
        if (m.step() > lastCheckpointStep) {
            lastCheckpointStep = m.step();
            lastCheckpointPath = m.path();
        }
        if (m.step() == finalStep) {
            finalCheckpointWritten = true;
        }
        return maybeFinish();
    }

    private Behavior<CoordinatorProtocol.Command> maybeFinish() {
        if (!finalCheckpointWritten || nextMetricsStep < finalStep) {
            return this;
        }
        try {
            Path encoder = settings.runDir().resolve("encoder.safetensors");
            objectives.writeEncoder(finalParameters, encoder);
        } catch (Exception e) {
            return fail("cannot write the encoder: " + e);
        }
        shutdownAll();
        if (finalStep < plan.steps()) {
            getContext().getLog().info("run stopped by the operator after step {} of {}", finalStep, plan.steps());
        }
        done.complete(new RunResult(finalStep, finalParameters, lastLoss));
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
}
