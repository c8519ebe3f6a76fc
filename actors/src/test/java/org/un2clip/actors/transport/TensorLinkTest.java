package org.un2clip.actors.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TensorLinkTest {
    private static final long RUN = 77;
    private static TensorLink link;
    private static int stream = 100;

    @BeforeAll
    static void start() {
        link = TensorLink.embedded(TransportSettings.defaults().withChunkBytes(64 * 1024));
    }

    @AfterAll
    static void stop() {
        link.close();
    }

    /** Records what the receiver delivered. */
    static final class Events implements TensorReceiver.Listener {
        final List<TensorSlot> complete = new ArrayList<>();
        final List<String> incomplete = new ArrayList<>();

        @Override
        public void onComplete(TensorSlot slot) {
            complete.add(slot);
        }

        @Override
        public void onIncomplete(TensorSlot slot, String reason) {
            incomplete.add(reason);
        }
    }

    static ByteBuffer ramp(int n, float base) {
        ByteBuffer b = FloatVectors.allocate(n);
        for (int i = 0; i < n; i++) {
            b.putFloat(i * 4, base + i * 0.5f);
        }
        return b;
    }

    static void pollUntil(TensorReceiver r, BooleanSupplier done, Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out; counters: " + r.counters());
            }
            if (r.poll(64) == 0) {
                Thread.onSpinWait();
            }
        }
    }

    private void roundTrip(TensorLink sender, int floats) {
        roundTrip(link, sender, floats);
    }

    private static void roundTrip(TensorLink link, TensorLink sender, int floats) {
        int id = stream++;
        Events ev = new Events();
        ByteBuffer src = ramp(floats + 3, 1f);
        ByteBuffer dst = FloatVectors.allocate(floats + 10);
        try (TensorReceiver r = link.receiver("127.0.0.1:0", id, RUN, ev)) {
            String endpoint = r.endpoint();
            try (TensorPublisher p = sender.publisher(endpoint, id, RUN)) {
                TensorSlot slot = new TensorSlot(dst, 10, floats, link.settings().chunkFloats());
                r.expect(slot, 5, 2, 1, 3, floats);
                p.awaitConnected();
                Thread sendThread = new Thread(() -> p.send(5, 2, 1, 3, src, 3, floats));
                sendThread.start();
                pollUntil(r, () -> !ev.complete.isEmpty(), Duration.ofSeconds(60));
                assertThat(ev.complete).containsExactly(slot);
                assertThat(slot.receivedVersion()).isEqualTo(2);
                for (int i = 0; i < floats; i++) {
                    if (dst.getFloat((10 + i) * 4) != src.getFloat((3 + i) * 4)) {
                        throw new AssertionError("float " + i + " differs");
                    }
                }
                assertThat(r.counters().rejected()).isZero();
            }
        }
    }

    @Test
    void movesTensorsOfAnySizeOverIpc() {
        roundTrip(link, 1);
        roundTrip(link, 16 * 1024);        // exactly one chunk
        roundTrip(link, 16 * 1024 + 1);    // one float into the next chunk
        roundTrip(link, 5 * 1024 * 1024);  // 20 MiB: more than Aeron's 16 MiB message limit
    }

    @Test
    void chunksThatFitOneFrameAreClaimedInTheTermBufferAndBiggerOnesOffered() {
        // Default chunk-bytes: 64 B header + payload = one frame at mtu 65504 (written in place with tryClaim).
        TransportSettings oneFrame = TransportSettings.defaults();
        assertThat(oneFrame.chunkBytes() + ChunkHeader.LENGTH).isEqualTo(65504 - 32);
        try (TensorLink l = TensorLink.embedded(oneFrame)) {
            roundTrip(l, l, 1);
            roundTrip(l, l, oneFrame.chunkFloats());
            roundTrip(l, l, oneFrame.chunkFloats() + 1);
            roundTrip(l, l, 3 * 1024 * 1024);
            Events ev = new Events();
            try (TensorReceiver r = l.receiver("ipc", 900, RUN, ev); TensorPublisher p = l.publisher("ipc", 900, RUN)) {
                int floats = 3 * oneFrame.chunkFloats() - 5;
                ByteBuffer src = ramp(floats, 3f);
                ByteBuffer dst = FloatVectors.allocate(floats);
                r.expect(new TensorSlot(dst, 0, floats, oneFrame.chunkFloats()), 1, 1, 0, 0, floats);
                p.awaitConnected();
                p.send(1, 1, 0, 0, src, 0, floats);
                pollUntil(r, () -> !ev.complete.isEmpty(), Duration.ofSeconds(30));
                assertThat(p.chunksClaimed()).isEqualTo(3);
                assertThat(FloatVectors.toArray(dst)).isEqualTo(FloatVectors.toArray(src));
            }
        }
        // 64 KiB chunks (the shared link's) are two fragments each: offered, never claimed.
        try (TensorReceiver r = link.receiver("ipc", 901, RUN, new Events());
             TensorPublisher p = link.publisher("ipc", 901, RUN)) {
            r.expect(new TensorSlot(FloatVectors.allocate(32_768), 0, 32_768, link.settings().chunkFloats()), 1, 1, 0,
                    0, 32_768);
            p.awaitConnected();
            p.send(1, 1, 0, 0, ramp(32_768, 1f), 0, 32_768);
            assertThat(p.chunksClaimed()).isZero();
        }
    }

    @Test
    void movesTensorsOverUdp() {
        try (TensorLink udp = TensorLink.embedded(TransportSettings.defaults().withChunkBytes(64 * 1024)
                .withMedia("udp"))) {
            int id = stream++;
            Events ev = new Events();
            ByteBuffer src = ramp(300_000, 2f);
            ByteBuffer dst = FloatVectors.allocate(300_000);
            try (TensorReceiver r = udp.receiver("127.0.0.1:0", id, RUN, ev)) {
                assertThat(r.endpoint()).startsWith("127.0.0.1:").doesNotEndWith(":0");
                try (TensorPublisher p = udp.publisher(r.endpoint(), id, RUN)) {
                    r.expect(new TensorSlot(dst, 0, 300_000, udp.settings().chunkFloats()), 1, 1, 0, 0, 300_000);
                    p.awaitConnected();
                    new Thread(() -> p.send(1, 1, 0, 0, src, 0, 300_000)).start();
                    pollUntil(r, () -> !ev.complete.isEmpty(), Duration.ofSeconds(30));
                    assertThat(FloatVectors.toArray(dst)).isEqualTo(FloatVectors.toArray(src));
                }
            }
        }
    }

    private record Outcome(Events events, LinkCounters counters, ByteBuffer dst, ByteBuffer src) {}

    private Outcome sendScripted(int floats, int[] order, long senderRun, Duration pollFor) {
        int id = stream++;
        Events ev = new Events();
        ByteBuffer src = ramp(floats, 7f);
        ByteBuffer dst = FloatVectors.allocate(floats);
        try (TensorReceiver r = link.receiver("ipc", id, RUN, ev);
             TensorPublisher p = link.publisher("ipc", id, senderRun)) {
            r.expect(new TensorSlot(dst, 0, floats, link.settings().chunkFloats()), 9, 4, 0, 1, floats);
            p.awaitConnected();
            p.send(9, 4, 0, 1, src, 0, floats, order);
            long end = System.nanoTime() + pollFor.toNanos();
            while (System.nanoTime() < end && ev.complete.isEmpty()) {
                r.poll(64);
            }
            // Anything still queued after completion is counted too.
            for (int i = 0; i < 50; i++) {
                r.poll(64);
            }
            return new Outcome(ev, r.counters(), dst, src);
        }
    }

    @Test
    void reorderedChunksAssembleTheSameTensor() {
        Outcome o = sendScripted(16 * 1024 * 4, new int[] {3, 1, 0, 2}, RUN, Duration.ofSeconds(10));
        assertThat(o.events.complete).hasSize(1);
        assertThat(FloatVectors.toArray(o.dst)).isEqualTo(FloatVectors.toArray(o.src));
        assertThat(o.counters.rejected()).isZero();
    }

    @Test
    void duplicatedChunksAreRejectedAndCounted() {
        Outcome o = sendScripted(16 * 1024 * 3, new int[] {0, 0, 1, 2, 2, 1}, RUN, Duration.ofSeconds(10));
        assertThat(o.events.complete).hasSize(1);
        assertThat(FloatVectors.toArray(o.dst)).isEqualTo(FloatVectors.toArray(o.src));
        // 0 repeated before completion = duplicate; 2 and 1 after completion = late
        assertThat(o.counters.duplicate()).isEqualTo(1);
        assertThat(o.counters.late()).isEqualTo(2);
    }

    @Test
    void aLostChunkIsNeverDelivered() {
        Outcome o = sendScripted(16 * 1024 * 3, new int[] {0, 2}, RUN, Duration.ofMillis(300));
        assertThat(o.events.complete).isEmpty();
        assertThat(o.counters.chunksAccepted()).isEqualTo(2);
    }

    @Test
    void aCorruptChunkIsRejectedAndAGoodCopyCompletesTheTensor() {
        Outcome o = sendScripted(16 * 1024 * 2, new int[] {0, -2, 1}, RUN, Duration.ofSeconds(10));
        assertThat(o.counters.corrupt()).isEqualTo(1);
        assertThat(o.events.complete).hasSize(1);
        assertThat(FloatVectors.toArray(o.dst)).isEqualTo(FloatVectors.toArray(o.src));

        Outcome bad = sendScripted(16 * 1024 * 2, new int[] {0, -2}, RUN, Duration.ofMillis(300));
        assertThat(bad.counters.corrupt()).isEqualTo(1);
        assertThat(bad.events.complete).isEmpty();
    }

    @Test
    void chunksOfAnotherRunAreForeign() {
        Outcome o = sendScripted(100, null, RUN + 1, Duration.ofMillis(300));
        assertThat(o.events.complete).isEmpty();
        assertThat(o.counters.foreign()).isEqualTo(1);
    }

    @Test
    void chunksOfAnOlderStepAreLateAndUnknownOnesUnexpected() {
        int id = stream++;
        Events ev = new Events();
        ByteBuffer src = ramp(10, 0f);
        try (TensorReceiver r = link.receiver("ipc", id, RUN, ev);
             TensorPublisher p = link.publisher("ipc", id, RUN)) {
            r.expect(new TensorSlot(FloatVectors.allocate(10), 0, 10, link.settings().chunkFloats()), 5, 0, 0, 0, 10);
            p.awaitConnected();
            p.send(4, 0, 0, 0, src, 0, 10);   // older step of the same shard/rank
            p.send(5, 0, 3, 0, src, 0, 10);   // a shard nobody expects
            p.send(5, 0, 0, 0, src, 0, 10);
            pollUntil(r, () -> !ev.complete.isEmpty(), Duration.ofSeconds(10));
            assertThat(r.counters().late()).isEqualTo(1);
            assertThat(r.counters().unexpected()).isEqualTo(1);
        }
    }

    @Test
    void aPublisherThatDiesMidTensorIsReportedIncompleteAndNeverDelivered() {
        int id = stream++;
        Events ev = new Events();
        int floats = 16 * 1024 * 8;
        ByteBuffer src = ramp(floats, 3f);
        try (TensorReceiver r = link.receiver("ipc", id, RUN, ev)) {
            r.expect(new TensorSlot(FloatVectors.allocate(floats), 0, floats, link.settings().chunkFloats()),
                    1, 0, 0, 2, floats);
            // The publisher lives in another Aeron client (as another process would) and dies after 3 chunks.
            try (TensorLink other = TensorLink.attached(link.settings(), link.directory())) {
                TensorPublisher p = other.publisher("ipc", id, RUN);
                p.awaitConnected();
                p.send(1, 0, 0, 2, src, 0, floats, new int[] {0, 1, 2});
                pollUntil(r, () -> r.counters().chunksAccepted() == 3, Duration.ofSeconds(10));
            }
            pollUntil(r, () -> !ev.incomplete.isEmpty(), Duration.ofSeconds(20));
            assertThat(ev.complete).isEmpty();
            assertThat(ev.incomplete.get(0)).contains("incomplete tensor").contains("3 of 8 chunks");
            assertThat(r.counters().tensorsIncomplete()).isEqualTo(1);
        }
    }

    @Test
    void aClosedPublicationIsReplacedAndTheTensorResent() {
        int id = stream++;
        Events ev = new Events();
        int floats = 16 * 1024 * 3;
        ByteBuffer src = ramp(floats, 5f);
        ByteBuffer dst = FloatVectors.allocate(floats);
        try (TensorReceiver r = link.receiver("ipc", id, RUN, ev);
             TensorPublisher p = link.publisher("ipc", id, RUN)) {
            r.expect(new TensorSlot(dst, 0, floats, link.settings().chunkFloats()), 2, 0, 0, 0, floats);
            p.awaitConnected();
            p.closePublicationUnderneath();
            p.send(2, 0, 0, 0, src, 0, floats);     // CLOSED → a new publication, the whole tensor again
            pollUntil(r, () -> !ev.complete.isEmpty(), Duration.ofSeconds(10));
            assertThat(p.republished()).isEqualTo(1);
            assertThat(FloatVectors.toArray(dst)).isEqualTo(FloatVectors.toArray(src));
        }
    }

    @Test
    void anUnconnectedPublisherFailsLoudly() {
        TransportSettings quick = new TransportSettings("ipc", "127.0.0.1", "/dev/shm", 64 << 20, 65504, 1 << 20,
                1 << 20, 64 << 10, Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ofMillis(100));
        try (TensorLink l = TensorLink.embedded(quick); TensorPublisher p = l.publisher("ipc", 999, RUN)) {
            assertThatThrownBy(() -> p.send(1, 0, 0, 0, ramp(10, 0), 0, 10))
                    .isInstanceOf(TransportException.class).hasMessageContaining("not connected");
        }
    }

    @Test
    void directoriesLeftByDeadProcessesAreRemovedOnStart() throws Exception {
        java.io.File dead = new java.io.File("/dev/shm/" + EmbeddedDriver.PREFIX + Integer.MAX_VALUE + "-test");
        java.io.File mine = new java.io.File("/dev/shm/" + EmbeddedDriver.PREFIX + ProcessHandle.current().pid()
                + "-test");
        assertThat(dead.mkdir()).isTrue();
        assertThat(mine.mkdir()).isTrue();
        try {
            TensorLink.embedded(TransportSettings.defaults()).close();
            assertThat(dead).doesNotExist();
            assertThat(mine).isDirectory();   // a live process's directory is left alone
        } finally {
            mine.delete();
            dead.delete();
        }
    }

    @Test
    void theDriverDirectoryIsPerProcessAndRemovedOnClose() {
        TensorLink l = TensorLink.embedded(TransportSettings.defaults());
        String dir = l.directory();
        assertThat(dir).startsWith("/dev/shm/un2clip-aeron-" + ProcessHandle.current().pid() + "-");
        assertThat(new java.io.File(dir)).isDirectory();
        l.close();
        assertThat(new java.io.File(dir)).doesNotExist();
    }
}
