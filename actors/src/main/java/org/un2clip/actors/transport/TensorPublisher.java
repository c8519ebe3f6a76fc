package org.un2clip.actors.transport;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.logbuffer.BufferClaim;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Sends flat float tensors of any size as checksummed chunks on one Aeron stream.
 *
 * <p>Every offer result is handled: BACK_PRESSURED and ADMIN_ACTION are retried with an idle strategy,
 * NOT_CONNECTED is waited out, CLOSED and MAX_POSITION_EXCEEDED replace the publication once and resend
 * the tensor from its first chunk (the receiver drops the repeats as duplicates); anything that outlasts
 * the offer timeout throws {@link TransportException}. A chunk that fits one frame (chunk-bytes ≤ mtu − 96) is
 * written straight into the term buffer with {@code tryClaim}: one copy, source → term; bigger chunks go as a
 * vectored offer (also one copy, fragmented). One send buffer is reused: nothing is allocated per tensor.
 */
public final class TensorPublisher implements AutoCloseable {
    private final Aeron aeron;
    private final String channel;
    private final int streamId;
    private final long run;
    private final int chunkFloats;
    private final long offerTimeoutNs;
    private final ByteBuffer sendBytes;
    private final UnsafeBuffer send;
    private final CRC32C crc = new CRC32C();
    private final UnsafeBuffer sourceView = new UnsafeBuffer(0, 0);
    private ByteBuffer lastSource;
    private ByteBuffer sourceCrcView;
    private final BufferClaim claim = new BufferClaim();
    private final IdleStrategy idle = new BackoffIdleStrategy(16, 16, 1_000, 100_000);
    private Publication publication;
    private long bytesSent;
    private long republished;
    private final TensorLink.SendTotals totals;
    private long chunksClaimed;

    TensorPublisher(Aeron aeron, TransportSettings s, String channel, int streamId, long run,
            TensorLink.SendTotals totals) {
        this.aeron = aeron;
        this.totals = totals;
        this.channel = channel;
        this.streamId = streamId;
        this.run = run;
        this.chunkFloats = s.chunkFloats();
        this.offerTimeoutNs = s.offerTimeout().toNanos();
        this.sendBytes = ByteBuffer.allocateDirect(ChunkHeader.LENGTH + s.chunkBytes()).order(ByteOrder.LITTLE_ENDIAN);
        this.send = new UnsafeBuffer(sendBytes);
        this.publication = aeron.addPublication(channel, streamId);
    }

    /** Waits until a subscriber is connected (or throws after the offer timeout). */
    public void awaitConnected() {
        long deadline = System.nanoTime() + offerTimeoutNs;
        idle.reset();
        while (!publication.isConnected()) {
            if (System.nanoTime() > deadline) {
                throw new TransportException("no subscriber connected to " + channel + " stream " + streamId
                        + " within " + offerTimeoutNs / 1_000_000 + " ms");
            }
            idle.idle();
        }
    }

    /** Whether a subscriber is connected now (a publication whose subscriber went away reports false). */
    public boolean isConnected() {
        return publication.isConnected();
    }

    /**
     * Sends {@code floats} floats of {@code source} (direct, little endian) from float index {@code from}.
     */
    public void send(long step, long version, int shard, int rank, ByteBuffer source, int from, int floats) {
        send(step, version, shard, rank, source, from, floats, null);
    }

    /**
     * Like {@link #send}, but sends exactly the chunk indices in {@code chunkOrder} (tests inject loss,
     * duplication and reordering with it; an entry {@code -(c+1)} sends chunk c with one payload byte flipped
     * after its checksum was taken); {@code null} sends every chunk in order.
     */
    public void send(long step, long version, int shard, int rank, ByteBuffer source, int from, int floats,
            int[] chunkOrder) {
        int chunks = chunkCount(floats);
        for (int attempt = 0; ; attempt++) {
            try {
                int n = chunkOrder == null ? chunks : chunkOrder.length;
                for (int i = 0; i < n; i++) {
                    int c = chunkOrder == null ? i : chunkOrder[i];
                    sendChunk(step, version, shard, rank, source, from, floats, c < 0 ? -c - 1 : c, c < 0);
                }
                return;
            } catch (PublicationLost e) {
                if (attempt > 0) {
                    throw new TransportException("publication to " + channel + " stream " + streamId + " lost twice "
                            + "while sending step " + step + " shard " + shard + " rank " + rank + ": " + e.getMessage());
                }
                publication.close();
                publication = aeron.addPublication(channel, streamId);
                republished++;
                totals.retriedOffers.incrementAndGet();     // the whole tensor is sent again
                awaitConnected();
            }
        }
    }

    public int chunkCount(int floats) {
        return Math.max(1, (floats + chunkFloats - 1) / chunkFloats);
    }

