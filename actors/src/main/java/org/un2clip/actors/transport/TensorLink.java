package org.un2clip.actors.transport;

import io.aeron.Aeron;
import io.aeron.Image;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

/**
 * One process's access to the data plane: an Aeron client, attached either to an embedded driver of its own
 * or (IPC within a host) to the driver directory of another process of the same host.
 */
public final class TensorLink implements AutoCloseable {
    private final TransportSettings settings;
    private final EmbeddedDriver driver;
    private final Aeron aeron;
    private final String directory;
    /** Sessions whose image went away, reported on Aeron's conductor thread, drained by receivers. */
    private final List<ManyToOneConcurrentArrayQueue<Integer>> lostSessionQueues =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    /** What every publisher of this process sent (closed ones included): the node's metrics read it. */
    private final SendTotals sent = new SendTotals();
    /** The counters of every receiver this process made, closed ones included (small: kept for the totals). */
    private final List<LinkCounters> receiverCounters = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Counts publishers add to on their threads, read by monitoring on another. */
    static final class SendTotals {
        final AtomicLong bytes = new AtomicLong();
        /** Offers that did not go through at once (back-pressure, admin action, not connected) or lost the publication. */
        final AtomicLong retriedOffers = new AtomicLong();
    }

    private TensorLink(TransportSettings settings, EmbeddedDriver driver, String directory) {
        this.settings = settings;
        this.driver = driver;
        this.directory = directory;
        this.aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(directory)
                .driverTimeoutMs(TimeUnit.SECONDS.toMillis(10))
                .unavailableImageHandler(this::onImageLost));
    }

    /** Starts an embedded driver and connects to it. */
    public static TensorLink embedded(TransportSettings settings) {
        EmbeddedDriver d = EmbeddedDriver.start(settings);
        try {
            return new TensorLink(settings, d, d.directory());
        } catch (RuntimeException e) {
            d.close();
            throw e;
        }
    }

    /** Connects to the running driver in {@code directory} (another process of this host). */
    public static TensorLink attached(TransportSettings settings, String directory) {
        return new TensorLink(settings, null, directory);
    }

    public TransportSettings settings() {
        return settings;
    }

    /** The Aeron directory, for processes of this host that attach to it. */
    public String directory() {
        return directory;
    }

    /** A publisher to the subscriber at {@code endpoint} (UDP "host:port"; ignored over IPC). */
    public TensorPublisher publisher(String endpoint, int streamId, long run) {
        return new TensorPublisher(aeron, settings, settings.channel(endpoint), streamId, run, sent);
    }

    /** A receiver on this process's endpoint ("host:0" picks a free UDP port; see {@link TensorReceiver#endpoint()}). */
    public TensorReceiver receiver(String endpoint, int streamId, long run, TensorReceiver.Listener listener) {
        ManyToOneConcurrentArrayQueue<Integer> lost = new ManyToOneConcurrentArrayQueue<>(1024);
        lostSessionQueues.add(lost);
        TensorReceiver r = new TensorReceiver(aeron, settings, settings.channel(endpoint), streamId, run, listener,
                lost, () -> lostSessionQueues.remove(lost));
        receiverCounters.add(r.counters());
        return r;
    }

    /** Bytes (chunk headers + payload) every publisher of this link sent. */
    public long bytesSent() {
        return sent.bytes.get();
    }

    /** Offers that had to be retried (back-pressured, admin action, not connected) or re-published. */
    public long retriedOffers() {
        return sent.retriedOffers.get();
    }

    /**
     * One count summed over every receiver of this link, e.g. {@code LinkCounters::bytesAccepted}. Read from a
     * thread other than the receivers' (monitoring): a value may be a little stale, never torn on 64-bit JVMs.
     */
    public long received(ToLongFunction<LinkCounters> count) {
        long sum = 0;
        for (LinkCounters c : receiverCounters) {
            sum += count.applyAsLong(c);
        }
        return sum;
    }

    private void onImageLost(Image image) {
        for (ManyToOneConcurrentArrayQueue<Integer> q : lostSessionQueues) {
            q.offer(image.sessionId());
        }
    }

    @Override
    public void close() {
        aeron.close();
        if (driver != null) {
            driver.close();
        }
    }
}
