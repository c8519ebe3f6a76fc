package org.un2clip.data.source;

/** Where a sample is: its shard or folder and its key, for logs and skip reports. */
public record SampleLocation(String source, String key) {
}
