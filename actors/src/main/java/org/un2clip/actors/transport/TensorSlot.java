package org.un2clip.actors.transport;

import java.nio.ByteBuffer;
import java.util.BitSet;

/**
 * Where one expected tensor is assembled: the key it must carry, the destination region, and which chunks
 * have arrived. Slots are made once and reused step after step (no allocation per step).
 */
public final class TensorSlot {
    /** Matches any version in {@link TensorReceiver#expect}. */
    public static final long ANY_VERSION = Long.MIN_VALUE;

    enum State { IDLE, OPEN, COMPLETE, FAILED }

    final ByteBuffer destination;
    final ByteBuffer crcView;
    final int destinationFloat;
    final int capacityFloats;
    private final BitSet received;
    State state = State.IDLE;
    long step;
    long version;
    long receivedVersion;
    int shard;
    int rank;
    int totalFloats;
    int chunks;
    int receivedChunks;
    int sessionId;
    long openedNs;
    long firstChunkNs;
    Object attachment;

    /**
     * @param destination      direct little-endian buffer the tensor is written into
     * @param destinationFloat first float of the region
     * @param capacityFloats   largest tensor this slot takes
     * @param chunkFloats      the link's chunk size in floats
     */
    public TensorSlot(ByteBuffer destination, int destinationFloat, int capacityFloats, int chunkFloats) {
        this.destination = destination;
        this.crcView = destination.duplicate();
        this.destinationFloat = destinationFloat;
        this.capacityFloats = capacityFloats;
        this.received = new BitSet(Math.max(1, (capacityFloats + chunkFloats - 1) / chunkFloats));
    }

    void open(long step, long version, int shard, int rank, int totalFloats, int chunkFloats, long nowNs) {
        if (totalFloats > capacityFloats) {
            throw new IllegalArgumentException("tensor of " + totalFloats + " floats does not fit a slot of "
                    + capacityFloats);
        }
        this.step = step;
        this.version = version;
        this.shard = shard;
        this.rank = rank;
        this.totalFloats = totalFloats;
        this.chunks = Math.max(1, (totalFloats + chunkFloats - 1) / chunkFloats);
        this.receivedChunks = 0;
        this.sessionId = 0;
        this.openedNs = nowNs;
        this.firstChunkNs = 0;
        this.receivedVersion = ANY_VERSION;
        received.clear();
        state = State.OPEN;
    }

    boolean matches(long step, long version, int shard, int rank) {
        return this.step == step && this.shard == shard && this.rank == rank
                && (this.version == ANY_VERSION || this.version == version);
    }

    boolean has(int chunk) {
        return received.get(chunk);
    }

    /** Marks a chunk received; true when it was the last one missing. */
    boolean mark(int chunk) {
        received.set(chunk);
        return ++receivedChunks == chunks;
    }

    public long step() { return step; }
    public long version() { return version; }
    /** The version the sender put in the header (when the slot was opened for any version). */
    public long receivedVersion() { return receivedVersion; }
    public int shard() { return shard; }
    public int rank() { return rank; }
    public int totalFloats() { return totalFloats; }
    public int receivedChunks() { return receivedChunks; }
    public int chunks() { return chunks; }
    public ByteBuffer destination() { return destination; }
    public int destinationFloat() { return destinationFloat; }
    public boolean isOpen() { return state == State.OPEN; }
    public boolean isComplete() { return state == State.COMPLETE; }
    public Object attachment() { return attachment; }
    public TensorSlot attach(Object o) { attachment = o; return this; }
}
