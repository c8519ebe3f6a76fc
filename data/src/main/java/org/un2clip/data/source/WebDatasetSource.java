package org.un2clip.data.source;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import org.un2clip.data.BadRecordException;
import org.un2clip.data.SkipReason;

/**
 * The samples of one indexed shard. The shard file is opened on the first read (positional reads, safe
 * from several decode threads) and only the members of requested samples are read.
 */
public final class WebDatasetSource implements SampleSource {
    private final ShardIndex index;
    private FileChannel channel;

    public WebDatasetSource(ShardIndex index) {
        this.index = index;
    }

    @Override
    public int size() {
        return index.entries().size();
    }

    @Override
    public SampleLocation location(int i) {
        return new SampleLocation(index.shard().toString(), index.entries().get(i).key());
    }

    @Override
    public RawRecord read(int i) throws BadRecordException {
        ShardIndex.Entry e = index.entries().get(i);
        try {
            FileChannel ch = channel();
            return new RawRecord(index.shard().toString(), e.key(), e.imageExt(), bytes(ch, e.image()),
                    e.caption().present() ? bytes(ch, e.caption()) : null, e.json().present() ? bytes(ch, e.json()) : null);
        } catch (IOException ex) {
            throw new BadRecordException(SkipReason.UNREADABLE, ex.getMessage(), ex);
        }
    }

    /** True once a read has opened the shard file (tests check that unneeded shards stay closed). */
    public synchronized boolean isOpen() {
        return channel != null;
    }

    private synchronized FileChannel channel() throws IOException {
        if (channel == null) {
            channel = FileChannel.open(index.shard(), StandardOpenOption.READ);
        }
        return channel;
    }

    private static byte[] bytes(FileChannel ch, ShardIndex.Member m) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(m.length());
        long pos = m.offset();
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException("shard shrank since it was indexed (member at " + m.offset() + ")");
            }
            pos += n;
        }
        return buf.array();
    }

    @Override
    public synchronized void close() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // Read-only channel: nothing to lose.
            }
            channel = null;
        }
    }
}