    private void sendChunk(long step, long version, int shard, int rank, ByteBuffer source, int from, int total,
            int chunk, boolean corrupt) {
        int offset = chunk * chunkFloats;
        int length = Math.min(chunkFloats, total - offset);
        int bytes = length * Float.BYTES;
        int sourceByte = (from + offset) * Float.BYTES;
        if (source != lastSource) {
            lastSource = source;
            sourceCrcView = source.duplicate();
            sourceView.wrap(source);
        }
        // The checksum pass also brings the chunk into cache for the copy that follows it.
        crc.reset();
        crc.update(sourceCrcView.limit(sourceByte + bytes).position(sourceByte));
        int checksum = (int) crc.getValue();
        if (corrupt) {
            // Test hook: a copy with one payload byte flipped after the checksum was taken.
            ChunkHeader.write(send, 0, run, step, version, shard, rank, offset, length, total, checksum);
            send.putBytes(ChunkHeader.LENGTH, source, sourceByte, bytes);
            send.putByte(ChunkHeader.LENGTH, (byte) ~send.getByte(ChunkHeader.LENGTH));
            offer(send, ChunkHeader.LENGTH + bytes, null, 0, 0, step);
        } else if (ChunkHeader.LENGTH + bytes <= publication.maxPayloadLength()) {
            // The chunk fits one frame: claim it in the term buffer and copy the payload there once
            // (the receiver gets it unfragmented).
            claim(ChunkHeader.LENGTH + bytes, step);
            MutableDirectBuffer term = claim.buffer();
            int at = claim.offset();
            ChunkHeader.write(term, at, run, step, version, shard, rank, offset, length, total, checksum);
            term.putBytes(at + ChunkHeader.LENGTH, sourceView, sourceByte, bytes);
            claim.commit();
            bytesSent += ChunkHeader.LENGTH + bytes;
            totals.bytes.addAndGet(ChunkHeader.LENGTH + bytes);
            chunksClaimed++;
        } else {
            // Larger than a frame: header and payload as one fragmented message, the payload not copied
            // before the offer (vectored offer).
            ChunkHeader.write(send, 0, run, step, version, shard, rank, offset, length, total, checksum);
            offer(send, ChunkHeader.LENGTH, sourceView, sourceByte, bytes, step);
        }
    }

    /** Offers header + body ({@code body} null: the header buffer only), retrying as the class says. */
    private void offer(UnsafeBuffer head, int headLength, UnsafeBuffer body, int bodyOffset, int bodyLength,
            long step) {
        long deadline = 0;
        idle.reset();
        while (true) {
            long result = body == null ? publication.offer(head, 0, headLength)
                    : publication.offer(head, 0, headLength, body, bodyOffset, bodyLength);
            if (result > 0) {
                bytesSent += headLength + bodyLength;
                totals.bytes.addAndGet(headLength + bodyLength);
                return;
            }
            deadline = waitOrFail(result, deadline, step);
        }
    }

    /** Claims {@code length} bytes of the term buffer into {@link #claim}, retrying as {@link #offer} does. */
    private void claim(int length, long step) {
        long deadline = 0;
        idle.reset();
        while (true) {
            long result = publication.tryClaim(length, claim);
            if (result > 0) {
                return;
            }
            deadline = waitOrFail(result, deadline, step);
        }
    }

    /**
     * After a failed offer or claim: CLOSED / MAX_POSITION_EXCEEDED throw {@link PublicationLost};
     * BACK_PRESSURED, ADMIN_ACTION, NOT_CONNECTED idle, but not past the offer timeout. Returns the deadline.
     */
    private long waitOrFail(long result, long deadline, long step) {
        if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED) {
            throw new PublicationLost(result == Publication.CLOSED ? "CLOSED" : "MAX_POSITION_EXCEEDED");
        }
        long now = System.nanoTime();
        if (deadline == 0) {
            totals.retriedOffers.incrementAndGet();     // counted once per offer, not per spin
            deadline = now + offerTimeoutNs;
        } else if (now > deadline) {
            String why = result == Publication.NOT_CONNECTED ? "not connected" : result == Publication.BACK_PRESSURED
                    ? "back-pressured" : "in admin action (" + result + ")";
            throw new TransportException("step " + step + ": " + channel + " stream " + streamId + " stayed " + why
                    + " for " + offerTimeoutNs / 1_000_000 + " ms; the tensor was not delivered");
        }
        idle.idle();
        return deadline;
    }

    public long bytesSent() {
        return bytesSent;
    }

    /** Chunks written in place with tryClaim (single-frame chunks), as opposed to offered. */
    public long chunksClaimed() {
        return chunksClaimed;
    }

    /** How often the publication was replaced after CLOSED or MAX_POSITION_EXCEEDED. */
    public long republished() {
        return republished;
    }

    /** Fault injection for tests: the publication closes under the sender, as when the driver drops it. */
    void closePublicationUnderneath() {
        publication.close();
    }

    /** Closes the publication (a receiver with a tensor in flight from it reports that tensor incomplete). */
    @Override
    public void close() {
        publication.close();
    }

    private static final class PublicationLost extends RuntimeException {
        PublicationLost(String why) {
            super(why, null, false, false);
        }
    }
}
