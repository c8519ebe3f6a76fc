package org.un2clip.actors.metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleSupplier;
import java.util.function.ToLongFunction;
import org.un2clip.actors.transport.LinkCounters;
import org.un2clip.actors.transport.TensorLink;

/**
 * The metrics every un2clip node exposes, under fixed names, for the runtime to feed:
 * {@code un2clip_step_seconds} (histogram), {@code un2clip_loss}, {@code un2clip_images_per_second},
 * {@code un2clip_step}, {@code un2clip_phase_seconds{phase=...}} (gauges, set per step),
 * {@code un2clip_queue_depth{queue=...}} (gauges), and, read at scrape time from the node's tensor link,
 * {@code un2clip_bytes_moved_total}, {@code un2clip_retries_total}, {@code un2clip_rejected_chunks_total}
 * with their breakdowns {@code un2clip_link_bytes_sent_total}, {@code un2clip_link_bytes_received_total},
 * {@code un2clip_link_tensors_total}, {@code un2clip_link_incomplete_tensors_total} and
 * {@code un2clip_link_rejected_chunks_total{reason=...}}. Every sample carries the labels run, node and (for
 * trainers) rank.
 */
public final class NodeMetrics {
    /** Step-time buckets from 10 ms (toy runs) to 10 min (large models on slow devices). */
    static final double[] STEP_SECONDS_BUCKETS = {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120,
            300, 600};
    /** The phases of a trainer's step, as in metrics.jsonl (data_s, compute_s, send_s, wait_s). */
    public static final List<String> PHASES = List.of("data", "compute", "send", "wait");

    private final MetricsRegistry registry;
    private final MetricsRegistry.Histogram stepSeconds;
    private final MetricsRegistry.Gauge loss;
    private final MetricsRegistry.Gauge imagesPerSecond;
    private final MetricsRegistry.Gauge step;
    private final MetricsRegistry.Gauge[] phaseSeconds = new MetricsRegistry.Gauge[PHASES.size()];

    /** @param rank the trainer rank, or -1 for the coordinator/aggregator */
    public NodeMetrics(String run, String node, int rank) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("run", run);
        labels.put("node", node);
        if (rank >= 0) {
            labels.put("rank", Integer.toString(rank));
        }
        registry = new MetricsRegistry(labels);
        stepSeconds = registry.histogram("un2clip_step_seconds", "Wall time of a global step as seen by this node.",
                STEP_SECONDS_BUCKETS);
        loss = registry.gauge("un2clip_loss", "Loss of the last completed step (a trainer: of its share).");
        imagesPerSecond = registry.gauge("un2clip_images_per_second",
                "Samples per second of the last step (a trainer: its share).");
        step = registry.gauge("un2clip_step", "Last completed global step.");
        for (int i = 0; i < PHASES.size(); i++) {
            phaseSeconds[i] = registry.gauge("un2clip_phase_seconds", "Seconds the last step spent in a phase.",
                    "phase", PHASES.get(i));
        }
    }

    /** @param images samples the step trained (on this node: a trainer's share, the coordinator's whole batch) */
    public void stepCompleted(long stepIndex, double seconds, double lossValue, double images) {
        stepSeconds.observe(seconds);
        loss.set(lossValue);
        imagesPerSecond.set(seconds > 0 ? images / seconds : Double.NaN);
        step.set(stepIndex);
    }

    /** The last step's time per phase, in the order of {@link #PHASES}. */
    public void phases(double data, double compute, double send, double wait) {
        phaseSeconds[0].set(data);
        phaseSeconds[1].set(compute);
        phaseSeconds[2].set(send);
        phaseSeconds[3].set(wait);
    }

    /** A queue whose depth is read at scrape time (e.g. a size kept in a volatile or atomic field). */
    public void queue(String name, DoubleSupplier depth) {
        registry.gauge("un2clip_queue_depth", "Items waiting in a queue of this node.", depth, "queue", name);
    }

    /** A queue whose owner sets the depth (an actor, on its own thread, after each change). */
    public MetricsRegistry.Gauge queue(String name) {
        MetricsRegistry.Gauge g = registry.gauge("un2clip_queue_depth", "Items waiting in a queue of this node.",
                "queue", name);
        g.set(0);
        return g;
    }

    /**
     * Exposes the node's tensor traffic, read at scrape time from the link (every publisher and receiver the
     * node made, closed ones included, so the counters never go down). Call once per node.
     */
    public void link(TensorLink link) {
        registry.counter("un2clip_bytes_moved_total", "Tensor bytes this node sent and received over Aeron.",
                () -> link.bytesSent() + link.received(LinkCounters::bytesAccepted));
        registry.counter("un2clip_retries_total",
                "Offers retried (back-pressured, admin action, not connected) or re-published after a lost publication.",
                link::retriedOffers);
        registry.counter("un2clip_rejected_chunks_total",
                "Chunks rejected by this node's receivers (corrupt, duplicate, late, foreign, unexpected, malformed).",
                () -> link.received(LinkCounters::rejected));
        registry.counter("un2clip_link_bytes_sent_total", "Bytes (chunk headers + payload) this node's publishers sent.",
                link::bytesSent);
        registry.counter("un2clip_link_bytes_received_total", "Payload bytes this node's receivers accepted.",
                () -> link.received(LinkCounters::bytesAccepted));
        registry.counter("un2clip_link_tensors_total", "Tensors this node's receivers completed.",
                () -> link.received(LinkCounters::tensorsCompleted));
        registry.counter("un2clip_link_incomplete_tensors_total", "Tensors that timed out or broke off incomplete.",
                () -> link.received(LinkCounters::tensorsIncomplete));
        Map<String, ToLongFunction<LinkCounters>> reasons = new LinkedHashMap<>();
        reasons.put("corrupt", LinkCounters::corrupt);
        reasons.put("duplicate", LinkCounters::duplicate);
        reasons.put("late", LinkCounters::late);
        reasons.put("foreign", LinkCounters::foreign);
        reasons.put("unexpected", LinkCounters::unexpected);
        reasons.put("malformed", LinkCounters::malformed);
        reasons.forEach((reason, count) -> registry.counter("un2clip_link_rejected_chunks_total",
                "Chunks this node's receivers rejected, by reason.", () -> link.received(count), "reason", reason));
    }

    public MetricsRegistry registry() {
        return registry;
    }
}
