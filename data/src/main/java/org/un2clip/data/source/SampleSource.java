package org.un2clip.data.source;

import org.un2clip.data.BadRecordException;

/**
 * Random access to a dataset's samples by global index 0..size-1, the index the sampler permutes.
 * Implementations open files lazily and are safe for concurrent {@link #read} calls from decode threads.
 */
public interface SampleSource extends AutoCloseable {
    int size();

    SampleLocation location(int index);

    /** The sample's bytes; a sample that cannot be read raises {@link BadRecordException} (the caller skips it). */
    RawRecord read(int index) throws BadRecordException;

    @Override
    void close();
}
