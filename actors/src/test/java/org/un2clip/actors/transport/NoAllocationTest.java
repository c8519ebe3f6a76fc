package org.un2clip.actors.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The hot path allocates nothing per tensor: send + receive + checksum, measured on this thread. */
class NoAllocationTest {
    /** 256 KiB chunks: offered, several fragments each; one-frame chunks: claimed in the term buffer. */
    @ParameterizedTest
    @ValueSource(ints = {256 * 1024, TransportSettings.ONE_FRAME_CHUNK})
    void sendingAndReceivingTensorsAllocatesNothingPerTensor(int chunkBytes) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        TransportSettings s = TransportSettings.defaults().withChunkBytes(chunkBytes);
        int floats = 1 << 20;   // 4 MiB
        try (TensorLink link = TensorLink.embedded(s)) {
            int[] completed = new int[1];
            TensorReceiver.Listener l = new TensorReceiver.Listener() {
                @Override
                public void onComplete(TensorSlot slot) {
                    completed[0]++;
                }

                @Override
                public void onIncomplete(TensorSlot slot, String reason) {
                    throw new AssertionError(reason);
                }
            };
            ByteBuffer src = FloatVectors.allocate(floats);
            try (TensorReceiver r = link.receiver("ipc", 5, 3, l); TensorPublisher p = link.publisher("ipc", 5, 3)) {
                TensorSlot slot = new TensorSlot(FloatVectors.allocate(floats), 0, floats, s.chunkFloats());
                p.awaitConnected();
                long thread = Thread.currentThread().getId();
                long before = 0;
                int warmUp = 40;   // the JIT must have compiled the path (a loaded machine compiles late)
                int measured = 50;
                for (int i = 0; i < warmUp + measured; i++) {
                    if (i == warmUp) {
                        before = threads.getThreadAllocatedBytes(thread);
                    }
                    r.expect(slot, i, i, 0, 0, floats);
                    p.send(i, i, 0, 0, src, 0, floats);
                    while (completed[0] <= i) {
                        r.poll(64);
                    }
                }
                long perTensor = (threads.getThreadAllocatedBytes(thread) - before) / measured;
                assertThat(perTensor).as("bytes allocated per 4 MiB tensor").isLessThan(64);
                assertThat(r.counters().rejected()).isZero();
            }
        }
    }
}
