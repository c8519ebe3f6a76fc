package org.un2clip.data.source;

import java.util.Arrays;
import java.util.List;
import org.un2clip.data.BadRecordException;

/** Several sources (shards, folders) as one index space, in the order given. */
public final class ConcatSource implements SampleSource {
    private final List<SampleSource> parts;
    private final int[] starts;
    private final int size;

    public ConcatSource(List<? extends SampleSource> parts) {
        this.parts = List.copyOf(parts);
        this.starts = new int[parts.size()];
        long total = 0;
        for (int i = 0; i < parts.size(); i++) {
            starts[i] = (int) total;
            total += parts.get(i).size();
            if (total > Integer.MAX_VALUE) {
                throw new DataSourceException("more than " + Integer.MAX_VALUE + " samples");
            }
        }
        this.size = (int) total;
    }

    public List<SampleSource> parts() {
        return parts;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public SampleLocation location(int index) {
        int p = part(index);
        return parts.get(p).location(index - starts[p]);
    }

    @Override
    public RawRecord read(int index) throws BadRecordException {
        int p = part(index);
        return parts.get(p).read(index - starts[p]);
    }

    private int part(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("sample " + index + " of " + size);
        }
        int p = Arrays.binarySearch(starts, index);
        if (p < 0) {
            p = -p - 2;
        }
        // Empty parts share a start with the next one: move to the last part starting here.
        while (p + 1 < starts.length && starts[p + 1] == index) {
            p++;
        }
        return p;
    }

    @Override
    public void close() {
        parts.forEach(SampleSource::close);
    }
}
