package org.un2clip.actors.trainer;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.Map;
import org.agrona.concurrent.IdleStrategy;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.un2clip.actors.PollingIdle;
import org.un2clip.actors.coordinator.CoordinatorProtocol;
import org.un2clip.actors.metrics.MetricsRegistry;
import org.un2clip.actors.metrics.NodeMetrics;
import org.un2clip.actors.objective.Objectives;
import org.un2clip.actors.plan.RunPlan;
import org.un2clip.actors.plan.ShardLayout;
import org.un2clip.actors.transport.FloatVectors;
import org.un2clip.actors.transport.Streams;
import org.un2clip.actors.transport.TensorLink;
import org.un2clip.actors.transport.TensorPublisher;
import org.un2clip.actors.transport.TensorReceiver;
import org.un2clip.actors.transport.TensorSlot;
import org.un2clip.model.step.StepFunction;
import org.un2clip.model.step.TrainingBatch;

/**
 * One per device and JVM: drives the step function. For step s it waits until every shard's slice is at
 * a version ≥ s − S (S = 0: exactly s, the synchronous mode), runs its micro-batches, accumulates the
 * sample-weighted gradient sum, sends slice i to shard i over Aeron and reports loss and timings.
 *
 * <p>New slices are received into a staging buffer and copied into the parameters only when complete, so a
 * step never sees a half-received version. Supervision: a failure stops the trainer; the coordinator
 * (watching) re-plans its share over the other trainers.
 */
public final class Trainer extends AbstractBehavior<TrainerProtocol.Command> implements TensorReceiver.Listener {
    private final int rank;
    private final TensorLink link;
    private final Objectives objectives;
    private final ActorRef<CoordinatorProtocol.Command> coordinator;
    private final TensorReceiver receiver;
    private final IdleStrategy idle = PollingIdle.strategy();
    private final Map<Long, TrainerProtocol.BatchReady> batches = new HashMap<>();
    private StepFunction function;
    private ActorRef<DataLoaderProtocol.Command> loader;
    private RunPlan plan;
    private ShardLayout layout;
    private float[] parameters;           // heap: the step function reads it in its inner loops
    private FloatBuffer parameterView;
    private ByteBuffer staging;
    private FloatBuffer stagingView;
    private float[] gradient;
    private FloatBuffer gradientView;
    private float[] accumulated;
    private ByteBuffer outgoing;
    private FloatBuffer outgoingView;
    private TensorSlot[] slots;
    private long[] shardVersion;
    private TensorPublisher[] toShards;
    private long step;
    private long waitStartNs;
    private String failure;
    /** The operator's pause: no step at or after this one starts until released. */
    private long holdFrom = Long.MAX_VALUE;
    /** The plan generation (bumped when a trainer is lost) and the ranks it spreads each step over. */
    private int generation;
    private int[] live;
    /** This node's Prometheus metrics, fed once per step. */
    private final NodeMetrics metrics;
    private final MetricsRegistry.Gauge preparedBatches;
    /** Dynamic loss scaling: the scale of each step, as the coordinator decides it. */
    private final org.un2clip.actors.plan.StepScales scales = new org.un2clip.actors.plan.StepScales();

    /** A trainer whose metrics nobody serves (in-process runs, tests). */
    public static Behavior<TrainerProtocol.Command> create(int rank, TensorLink link, String bindEndpoint,
            Objectives objectives, ActorRef<CoordinatorProtocol.Command> coordinator, long runId) {
        return create(rank, link, bindEndpoint, objectives, coordinator, runId,
                new NodeMetrics(Long.toString(runId), "trainer-" + rank, rank));
    }

    /** @param metrics the node's metrics (its Prometheus endpoint), fed after every step */
    public static Behavior<TrainerProtocol.Command> create(int rank, TensorLink link, String bindEndpoint,
            Objectives objectives, ActorRef<CoordinatorProtocol.Command> coordinator, long runId, NodeMetrics metrics) {
        return Behaviors.setup(ctx -> new Trainer(ctx, rank, link, bindEndpoint, objectives, coordinator, runId,
                metrics));
    }

    private Trainer(ActorContext<TrainerProtocol.Command> ctx, int rank, TensorLink link, String bindEndpoint,
            Objectives objectives, ActorRef<CoordinatorProtocol.Command> coordinator, long runId, NodeMetrics metrics) {
        super(ctx);
        this.metrics = metrics;
        this.preparedBatches = metrics.queue("prepared-batches");
        this.rank = rank;
        this.link = link;
        this.objectives = objectives;
        this.coordinator = coordinator;
        this.receiver = link.receiver(bindEndpoint, Streams.parameters(rank), runId, this);
        coordinator.tell(new CoordinatorProtocol.RegisterTrainer(rank, ctx.getSelf(), receiver.endpoint()));
    }

