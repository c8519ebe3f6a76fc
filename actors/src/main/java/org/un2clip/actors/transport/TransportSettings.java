package org.un2clip.actors.transport;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The data plane's settings ({@code transport.*} in defaults.conf).
 *
 * @param media          "ipc": every process of a host attaches to one driver; "udp": each process has its own
 * @param host           the address this process's UDP data endpoint binds to
 * @param aeronDirBase   where per-process Aeron directories are made (tmpfs: /dev/shm)
 * @param termLength     term buffer length in bytes (power of two); the largest message is termLength / 8
 * @param mtu            UDP MTU of data channels (65504 is ~8x faster than the default on loopback)
 * @param socketBuffer   SO_RCVBUF / SO_SNDBUF of UDP channels
 * @param receiverWindow flow-control receiver window of UDP channels
 * @param chunkBytes     payload bytes per chunk (a tensor of any size is sent as chunks of this size); a chunk
 *                       that fits one frame (≤ mtu − 96) is written into the term buffer in place (tryClaim)
 * @param offerTimeout   how long an offer may stay back-pressured or unconnected before the step fails
 * @param tensorTimeout  how long a started tensor may stay incomplete before it is reported incomplete
 * @param lingerTimeout  how long a closed publication lingers (bounds how fast a dead publisher is noticed)
 */
public record TransportSettings(String media, String host, String aeronDirBase, int termLength, int mtu,
        int socketBuffer, int receiverWindow, int chunkBytes, Duration offerTimeout, Duration tensorTimeout,
        Duration lingerTimeout) {

    /** Payload bytes of a chunk that fills one frame at mtu 65504: 65504 − 32 (Aeron frame header) − 64 (ours). */
    public static final int ONE_FRAME_CHUNK = 65504 - 32 - ChunkHeader.LENGTH;

    public TransportSettings {
        if (!media.equals("ipc") && !media.equals("udp")) {
            throw new IllegalArgumentException("transport.media must be ipc or udp, got " + media);
        }
        if (Integer.bitCount(termLength) != 1 || termLength < 64 * 1024) {
            throw new IllegalArgumentException("transport.term-length must be a power of two >= 64k: " + termLength);
        }
        if (chunkBytes % 4 != 0 || chunkBytes <= 0 || chunkBytes + ChunkHeader.LENGTH > termLength / 8) {
            throw new IllegalArgumentException("transport.chunk-bytes must be a positive multiple of 4 and at most "
                    + "term-length/8 - " + ChunkHeader.LENGTH + " = " + (termLength / 8 - ChunkHeader.LENGTH)
                    + ": " + chunkBytes);
        }
    }

    public static TransportSettings from(Config c) {
        Config t = c.getConfig("transport");
        return new TransportSettings(t.getString("media"), t.getString("host"), t.getString("aeron-dir-base"),
                (int) t.getBytes("term-length").longValue(), (int) t.getBytes("mtu").longValue(),
                (int) t.getBytes("socket-buffer").longValue(), (int) t.getBytes("receiver-window").longValue(),
                (int) t.getBytes("chunk-bytes").longValue(), t.getDuration("offer-timeout"),
                t.getDuration("tensor-timeout"), t.getDuration("linger-timeout"));
    }

    /** Defaults for tests and benchmarks (as defaults.conf): IPC, 64 MiB terms, one-frame chunks. */
    public static TransportSettings defaults() {
        return new TransportSettings("ipc", "127.0.0.1", "/dev/shm", 64 << 20, 65504, 4 << 20, 4 << 20, ONE_FRAME_CHUNK,
                Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMillis(200));
    }

    public TransportSettings withChunkBytes(int bytes) {
        return new TransportSettings(media, host, aeronDirBase, termLength, mtu, socketBuffer, receiverWindow, bytes,
                offerTimeout, tensorTimeout, lingerTimeout);
    }

    public TransportSettings withTermAndChunk(int termBytes, int chunkBytes) {
        return new TransportSettings(media, host, aeronDirBase, termBytes, mtu, socketBuffer, receiverWindow, chunkBytes,
                offerTimeout, tensorTimeout, lingerTimeout);
    }

    public TransportSettings withMedia(String m) {
        return new TransportSettings(m, host, aeronDirBase, termLength, mtu, socketBuffer, receiverWindow, chunkBytes,
                offerTimeout, tensorTimeout, lingerTimeout);
    }

    public int chunkFloats() {
        return chunkBytes / Float.BYTES;
    }

    /** The channel a subscriber at {@code endpoint} ("host:port" for UDP, ignored for IPC) listens on. */
    public String channel(String endpoint) {
        if (media.equals("ipc")) {
            return "aeron:ipc?term-length=" + termLength;
        }
        return "aeron:udp?endpoint=" + endpoint + "|mtu=" + mtu + "|term-length=" + termLength
                + "|so-rcvbuf=" + socketBuffer + "|so-sndbuf=" + socketBuffer + "|rcv-wnd=" + receiverWindow;
    }
}
