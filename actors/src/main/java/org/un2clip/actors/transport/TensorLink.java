package org.un2clip.actors.transport;

import io.aeron.Aeron;
import io.aeron.Image;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
        return new TensorPublisher(aeron, settings, settings.channel(endpoint), streamId, run);
    }

    /** A receiver on this process's endpoint ("host:0" picks a free UDP port; see {@link TensorReceiver#endpoint()}). */
    public TensorReceiver receiver(String endpoint, int streamId, long run, TensorReceiver.Listener listener) {
        ManyToOneConcurrentArrayQueue<Integer> lost = new ManyToOneConcurrentArrayQueue<>(1024);
        lostSessionQueues.add(lost);
        return new TensorReceiver(aeron, settings, settings.channel(endpoint), streamId, run, listener, lost,
                () -> lostSessionQueues.remove(lost));
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
