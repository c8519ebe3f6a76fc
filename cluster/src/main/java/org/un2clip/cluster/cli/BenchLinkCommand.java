package org.un2clip.cluster.cli;

import java.nio.ByteBuffer;
import java.util.concurrent.Callable;
import org.agrona.concurrent.IdleStrategy;
import org.un2clip.actors.PollingIdle;
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
        "and compare with this machine's memcpy bandwidth: each transfer is paired with a memcpy of the same",
        "vector between the same two buffers just before it (same JVM, same sizes), so a busy machine slows",
        "both alike; the ratio of the medians and the best of each are printed."})
final class BenchLinkCommand implements Callable<Integer> {
    @Option(names = "--gb", defaultValue = "1.2", description = "Vector size in GB (default ${DEFAULT-VALUE}: ViT-L/14 fp32 gradients).")
    double gb;

    @Option(names = "--media", defaultValue = "ipc", description = "ipc or udp (UDP over loopback, two drivers).")
    String media;

    @Option(names = "--chunk", defaultValue = "65408", description = "Chunk payload bytes (default ${DEFAULT-VALUE}: one frame at mtu 65504, sent with tryClaim).")
    int chunk;

    @Option(names = "--term", description = "Aeron term length in bytes (power of two; default: transport.term-length).")
    Integer term;

    @Option(names = "--warmup", defaultValue = "2", description = "Untimed transfer + memcpy pairs first (JIT, page faults).")
    int warmup;

    @Option(names = "--repeat", defaultValue = "7", description = "Transfer + memcpy pairs to time.")
    int repeat;

    @Override
    public Integer call() throws Exception {
        int floats = (int) Math.min(Integer.MAX_VALUE / 4 - 16, (long) (gb * 1e9 / 4));
        ByteBuffer src = FloatVectors.allocate(floats);
        ByteBuffer dst = FloatVectors.allocate(floats);
        for (int i = 0; i < floats; i += 1024) {
            src.putFloat(i * 4, i);
        }
        BenchMemcpy.once(src, dst); // touches every page of dst before anything is timed
        TransportSettings defaults = TransportSettings.defaults();
        TransportSettings s = defaults.withMedia(media).withTermAndChunk(term == null ? defaults.termLength() : term, chunk);
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
                // Polls as the runtime's trainers and shards do: on a box with few cores a spinning receiver
                // takes the CPU that the sender and the media driver's term cleaning need.
                IdleStrategy idle = PollingIdle.strategy();
                p.awaitConnected();
                double[] link = new double[repeat];
                double[] memcpy = new double[repeat];
                for (int pair = -warmup; pair < repeat; pair++) {
                    int rep = Math.max(pair, 0);
                    memcpy[rep] = BenchMemcpy.once(src, dst);
                    done[0] = false;
                    long step = pair + warmup;
                    r.expect(slot, step, step, 0, 0, floats);
                    Thread sender = new Thread(() -> p.send(step, step, 0, 0, src, 0, floats));
                    long t0 = System.nanoTime();
                    sender.start();
                    idle.reset();
                    while (!done[0]) {
                        idle.idle(r.poll(64));
                    }
                    double sec = (System.nanoTime() - t0) / 1e9;
                    sender.join();
                    link[rep] = floats * 4.0 / 1e9 / sec;
                }
                if (dst.getFloat((floats - floats % 1024 - 1024) * 4) != src.getFloat((floats - floats % 1024 - 1024) * 4)) {
                    throw new IllegalStateException("received data differs");
                }
                double[] ratio = new double[repeat];
                for (int i = 0; i < repeat; i++) {
                    ratio[i] = link[i] / memcpy[i];
                }
                System.out.printf("link %s: %.2f GB, chunk %d B, term %d MiB, %d pairs after %d warm-up: link median %.2f GB/s (best %.2f); memcpy median "
                        + "%.2f GB/s (best %.2f); ratio of medians %.0f%%, of bests %.0f%%, per pair %s%n%s%n", media,
                        floats * 4.0 / 1e9, chunk, s.termLength() >> 20, repeat, warmup, Stats.median(link), max(link), Stats.median(memcpy), max(memcpy),
                        100 * Stats.median(link) / Stats.median(memcpy), 100 * max(link) / max(memcpy), percents(ratio),
                        r.counters());
            }
        }
        return 0;
    }

    private static double max(double[] xs) {
        return java.util.Arrays.stream(xs).max().orElse(0);
    }

    private static String percents(double[] xs) {
        StringBuilder b = new StringBuilder();
        for (double x : xs) {
            b.append(b.length() == 0 ? "" : " ").append(Math.round(100 * x)).append('%');
        }
        return b.toString();
    }
}