    @Override
    public Receive<TrainerProtocol.Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(TrainerProtocol.Begin.class, this::onBegin)
                .onMessage(TrainerProtocol.BatchReady.class, b -> {
                    if (b.generation() == generation) {     // an older plan's share is no longer this rank's
                        batches.put(b.step(), b);
                        preparedBatches.set(batches.size());
                    }
                    return this;
                })
                .onMessage(TrainerProtocol.Replan.class, this::onReplan)
                .onMessage(TrainerProtocol.LossScale.class, m -> {
                    scales.put(m.step(), m.scale());
                    return this;
                })
                .onMessage(TrainerProtocol.Poll.class, p -> onPoll())
                .onMessage(TrainerProtocol.Hold.class, this::onHold)
                .onMessage(TrainerProtocol.Release.class, r -> {
                    holdFrom = Long.MAX_VALUE;
                    return this;
                })
                .onMessage(TrainerProtocol.Kill.class, k -> {
                    getContext().getLog().warn("rank {}: killed by the operator (drill)", rank);
                    Runtime.getRuntime().halt(137);     // as SIGKILL would: no shutdown hooks, no goodbye
                    return this;
                })
                .onMessage(TrainerProtocol.Shutdown.class, s -> Behaviors.stopped())
                .onSignal(PostStop.class, s -> close())
                .build();
    }

    private Behavior<TrainerProtocol.Command> onBegin(TrainerProtocol.Begin b) {
        plan = b.plan();
        step = b.startStep();
        function = objectives.create();
        long n = function.parameterCount();
        layout = new ShardLayout(n, plan.shards());
        parameters = new float[(int) n];
        parameterView = FloatBuffer.wrap(parameters);
        staging = FloatVectors.allocate(n);
        stagingView = staging.asFloatBuffer();
        gradient = new float[(int) n];
        gradientView = FloatBuffer.wrap(gradient);
        accumulated = new float[(int) n];
        outgoing = FloatVectors.allocate(n);
        outgoingView = outgoing.asFloatBuffer();
        slots = new TensorSlot[plan.shards()];
        shardVersion = new long[plan.shards()];
        toShards = new TensorPublisher[plan.shards()];
        for (int k = 0; k < plan.shards(); k++) {
            slots[k] = new TensorSlot(staging, layout.from(k), layout.length(k), link.settings().chunkFloats());
            shardVersion[k] = -1;
            receiver.expect(slots[k], step, step, k, rank, layout.length(k));
            toShards[k] = link.publisher(b.shardEndpoints()[k], Streams.gradients(k), plan.runId());
        }
        loader = getContext().spawn(DataLoader.create(plan.assignment(), objectives, rank, plan.microBatch()),
                "data-loader");
        live = java.util.stream.IntStream.range(0, plan.trainers()).toArray();
        prefetch();
        waitStartNs = System.nanoTime();
        getContext().getSelf().tell(new TrainerProtocol.Poll());
        return this;
    }

    @Override
    public void onComplete(TensorSlot slot) {
        int k = slot.shard();
        stagingView.get(layout.from(k), parameters, layout.from(k), layout.length(k));
        shardVersion[k] = slot.version();
        if (slot.version() < plan.steps()) {
            receiver.expect(slot, slot.version() + 1, slot.version() + 1, k, rank, layout.length(k));
        }
    }

    @Override
    public void onIncomplete(TensorSlot slot, String reason) {
        failure = reason;
    }

    private Behavior<TrainerProtocol.Command> onPoll() {
        long end = System.nanoTime() + PollingIdle.SLICE_NANOS;
        idle.reset();
        while (System.nanoTime() < end && failure == null && step < plan.steps()) {
            int n = receiver.poll(32);
            if (canRun()) {
                runStep();
                break;          // back to the mailbox: batches and control messages get in
            }
            if (n == 0) {
                idle.idle();
            }
        }
        if (failure != null) {
            coordinator.tell(new CoordinatorProtocol.NodeFailed("trainer " + rank, failure));
            return Behaviors.stopped();
        }
        if (step < plan.steps()) {
            getContext().getSelf().tell(new TrainerProtocol.Poll());
        }
        return this;
    }

    private void prefetch() {
        for (long s = step; s < Math.min(plan.steps(), step + 2); s++) {
            loader.tell(new DataLoaderProtocol.Prepare(s, generation, live, getContext().getSelf()));
        }
    }

    /** Between steps here: redo {@code fromStep} (if already sent) with this rank's share among the live ranks. */
    private Behavior<TrainerProtocol.Command> onReplan(TrainerProtocol.Replan r) {
        generation = r.generation();
        live = r.live();
        if (plan == null) {
            return this;
        }
        step = Math.min(step, r.fromStep());
        batches.clear();
        preparedBatches.set(0);
        prefetch();
        return this;
    }

    private Behavior<TrainerProtocol.Command> onHold(TrainerProtocol.Hold h) {
        // Between steps here (a step runs inside one message), so step ≥ fromStep has not started.
        holdFrom = h.fromStep();
        coordinator.tell(new CoordinatorProtocol.HoldAck(rank, h.fromStep()));
        return this;
    }

    private boolean canRun() {
        if (step >= holdFrom || !batches.containsKey(step)
                || (plan.dynamicLossScale() && !scales.has(step))) {
            return false;
        }
        long oldest = Long.MAX_VALUE;
        for (long v : shardVersion) {
            oldest = Math.min(oldest, v);
        }
        return oldest >= step - plan.staleness();
    }

    /**
     * A rank's share of a step: runs the step function on each micro-batch at {@code parameters} and leaves
     * Σ size·gradient × loss scale in {@code accumulated} (shards divide by global batch × loss scale, so the
     * global batch holds for any number of ranks). Returns Σ size·loss. The demo's in-process runner calls it
     * too, so both make the same bits.
     */
    public static double accumulate(StepFunction function, FloatBuffer parameters, java.util.List<TrainingBatch> microBatches,
            float[] gradient, FloatBuffer gradientView, float[] accumulated, double lossScale) {
        double lossSum = 0;
        boolean first = true;
        for (TrainingBatch mb : microBatches) {
            StepFunction.StepResult r = function.step(parameters, mb, gradientView);
            float weight = mb.size();
            if (first) {
                // 0 + w·g = w·g (up to the sign of a zero, which no later sum or AdamW step can see): no fill pass.
                for (int i = 0; i < accumulated.length; i++) {
                    accumulated[i] = weight * gradient[i];
                }
                first = false;
            } else {
                for (int i = 0; i < accumulated.length; i++) {
                    accumulated[i] += weight * gradient[i];
                }
            }
            lossSum += r.loss() * mb.size();
        }
        if (first) {
            java.util.Arrays.fill(accumulated, 0f);   // no samples in this share: nothing to contribute
        }
        if (lossScale != 1.0) {
            float scale = (float) lossScale;   // the hook fp16 objectives use: shards divide it out
            for (int i = 0; i < accumulated.length; i++) {
                accumulated[i] *= scale;
            }
        }
        return lossSum;
    }

    private void runStep() {
        long t0 = System.nanoTime();
        TrainerProtocol.BatchReady ready = batches.remove(step);
        preparedBatches.set(batches.size());
        if (step + 2 < plan.steps()) {
            loader.tell(new DataLoaderProtocol.Prepare(step + 2, generation, live, getContext().getSelf()));
        }
        double lossSum = accumulate(function, parameterView, ready.microBatches(), gradient, gradientView, accumulated,
                plan.dynamicLossScale() ? scales.get(step) : plan.lossScale());
        int samples = 0;
        for (TrainingBatch mb : ready.microBatches()) {
            samples += mb.size();
        }
        long t1 = System.nanoTime();
        outgoingView.put(0, accumulated);
        long bytes = 0;
        for (int k = 0; k < toShards.length; k++) {
            long before = toShards[k].bytesSent();
            // The chunk's version field carries the plan generation: shards take a step's gradient only from
            // the plan they expect, so a share sent before a re-plan can never mix into the re-done step.
            toShards[k].send(step, generation, k, rank, outgoing, layout.from(k), layout.length(k));
            bytes += toShards[k].bytesSent() - before;
        }
        long t2 = System.nanoTime();
        coordinator.tell(new CoordinatorProtocol.StepDone(step, generation, rank, lossSum, samples, ready.nanos(), t1 - t0, t2 - t1,
                t0 - waitStartNs, bytes));
        // Step time as this rank lives it: from the end of its previous step (waiting for parameters included).
        metrics.stepCompleted(step, (t2 - waitStartNs) / 1e9, samples > 0 ? lossSum / samples : Double.NaN, samples);
        metrics.phases(ready.nanos() / 1e9, (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t0 - waitStartNs) / 1e9);
        step++;
        waitStartNs = System.nanoTime();
    }

    private Behavior<TrainerProtocol.Command> close() {
        if (toShards != null) {
            for (TensorPublisher p : toShards) {
                if (p != null) {
                    p.close();
                }
            }
        }
        receiver.close();
        if (function != null) {
            function.close();
        }
        return this;
    }
}
