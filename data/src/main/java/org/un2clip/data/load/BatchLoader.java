package org.un2clip.data.load;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.un2clip.data.BadRecordException;
import org.un2clip.data.SkipLedger;
import org.un2clip.data.preprocess.ImagePreprocessor;
import org.un2clip.data.preprocess.PixelView;
import org.un2clip.data.source.SampleLocation;

/**
 * Loads a sequence of sample-index batches (a rank's shares of successive steps) with bounded memory: a
 * producer thread fans each batch out to {@code decodeThreads} decode threads, assembles it in share order,
 * and puts it into a queue of {@code prefetch} batches; when the queue is full the producer blocks
 * (back-pressure), so at most prefetch + 1 batches exist at once. Bad records are skipped, counted in the
 * ledger and logged; the batch comes out with the rest.
 */
public final class BatchLoader implements AutoCloseable {
    private static final Object END = new Object();

    private final RecordDecoder records;
    private final ImagePreprocessor preprocessor;
    private final SkipLedger ledger;
    private final ExecutorService decoders;
    private final BlockingQueue<Object> queue;
    private final Thread producer;
    private volatile boolean closed;
    private boolean ended;

    public BatchLoader(RecordDecoder records, ImagePreprocessor preprocessor, SkipLedger ledger,
                       Iterator<int[]> batches, int decodeThreads, int prefetch) {
        if (decodeThreads <= 0 || prefetch <= 0) {
            throw new IllegalArgumentException("decode threads and prefetch must be positive: " + decodeThreads + ", " + prefetch);
        }
        this.records = records;
        this.preprocessor = preprocessor;
        this.ledger = ledger;
        this.queue = new ArrayBlockingQueue<>(prefetch);
        AtomicInteger n = new AtomicInteger();
        this.decoders = Executors.newFixedThreadPool(decodeThreads, r -> {
            Thread t = new Thread(r, "un2clip-decode-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.producer = new Thread(() -> produce(batches), "un2clip-batch-producer");
        producer.setDaemon(true);
        producer.start();
    }

    /** The next batch (blocking), or null when the batch sequence is exhausted. */
    public LoadedBatch next() throws InterruptedException {
        if (ended) {
            return null;
        }
        Object o = queue.take();
        if (o == END) {
            ended = true;
            return null;
        }
        if (o instanceof Throwable t) {
            ended = true;
            throw new DataLoadException("data loading failed: " + t.getMessage(), t);
        }
        return (LoadedBatch) o;
    }

    /** Batches waiting in the prefetch queue (for back-pressure checks and metrics). */
    public int queued() {
        return queue.size();
    }

    private void produce(Iterator<int[]> batches) {
        try {
            long index = 0;
            while (!closed && batches.hasNext()) {
                queue.put(load(index++, batches.next()));
            }
            if (!closed) {
                queue.put(END);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            if (!closed) {
                try {
                    queue.put(e);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** Loads one batch: decode + preprocess in parallel, then compact away the skipped samples. */
    public LoadedBatch load(long batchIndex, int[] samples) throws InterruptedException {
        List<PixelView> views = preprocessor.views();
        float[][] pixels = new float[views.size()][];
        for (int v = 0; v < views.size(); v++) {
            pixels[v] = new float[samples.length * views.get(v).length()];
        }
        String[] captions = new String[samples.length];
        boolean[] ok = new boolean[samples.length];
        List<Future<?>> futures = new ArrayList<>(samples.length);
        for (int i = 0; i < samples.length; i++) {
            int slot = i;
            futures.add(decoders.submit(() -> {
                try {
                    DecodedSample d = records.decode(samples[slot]);
                    preprocessor.apply(d.image(), pixels, slot);
                    captions[slot] = d.caption();
                    ok[slot] = true;
                } catch (BadRecordException e) {
                    SampleLocation loc = records.source().location(samples[slot]);
                    ledger.skip(loc.source(), loc.key(), e);
                }
            }));
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (ExecutionException e) {
                throw new DataLoadException("decode thread failed", e.getCause());
            }
        }
        return compact(batchIndex, samples, captions, views, pixels, ok);
    }

    private static LoadedBatch compact(long batchIndex, int[] samples, String[] captions, List<PixelView> views,
                                       float[][] pixels, boolean[] ok) {
        int kept = 0;
        for (boolean b : ok) {
            kept += b ? 1 : 0;
        }
        if (kept == samples.length) {
            return new LoadedBatch(batchIndex, samples.clone(), captions, views, pixels, samples.length);
        }
        int[] keptSamples = new int[kept];
        String[] keptCaptions = new String[kept];
        int j = 0;
        for (int i = 0; i < samples.length; i++) {
            if (ok[i]) {
                for (int v = 0; v < views.size(); v++) {
                    int len = views.get(v).length();
                    System.arraycopy(pixels[v], i * len, pixels[v], j * len, len);
                }
                keptSamples[j] = samples[i];
                keptCaptions[j] = captions[i];
                j++;
            }
        }
        float[][] trimmed = new float[views.size()][];
        for (int v = 0; v < views.size(); v++) {
            trimmed[v] = Arrays.copyOf(pixels[v], kept * views.get(v).length());
        }
        return new LoadedBatch(batchIndex, keptSamples, keptCaptions, views, trimmed, samples.length);
    }

    @Override
    public void close() {
        closed = true;
        producer.interrupt();
        decoders.shutdownNow();
        queue.clear();
    }
}
