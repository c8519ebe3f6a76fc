package org.un2clip.actors.transport;

import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The 64-byte header in front of every chunk of a tensor (little endian). A receiver can check each chunk
 * on its own: which run, step and parameter version it belongs to, which shard and rank sent or own it,
 * where it goes in the tensor, how long the tensor is, and a CRC32C of the payload.
 */
public final class ChunkHeader {
    public static final int MAGIC = 0x55324354; // "U2CT"
    public static final int LENGTH = 64;
    static final int MAGIC_AT = 0;
    static final int SHARD_AT = 4;
    static final int RUN_AT = 8;
    static final int STEP_AT = 16;
    static final int VERSION_AT = 24;
    static final int OFFSET_AT = 32;  // first float of this chunk within the tensor
    static final int TOTAL_AT = 40;   // floats in the whole tensor
    static final int RANK_AT = 48;
    static final int LENGTH_AT = 52;  // floats in this chunk
    static final int CRC_AT = 56;
    static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private ChunkHeader() {}

    /** Writes a header at byte {@code at} of {@code b}. */
    static void write(MutableDirectBuffer b, int at, long run, long step, long version, int shard, int rank,
            long offset, int length, long total, int crc) {
        b.putInt(at + MAGIC_AT, MAGIC, ORDER);
        b.putInt(at + SHARD_AT, shard, ORDER);
        b.putLong(at + RUN_AT, run, ORDER);
        b.putLong(at + STEP_AT, step, ORDER);
        b.putLong(at + VERSION_AT, version, ORDER);
        b.putLong(at + OFFSET_AT, offset, ORDER);
        b.putLong(at + TOTAL_AT, total, ORDER);
        b.putInt(at + RANK_AT, rank, ORDER);
        b.putInt(at + LENGTH_AT, length, ORDER);
        b.putInt(at + CRC_AT, crc, ORDER);
        b.putInt(at + 60, 0, ORDER);
    }

    static int magic(DirectBuffer b, int at) { return b.getInt(at + MAGIC_AT, ORDER); }
    static int shard(DirectBuffer b, int at) { return b.getInt(at + SHARD_AT, ORDER); }
    static long run(DirectBuffer b, int at) { return b.getLong(at + RUN_AT, ORDER); }
    static long step(DirectBuffer b, int at) { return b.getLong(at + STEP_AT, ORDER); }
    static long version(DirectBuffer b, int at) { return b.getLong(at + VERSION_AT, ORDER); }
    static long offset(DirectBuffer b, int at) { return b.getLong(at + OFFSET_AT, ORDER); }
    static long total(DirectBuffer b, int at) { return b.getLong(at + TOTAL_AT, ORDER); }
    static int rank(DirectBuffer b, int at) { return b.getInt(at + RANK_AT, ORDER); }
    static int length(DirectBuffer b, int at) { return b.getInt(at + LENGTH_AT, ORDER); }
    static int crc(DirectBuffer b, int at) { return b.getInt(at + CRC_AT, ORDER); }
}
