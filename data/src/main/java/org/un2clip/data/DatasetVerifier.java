package org.un2clip.data;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.un2clip.data.image.ImageDecoder;
import org.un2clip.data.load.RecordDecoder;
import org.un2clip.data.source.SampleLocation;
import org.un2clip.data.source.SampleSource;
import org.un2clip.data.source.Sources;

/**
 * Scans datasets the way training reads them (same index, same decoder, same caption rules) and counts
 * good and bad records. A path that cannot be opened at all raises {@link org.un2clip.data.source.DataSourceException}.
 */
public final class DatasetVerifier {
    /** The scan's outcome: good records, bad ones (counted per reason in the ledger). */
    public record Report(long ok, long bad, SkipLedger ledger) {
    }

    private DatasetVerifier() {
    }

    public static Report verify(List<String> paths, ImageDecoder decoder, boolean captionsRequired, int threads, SkipLedger ledger)
            throws InterruptedException {
        AtomicLong ok = new AtomicLong();
        try (SampleSource source = Sources.open(paths, ledger)) {
            RecordDecoder records = new RecordDecoder(source, decoder, captionsRequired);
            ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
            try {
                int chunk = 64;
                List<Future<?>> futures = new ArrayList<>();
                for (int start = 0; start < source.size(); start += chunk) {
                    int from = start;
                    int to = Math.min(source.size(), start + chunk);
                    futures.add(pool.submit(() -> {
                        for (int i = from; i < to; i++) {
                            try {
                                records.decode(i);
                                ok.incrementAndGet();
                            } catch (BadRecordException e) {
                                SampleLocation loc = source.location(i);
                                ledger.skip(loc.source(), loc.key(), e);
                            }
                        }
                    }));
                }
                for (Future<?> f : futures) {
                    try {
                        f.get();
                    } catch (ExecutionException e) {
                        throw new IllegalStateException("verify worker failed: " + e.getCause(), e.getCause());
                    }
                }
            } finally {
                pool.shutdownNow();
            }
        }
        return new Report(ok.get(), ledger.total(), ledger);
    }
}
