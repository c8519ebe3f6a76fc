package org.un2clip.actors.aggregator;

import java.nio.ByteBuffer;
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
import org.un2clip.actors.plan.RunPlan;
import org.un2clip.actors.plan.ShardLayout;
import org.un2clip.actors.transport.FloatVectors;
import org.un2clip.actors.transport.Streams;
import org.un2clip.actors.transport.TensorLink;
import org.un2clip.actors.transport.TensorPublisher;
import org.un2clip.actors.transport.TensorReceiver;
import org.un2clip.actors.transport.TensorSlot;

/**
 * One gradient shard: owns slice [from, from+length) of the flat vector with fp32 master weights and AdamW
 * moments. For each step it collects every rank's gradient slice over Aeron, sums them in rank order
 * (deterministic), averages over the global batch, reports the squared norm to the coordinator, and on
 * {@code Apply} clips, updates, bumps its version and sends the new slice to every trainer.
 *
 * <p>Gradients of up to S+1 steps may be in flight (bounded staleness): one receive slot per rank and step
 * modulo S+1. Supervision: a failure stops the shard (its state is mid-step); the coordinator watches it
 * and fails the run loudly, and the run resumes from the newest checkpoint. A rank's gradient that breaks
 * off is that trainer's loss, not the shard's: reported to the coordinator, which re-plans.
 */
public final class GradientShard extends AbstractBehavior<ShardProtocol.Command> implements TensorReceiver.Listener {

    private final int shard;
    private final TensorLink link;
    private final ActorRef<CoordinatorProtocol.Command> coordinator;
    private final ShardOptimizer optimizer;
    private final int length;
    private final TensorReceiver receiver;
    private final IdleStrategy idle = PollingIdle.strategy();
    private RunPlan plan;
    private TensorSlot[][] slots;         // [step % (S+1)][rank]
    private java.nio.FloatBuffer[][] rankViews;   // the slots' destinations, [step % (S+1)][rank]
    private final float[] scratch = RankOrderSum.scratch();
    private int[] arrived;                // ranks arrived per ring index
    private TensorPublisher[] toTrainers;
    private float[] gradient;
    private ByteBuffer outgoing;
    private java.nio.FloatBuffer outgoingView;
    private long version;                 // steps applied so far = the step the current master is for
    private boolean awaitingApply;
    /** The plan generation gradients must carry (bumped when a trainer is lost) and its ranks, ascending. */
    private int generation;
    private int[] live;
    private java.nio.FloatBuffer[][] liveViews;   // rankViews of the live ranks, in rank order
    /** Dynamic loss scaling: the scale of each step, as the coordinator decides it. */
    private final org.un2clip.actors.plan.StepScales scales = new org.un2clip.actors.plan.StepScales();

    public static Behavior<ShardProtocol.Command> create(int shard, ShardLayout layout, ShardOptimizer optimizer,
            TensorLink link, String bindEndpoint, long runId, ActorRef<CoordinatorProtocol.Command> coordinator) {
        return Behaviors.setup(ctx -> new GradientShard(ctx, shard, layout, optimizer, link, bindEndpoint, runId,
                coordinator));
    }

    private GradientShard(ActorContext<ShardProtocol.Command> ctx, int shard, ShardLayout layout,
            ShardOptimizer optimizer, TensorLink link, String bindEndpoint, long runId,
            ActorRef<CoordinatorProtocol.Command> coordinator) {
        super(ctx);
        this.shard = shard;
        this.link = link;
        this.coordinator = coordinator;
        this.optimizer = optimizer;
        this.length = layout.length(shard);
        if (optimizer.master.length != length) {
            throw new IllegalArgumentException("shard " + shard + " owns " + length + " parameters but got "
                    + optimizer.master.length);
        }
        this.receiver = link.receiver(bindEndpoint, Streams.gradients(shard), runId, this);
        coordinator.tell(new CoordinatorProtocol.ShardReady(shard, receiver.endpoint()));
    }

