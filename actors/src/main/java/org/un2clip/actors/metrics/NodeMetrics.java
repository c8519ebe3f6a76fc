package org.un2clip.actors.metrics;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.DoubleSupplier;
import org.un2clip.actors.transport.LinkCounters;

/**
 * The metrics every un2clip node exposes, under fixed names, for the runtime to feed:
 * {@code un2clip_step_seconds} (histogram), {@code un2clip_loss}, {@code un2clip_images_per_second},
 * {@code un2clip_step} (gauges), {@code un2clip_bytes_moved_total}, {@code un2clip_retries_total},
 * {@code un2clip_rejected_chunks_total} (counters) and {@code un2clip_queue_depth{queue=...}} (read at
 * scrape time). Every sample carries the labels run, node and (for trainers) rank.
 */
public final class NodeMetrics {
    /** Step-time buckets from 10 ms (toy runs) to 10 min (large models on slow devices). */
    static final double[] STEP_SECONDS_BUCKETS = {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120,
            300, 600};

    private final MetricsRegistry registry;
    private final MetricsRegistry.Histogram stepSeconds;
    private final MetricsRegistry.Gauge loss;
    private final MetricsRegistry.Gauge imagesPerSecond;
    private final MetricsRegistry.Gauge step;
    private final MetricsRegistry.Counter bytesMoved;
    private final MetricsRegistry.Counter retries;
    private final MetricsRegistry.Counter rejectedChunks;

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
        loss = registry.gauge("un2clip_loss", "Loss of the last completed step.");
        imagesPerSecond = registry.gauge("un2clip_images_per_second", "Samples per second of the last step.");
        step = registry.gauge("un2clip_step", "Last completed global step.");
        bytesMoved = registry.counter("un2clip_bytes_moved_total", "Tensor bytes sent and received over Aeron.");
        retries = registry.counter("un2clip_retries_total", "Back-pressured or failed offers that were retried.");
        rejectedChunks = registry.counter("un2clip_rejected_chunks_total",
                "Chunks rejected by a receiver (corrupt, duplicate, late, foreign, unexpected, malformed).");
    }

    public void stepCompleted(long stepIndex, double seconds, double lossValue, double images) {
        stepSeconds.observe(seconds);
        loss.set(lossValue);
        imagesPerSecond.set(seconds > 0 ? images / seconds : Double.NaN);
        step.set(stepIndex);
    }

    public void bytesMoved(long bytes) {
        bytesMoved.add(bytes);
    }

    public void retried() {
        retries.inc();
    }

    public void rejectedChunks(long n) {
        rejectedChunks.add(n);
    }

    /** A queue whose depth is read at scrape time (e.g. a mailbox or a pending-tensor map). */
    public void queue(String name, DoubleSupplier depth) {
        registry.gauge("un2clip_queue_depth", "Items waiting in a queue of this node.", depth, "queue", name);
    }

    /**
     * Exposes a tensor receiver's own counts ({@code un2clip_link_bytes_received_total},
     * {@code un2clip_link_tensors_total}, {@code un2clip_link_rejected_chunks_total{reason=...}}), read at
     * scrape time from another thread: monitoring tolerates a slightly stale value.
     */
    public void receiver(String link, LinkCounters c) {
        registry.counter("un2clip_link_bytes_received_total", "Payload bytes a receiver accepted.",
                c::bytesAccepted, "link", link);
        registry.counter("un2clip_link_tensors_total", "Tensors a receiver completed.", c::tensorsCompleted,
                "link", link);
        registry.counter("un2clip_link_incomplete_tensors_total", "Tensors that timed out incomplete.",
                c::tensorsIncomplete, "link", link);
        Map<String, java.util.function.LongSupplier> reasons = new LinkedHashMap<>();
        reasons.put("corrupt", c::corrupt);
        reasons.put("duplicate", c::duplicate);
        reasons.put("late", c::late);
        reasons.put("foreign", c::foreign);
        reasons.put("unexpected", c::unexpected);
        reasons.put("malformed", c::malformed);
        reasons.forEach((reason, count) -> registry.counter("un2clip_link_rejected_chunks_total",
                "Chunks a receiver rejected, by reason.", count::getAsLong, "link", link, "reason", reason));
    }

    public MetricsRegistry registry() {
        return registry;
    }
}
