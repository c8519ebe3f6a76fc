package org.un2clip.actors.transport;

import io.aeron.Aeron;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.FrameDescriptor;
import io.aeron.Subscription;
import io.aeron.logbuffer.Header;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

/**
 * Receives chunked tensors on one stream into slots that the owner opened with {@link #expect}. A tensor
 * is delivered ({@link Listener#onComplete}) only when every chunk arrived with a good checksum; a tensor
 * whose publisher went away, or that stays incomplete past the tensor timeout, is reported
 * ({@link Listener#onIncomplete}) and never delivered. Chunks of another run, of a finished or older
 * step, repeats, bad checksums and malformed headers are rejected and counted.
 *
 * <p>Used by one thread (the owner polls). Nothing is allocated per chunk.
 */
public final class TensorReceiver implements AutoCloseable {

    /** Called on the polling thread. */
    public interface Listener {
        void onComplete(TensorSlot slot);

        void onIncomplete(TensorSlot slot, String reason);
    }

    private final Subscription subscription;
    private final FragmentHandler handler;
    private final Int2ObjectHashMap<Cursor> cursors = new Int2ObjectHashMap<>();
    private final long run;
    private final int chunkFloats;
    private final long tensorTimeoutNs;
    private final Listener listener;
    private final ManyToOneConcurrentArrayQueue<Integer> lostSessions;
    private final Runnable onClose;
    private final List<TensorSlot> slots = new ArrayList<>();
    private final LinkCounters counters = new LinkCounters();
    private final String channel;
    private final int streamId;

    TensorReceiver(Aeron aeron, TransportSettings s, String channel, int streamId, long run, Listener listener,
            ManyToOneConcurrentArrayQueue<Integer> lostSessions, Runnable onClose) {
        this.subscription = aeron.addSubscription(channel, streamId);
        this.handler = this::onFragment;
        this.run = run;
        this.chunkFloats = s.chunkFloats();
        this.tensorTimeoutNs = s.tensorTimeout().toNanos();
        this.listener = listener;
        this.lostSessions = lostSessions;
        this.onClose = onClose;
        this.channel = channel;
        this.streamId = streamId;
    }

    /** "host:port" of this receiver's UDP endpoint (a port of 0 resolved to the bound one); "ipc" over IPC. */
    public String endpoint() {
        if (channel.startsWith("aeron:ipc")) {
            return "ipc";
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            List<String> bound = subscription.localSocketAddresses();
            if (!bound.isEmpty()) {
                return bound.get(0);
            }
            Thread.onSpinWait();
        }
        throw new TransportException("subscription " + channel + " did not bind an address");
    }

    public int streamId() {
        return streamId;
    }

    /**
     * Forgets whatever {@code slot} expected or half-assembled (a re-planned step): its chunks from now on are
     * rejected as unexpected until it is opened again.
     */
    public void cancel(TensorSlot slot) {
        slot.state = TensorSlot.State.IDLE;
    }

    /** Opens {@code slot} for one tensor: chunks with exactly this key are assembled into it. */
    public void expect(TensorSlot slot, long step, long version, int shard, int rank, int totalFloats) {
        if (slot.state == TensorSlot.State.OPEN) {
            throw new IllegalStateException("slot for shard " + slot.shard + " rank " + slot.rank + " step "
                    + slot.step + " is still open");
        }
        slot.open(step, version, shard, rank, totalFloats, chunkFloats, System.nanoTime());
        if (!slots.contains(slot)) {
            slots.add(slot);
        }
    }

    /** Polls up to {@code limit} fragments and checks for lost publishers and timed-out tensors. */
    public int poll(int limit) {
        int n = subscription.poll(handler, limit);
        Integer lost;
        while ((lost = lostSessions.poll()) != null) {
            failSession(lost);
            cursors.remove(lost.intValue());
        }
        if (n == 0) {
            checkTimeouts(System.nanoTime());
        }
        return n;
    }

    public boolean isConnected() {
        return subscription.isConnected();
    }

    public LinkCounters counters() {
        return counters;
    }

    /**
     * Where the message a session is in the middle of goes. Aeron delivers a session's fragments in order, so
     * a chunk's payload is copied fragment by fragment straight into its slot (no reassembly copy), with the
     * checksum updated over each piece while it is hot in cache. Made once per session.
     */
    private static final class Cursor {
        final CRC32C crc = new CRC32C();
        TensorSlot slot;     // null: skip the rest of this message
        int chunk;
        int nextByte;
        int endByte;
        int bytes;
        int expectedCrc;
        long version;
        boolean inMessage;
    }

    private void onFragment(DirectBuffer buffer, int at, int length, Header header) {
        byte flags = header.flags();
        boolean begin = (flags & FrameDescriptor.BEGIN_FRAG_FLAG) != 0;
        boolean end = (flags & FrameDescriptor.END_FRAG_FLAG) != 0;
        int session = header.sessionId();
        Cursor c = cursors.get(session);
        if (c == null) {
            c = new Cursor();
            cursors.put(session, c);
        }
        if (begin) {
            c.inMessage = true;
            c.slot = null;
            if (!startChunk(c, buffer, at, length)) {
                c.inMessage = !end;
                return;
            }
            copy(c, buffer, at + ChunkHeader.LENGTH, length - ChunkHeader.LENGTH);
        } else if (c.inMessage && c.slot != null) {
            copy(c, buffer, at, length);
        }
        if (end) {
            c.inMessage = false;
            if (c.slot != null) {
                finishChunk(c, session);
            }
        }
    }

