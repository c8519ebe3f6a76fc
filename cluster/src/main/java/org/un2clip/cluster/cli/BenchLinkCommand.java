package org.un2clip.cluster.cli;

import java.nio.ByteBuffer;
import java.util.concurrent.Callable;
import org.un2clip.actors.transport.FloatVectors;
import org.un2clip.actors.transport.TensorLink;
import org.un2clip.actors.transport.TensorPublisher;
import org.un2clip.actors.transport.TensorReceiver;
import org.un2clip.actors.transport.TensorSlot;
import org.un2clip.actors.transport.TransportSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "link", description = {
        "Move a flat float vector through the Aeron tensor link (sender and receiver threads, chunked, checksummed)",
        "and compare with this machine's memcpy bandwidth."})
final class BenchLinkCommand implements Callable<Integer> {
    @Option(names = "--gb", defaultValue = "1.2", description = "Vector size in GB (default ${DEFAULT-VALUE}: ViT-L/14 fp32 gradients).")
    double gb;

    @Option(names = "--media", defaultValue = "ipc", description = "ipc or udp (UDP over loopback, two drivers).")
    String media;

    @Option(names = "--chunk", defaultValue = "1048576", description = "Chunk payload bytes.")
    int chunk;

    @Option(names = "--repeat", defaultValue = "3", description = "Transfers to time (best is reported).")
    int repeat;

    @Override
    public Integer call() throws Exception {
        int floats = (int) Math.min(Integer.MAX_VALUE / 4 - 16, (long) (gb * 1e9 / 4));
        ByteBuffer src = FloatVectors.allocate(floats);
        ByteBuffer dst = FloatVectors.allocate(floats);
        for (int i = 0; i < floats; i += 1024) {
            src.putFloat(i * 4, i);
        }
        double memcpy = BenchMemcpy.gbPerSecond(src, dst, repeat);
        TransportSettings s = TransportSettings.defaults().withMedia(media).withChunkBytes(chunk);
        try (TensorLink receiving = TensorLink.embedded(s);
             TensorLink sending = media.equals("ipc") ? TensorLink.attached(s, receiving.directory())
                     : TensorLink.embedded(s)) {
            boolean[] done = new boolean[1];
            TensorReceiver.Listener l = new TensorReceiver.Listener() {
                @Override
                public void onComplete(TensorSlot slot) {
                    done[0] = true;
                }

                @Override
                public void onIncomplete(TensorSlot slot, String reason) {
                    throw new IllegalStateException(reason);
                }
            };
            try (TensorReceiver r = receiving.receiver("127.0.0.1:0", 7, 1, l);
                 TensorPublisher p = sending.publisher(r.endpoint(), 7, 1)) {
                TensorSlot slot = new TensorSlot(dst, 0, floats, s.chunkFloats());
                p.awaitConnected();
                double best = 0;
                for (int rep = 0; rep < repeat; rep++) {
                    done[0] = false;
                    r.expect(slot, rep, rep, 0, 0, floats);
                    long step = rep;
                    Thread sender = new Thread(() -> p.send(step, step, 0, 0, src, 0, floats));
                    long t0 = System.nanoTime();
                    sender.start();
                    while (!done[0]) {
                        if (r.poll(64) == 0) {
                            Thread.onSpinWait();
                        }
                    }
                    double sec = (System.nanoTime() - t0) / 1e9;
                    sender.join();
                    best = Math.max(best, floats * 4.0 / 1e9 / sec);
                }
                if (dst.getFloat((floats - floats % 1024 - 1024) * 4) != src.getFloat((floats - floats % 1024 - 1024) * 4)) {
                    throw new IllegalStateException("received data differs");
                }
                System.out.printf("link %s: %.2f GB moved, best %.2f GB/s; memcpy %.2f GB/s; ratio %.0f%%; %s%n", media,
                        floats * 4.0 / 1e9, best, memcpy, 100 * best / memcpy, r.counters());
            }
        }
        return 0;
    }
}
