package org.un2clip.model.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Read throughput of {@link SafeTensorsFile} into float arrays against a raw sequential read of the
 * same file (both from the page cache after a warm-up pass). The goal is ≥ 80% of raw.
 */
public final class ReadThroughputBench {

    public record Result(long bytes, double rawGBps, double tensorGBps) {
        public double ratio() {
            return tensorGBps / rawGBps;
        }
    }

    private ReadThroughputBench() {}

    /** Writes a file of about {@code bytes} bytes as UNet-like tensors of 4–64 MB. */
    public static void writeFile(Path file, long bytes) throws IOException {
        SafeTensorsWriter w = new SafeTensorsWriter();
        long written = 0;
        int i = 0;
        while (written < bytes) {
            int n = (int) Math.min((4 << 20) << (i % 5), bytes - written) / 4;
            float[] data = new float[n];
            Arrays.fill(data, i);
            w.add("block." + i + ".weight", new long[] {n}, data);
            written += 4L * n;
            i++;
        }
        w.write(file);
    }

    public static Result run(Path file, int repeats, Consumer<String> log) throws IOException {
        long size = Files.size(file);
        rawRead(file);
        tensorRead(file);
        double[] raw = new double[repeats];
        double[] tensor = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            long t0 = System.nanoTime();
            rawRead(file);
            long t1 = System.nanoTime();
            tensorRead(file);
            long t2 = System.nanoTime();
            raw[r] = size / ((t1 - t0) / 1e9) / 1e9;
            tensor[r] = size / ((t2 - t1) / 1e9) / 1e9;
            log.accept(String.format("repeat %d: raw %.2f GB/s, tensors %.2f GB/s", r + 1, raw[r], tensor[r]));
        }
        return new Result(size, median(raw), median(tensor));
    }

    private static void rawRead(Path file) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(8 << 20);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (ch.read(buf) >= 0) {
                buf.clear();
            }
        }
    }

    private static void tensorRead(Path file) {
        try (SafeTensorsFile st = SafeTensorsFile.open(file)) {
            for (String name : st.names()) {
                st.readFloats(name);
            }
        }
    }

    private static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