    /** Checks a chunk's header; true (and the cursor aimed at the destination) when it is to be taken. */
    private boolean startChunk(Cursor c, DirectBuffer buffer, int at, int length) {
        if (length < ChunkHeader.LENGTH || ChunkHeader.magic(buffer, at) != ChunkHeader.MAGIC) {
            counters.malformed++;
            return false;
        }
        if (ChunkHeader.run(buffer, at) != run) {
            counters.foreign++;
            return false;
        }
        long step = ChunkHeader.step(buffer, at);
        long version = ChunkHeader.version(buffer, at);
        int shard = ChunkHeader.shard(buffer, at);
        int rank = ChunkHeader.rank(buffer, at);
        TensorSlot slot = find(step, version, shard, rank);
        if (slot == null || slot.state != TensorSlot.State.OPEN) {
            if (slot != null || isOlderThanOpen(step, shard, rank)) {
                counters.late++;
            } else {
                counters.unexpected++;
            }
            return false;
        }
        long offset = ChunkHeader.offset(buffer, at);
        int floats = ChunkHeader.length(buffer, at);
        long total = ChunkHeader.total(buffer, at);
        if (total != slot.totalFloats || offset < 0 || offset % chunkFloats != 0 || offset >= total
                || floats != Math.min(chunkFloats, total - offset)) {
            counters.malformed++;
            return false;
        }
        int chunk = (int) (offset / chunkFloats);
        if (slot.has(chunk)) {
            counters.duplicate++;
            return false;
        }
        c.slot = slot;
        c.chunk = chunk;
        c.nextByte = (slot.destinationFloat + (int) offset) * Float.BYTES;
        c.bytes = floats * Float.BYTES;
        c.endByte = c.nextByte + c.bytes;
        c.expectedCrc = ChunkHeader.crc(buffer, at);
        c.version = version;
        c.crc.reset();
        return true;
    }

    private void copy(Cursor c, DirectBuffer buffer, int at, int length) {
        if (length > c.endByte - c.nextByte) {
            counters.malformed++;
            c.slot = null;
            return;
        }
        buffer.getBytes(at, c.slot.destination, c.nextByte, length);
        c.crc.update(c.slot.crcView.limit(c.nextByte + length).position(c.nextByte));
        c.nextByte += length;
    }

    /** The chunk's last fragment arrived: a bad checksum leaves it unmarked (a good copy may still come). */
    private void finishChunk(Cursor c, int session) {
        TensorSlot slot = c.slot;
        c.slot = null;
        if (c.nextByte != c.endByte) {
            counters.malformed++;
            return;
        }
        if ((int) c.crc.getValue() != c.expectedCrc) {
            counters.corrupt++;
            return;
        }
        if (slot.state != TensorSlot.State.OPEN || slot.has(c.chunk)) {
            counters.duplicate++;
            return;
        }
        if (slot.firstChunkNs == 0) {
            slot.firstChunkNs = System.nanoTime();
        }
        slot.sessionId = session;
        slot.receivedVersion = c.version;
        counters.chunksAccepted++;
        counters.bytesAccepted += c.bytes;
        if (slot.mark(c.chunk)) {
            slot.state = TensorSlot.State.COMPLETE;
            counters.tensorsCompleted++;
            listener.onComplete(slot);
        }
    }

    private TensorSlot find(long step, long version, int shard, int rank) {
        TensorSlot fallback = null;
        for (int i = 0; i < slots.size(); i++) {
            TensorSlot s = slots.get(i);
            if (s.state != TensorSlot.State.IDLE && s.matches(step, version, shard, rank)) {
                if (s.state == TensorSlot.State.OPEN) {
                    return s;
                }
                fallback = s;
            }
        }
        return fallback;
    }

    private boolean isOlderThanOpen(long step, int shard, int rank) {
        for (int i = 0; i < slots.size(); i++) {
            TensorSlot s = slots.get(i);
            if (s.state != TensorSlot.State.IDLE && s.shard == shard && s.rank == rank && s.step > step) {
                return true;
            }
        }
        return false;
    }

    private void failSession(int sessionId) {
        for (int i = 0; i < slots.size(); i++) {
            TensorSlot s = slots.get(i);
            if (s.state == TensorSlot.State.OPEN && s.receivedChunks > 0 && s.sessionId == sessionId) {
                fail(s, "the publisher went away after " + s.receivedChunks + " of " + s.chunks + " chunks");
            }
        }
    }

    private void checkTimeouts(long now) {
        for (int i = 0; i < slots.size(); i++) {
            TensorSlot s = slots.get(i);
            if (s.state == TensorSlot.State.OPEN && s.receivedChunks > 0 && now - s.firstChunkNs > tensorTimeoutNs) {
                fail(s, "only " + s.receivedChunks + " of " + s.chunks + " chunks arrived within "
                        + tensorTimeoutNs / 1_000_000 + " ms");
            }
        }
    }

    private void fail(TensorSlot s, String reason) {
        s.state = TensorSlot.State.FAILED;
        counters.tensorsIncomplete++;
        listener.onIncomplete(s, "incomplete tensor (step " + s.step + ", shard " + s.shard + ", rank " + s.rank
                + ", " + s.totalFloats + " floats) on stream " + streamId + ": " + reason);
    }

    @Override
    public void close() {
        subscription.close();
        onClose.run();
    }
}
