package org.un2clip.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts skipped records per reason and keeps the first {@code keep} of them for reports. Thread-safe:
 * decode threads record into one ledger. Every skip is logged (WARN) with its shard and key, so a run
 * that goes on past bad input still says what it left out.
 */
public final class SkipLedger {
    private static final Logger LOG = LoggerFactory.getLogger(SkipLedger.class);

    private final int keep;
    private final Map<SkipReason, Long> counts = new EnumMap<>(SkipReason.class);
    private final List<SkippedRecord> kept = new ArrayList<>();
    private final boolean log;

    public SkipLedger(int keep, boolean log) {
        this.keep = keep;
        this.log = log;
    }

    /** A ledger that keeps up to 1000 records and logs every skip. */
    public SkipLedger() {
        this(1000, true);
    }

    public void skip(String source, String key, SkipReason reason, String detail) {
        SkippedRecord r = new SkippedRecord(source, key, reason, detail);
        synchronized (this) {
            counts.merge(reason, 1L, Long::sum);
            if (kept.size() < keep) {
                kept.add(r);
            }
        }
        if (log) {
            LOG.warn("skipped record {}", r);
        }
    }

    public void skip(String source, String key, BadRecordException e) {
        skip(source, key, e.reason(), e.getMessage());
    }

    public synchronized long count(SkipReason reason) {
        return counts.getOrDefault(reason, 0L);
    }

    public synchronized long total() {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Counts per reason, in the enum's order, only reasons that occurred. */
    public synchronized Map<SkipReason, Long> counts() {
        return Collections.unmodifiableMap(new EnumMap<>(counts.isEmpty() ? new EnumMap<>(SkipReason.class) : counts));
    }

    /** The first skipped records (up to the ledger's limit), in the order they were found. */
    public synchronized List<SkippedRecord> records() {
        return List.copyOf(kept);
    }
}
