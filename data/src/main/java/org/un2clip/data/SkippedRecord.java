package org.un2clip.data;

/** One skipped record: where it was (shard or folder, key), why, and the detail of the error. */
public record SkippedRecord(String source, String key, SkipReason reason, String detail) {
    @Override
    public String toString() {
        return source + " [" + key + "]: " + reason.label() + (detail == null || detail.isEmpty() ? "" : " (" + detail + ")");
    }
}