    @Override
    public Receive<ShardProtocol.Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(ShardProtocol.Begin.class, this::onBegin)
                .onMessage(ShardProtocol.Poll.class, p -> onPoll())
                .onMessage(ShardProtocol.Apply.class, this::onApply)
                .onMessage(ShardProtocol.Snapshot.class, this::onSnapshot)
                .onMessage(ShardProtocol.Replan.class, this::onReplan)
                .onMessage(ShardProtocol.LossScale.class, m -> {
                    scales.put(m.step(), m.scale());
                    return this;
                })
                .onMessage(ShardProtocol.Shutdown.class, s -> Behaviors.stopped())
                .onSignal(PostStop.class, s -> closeLinks())
                .build();
    }

    private Behavior<ShardProtocol.Command> onBegin(ShardProtocol.Begin b) {
        plan = b.plan();
        version = b.startStep();
        int ring = plan.staleness() + 1;
        int world = plan.trainers();
        slots = new TensorSlot[ring][world];
        rankViews = new java.nio.FloatBuffer[ring][world];
        arrived = new int[ring];
        for (int i = 0; i < ring; i++) {
            for (int r = 0; r < world; r++) {
                ByteBuffer destination = FloatVectors.allocate(length);
                rankViews[i][r] = destination.asFloatBuffer();
                slots[i][r] = new TensorSlot(destination, 0, length, link.settings().chunkFloats());
            }
        }
        gradient = new float[length];
        outgoing = FloatVectors.allocate(length);
        outgoingView = outgoing.asFloatBuffer();
        toTrainers = new TensorPublisher[world];
        for (int r = 0; r < world; r++) {
            toTrainers[r] = link.publisher(b.trainerEndpoints()[r], Streams.parameters(r), plan.runId());
        }
        setLive(java.util.stream.IntStream.range(0, world).toArray());
        for (long s = version; s < Math.min(plan.steps(), version + ring); s++) {
            expectStep(s);
        }
        for (TensorPublisher p : toTrainers) {
            p.awaitConnected();
        }
        publishMaster();
        getContext().getSelf().tell(new ShardProtocol.Poll());
        return this;
    }

    private void expectStep(long step) {
        int i = (int) (step % slots.length);
        arrived[i] = 0;
        for (int r : live) {
            receiver.expect(slots[i][r], step, generation, shard, r, length);
        }
    }

    private void setLive(int[] ranks) {
        live = ranks;
        liveViews = new java.nio.FloatBuffer[rankViews.length][];
        for (int i = 0; i < rankViews.length; i++) {
            liveViews[i] = new java.nio.FloatBuffer[ranks.length];
            for (int j = 0; j < ranks.length; j++) {
                liveViews[i][j] = rankViews[i][ranks[j]];
            }
        }
    }

    /**
     * A trainer was lost: every step from {@code fromStep} is reduced again from the live ranks' new shares.
     * Steps before it were reduced already (every rank's gradient, the lost one's included, is in).
     */
    private Behavior<ShardProtocol.Command> onReplan(ShardProtocol.Replan r) {
        generation = r.generation();
        setLive(r.live());
        for (int rank = 0; rank < toTrainers.length; rank++) {
            boolean isLive = java.util.Arrays.binarySearch(live, rank) >= 0;
            if (toTrainers[rank] != null && !isLive) {
                toTrainers[rank].close();     // nobody reads it any more: sending would only back-pressure
                toTrainers[rank] = null;
            } else if (toTrainers[rank] == null && isLive) {
                // A replacement trainer: it starts from the parameters of this shard's current version.
                toTrainers[rank] = link.publisher(r.trainerEndpoints()[rank], Streams.parameters(rank), plan.runId());
                toTrainers[rank].awaitConnected();
                if (version >= r.fromStep()) {   // else the update of fromStep − 1 will reach it
                    outgoingView.put(0, optimizer.master);
                    toTrainers[rank].send(version, version, shard, rank, outgoing, 0, length);
                }
            }
        }
        if (version >= r.fromStep()) {
            awaitingApply = false;            // the reduction of fromStep (if any) included a partial plan
        }
        for (long s = Math.max(version, r.fromStep()); s < Math.min(plan.steps(), version + slots.length); s++) {
            for (TensorSlot slot : slots[(int) (s % slots.length)]) {
                receiver.cancel(slot);
            }
            expectStep(s);
        }
        return this;
    }

    private Behavior<ShardProtocol.Command> onPoll() {
        if (awaitingApply) {
            // The coordinator's Apply is on its way to the mailbox and the whole run waits for it: look there after
            // every back-off step, not after a slice (which cost a synchronous step up to 2 ms).
            if (receiver.poll(32) == 0) {
                idle.idle();
            }
        } else {
            long end = System.nanoTime() + PollingIdle.SLICE_NANOS;
            idle.reset();
            while (System.nanoTime() < end && !awaitingApply) {
                int n = receiver.poll(32);
                reduceIfComplete();
                if (n == 0) {
                    idle.idle();
                } else {
                    idle.reset();
                }
            }
            idle.reset();
        }
        getContext().getSelf().tell(new ShardProtocol.Poll());
        return this;
    }

    @Override
    public void onComplete(TensorSlot slot) {
        arrived[(int) (slot.step() % slots.length)]++;
    }

    @Override
    public void onIncomplete(TensorSlot slot, String reason) {
        // A rank's gradient broke off (its process died, or its chunks stopped): that trainer is lost, not
        // this shard; the coordinator re-plans the step over the others.
        receiver.cancel(slot);
        coordinator.tell(new CoordinatorProtocol.TrainerLost(slot.rank(), reason));
    }

    /** When every rank's gradient of the next step is in: sum in rank order, average, report the norm. */
    private void reduceIfComplete() {
        if (awaitingApply || version >= plan.steps()) {
            return;
        }
        int i = (int) (version % slots.length);
        if (arrived[i] < live.length) {
            return;
        }
        double lossScale = plan.lossScale();
        if (plan.dynamicLossScale()) {
            if (!scales.has(version)) {
                return;      // told before the update that let the trainers start this step: in the mailbox
            }
            lossScale = scales.get(version);
        }
        double sumSquares = RankOrderSum.reduce(liveViews[i], gradient, scratch, length,
                (float) (plan.globalBatch() * lossScale));
        awaitingApply = true;
        coordinator.tell(new CoordinatorProtocol.GradientNorm(version, generation, shard, sumSquares));
    }

    private Behavior<ShardProtocol.Command> onApply(ShardProtocol.Apply a) {
        if (!awaitingApply || a.step() != version) {
            throw new IllegalStateException("shard " + shard + " got Apply for step " + a.step() + " at version "
                    + version + (awaitingApply ? "" : " with no gradient reduced"));
        }
        if (!a.skip()) {
            optimizer.apply(gradient, length, a.clipCoefficient(), a.lr(), plan);
        }
        long applied = version;
        version++;
        awaitingApply = false;
        long next = applied + slots.length;
        if (next < plan.steps()) {
            expectStep(next);     // reopen before publishing: trainers answer the new version with that step
        }
        publishMaster();
        coordinator.tell(new CoordinatorProtocol.ShardApplied(applied, shard));
        reduceIfComplete();
        return this;
    }

    private void publishMaster() {
        outgoingView.put(0, optimizer.master);
        for (int r = 0; r < toTrainers.length; r++) {
            // A trainer that left or died has no subscriber on its stream any more; waiting for one (up to the offer
            // timeout) would block this shard, re-plan included. Its loss reaches the coordinator on its own path
            // (actor watch, failure detector, stall detection), and a live trainer that missed this version stalls.
            if (toTrainers[r] != null && toTrainers[r].isConnected()) {
                toTrainers[r].send(version, version, shard, r, outgoing, 0, length);
            }
        }
    }

    private Behavior<ShardProtocol.Command> onSnapshot(ShardProtocol.Snapshot s) {
        if (s.step() != version) {
            throw new IllegalStateException("shard " + shard + " asked for a snapshot of step " + s.step()
                    + " at version " + version);
        }
        s.replyTo().tell(new CoordinatorProtocol.ShardState(version, shard, optimizer.master.clone(),
                optimizer.expAvg.clone(), optimizer.expAvgSq.clone(), optimizer.step));
        return this;
    }

    private Behavior<ShardProtocol.Command> closeLinks() {
        if (toTrainers != null) {
            for (TensorPublisher p : toTrainers) {
                if (p != null) {
                    p.close();
                }
            }
        }
        receiver.close();
        return this;
    }
}
