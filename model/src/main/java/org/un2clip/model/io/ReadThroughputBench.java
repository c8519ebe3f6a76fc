package org.un2clip.model.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Read throughput of {@link SafeTensorsFile} against a raw sequential read of the same file (all from the page
 * cache after a warm-up pass). Two tensor paths: into a model's existing parameter storage (direct little-endian
 * buffers allocated once, as {@code ParameterTable.load} fills DJL's parameters: the loading path; the goal is
 * ≥ 80% of raw), and into fresh {@code float[]} per tensor (the convenience path, which also pays for zeroing and
 * faulting in new memory on every read).
 */
public final class ReadThroughputBench {

    public record Result(long bytes, double rawGBps, double storageGBps, double arraysGBps) {
        public double storageRatio() {
            return storageGBps / rawGBps;
        }

        public double arraysRatio() {
            return arraysGBps / rawGBps;
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
        Map<String, ByteBuffer> storage = parameterStorage(file);
        rawRead(file);
        storageRead(file, storage);
        arraysRead(file);
        double[] raw = new double[repeats];
        double[] intoStorage = new double[repeats];
        double[] intoArrays = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            raw[r] = gbps(size, () -> rawRead(file));
            intoStorage[r] = gbps(size, () -> storageRead(file, storage));
            intoArrays[r] = gbps(size, () -> arraysRead(file));
            log.accept(String.format("repeat %d: raw %.2f GB/s, into parameter storage %.2f GB/s, into fresh float[] %.2f GB/s",
                    r + 1, raw[r], intoStorage[r], intoArrays[r]));
        }
        return new Result(size, median(raw), median(intoStorage), median(intoArrays));
    }

    private interface Read {
        void run() throws IOException;
    }

    private static double gbps(long bytes, Read read) throws IOException {
        long t0 = System.nanoTime();
        read.run();
        return bytes / ((System.nanoTime() - t0) / 1e9) / 1e9;
    }

    /** One float32 buffer per tensor, allocated and touched once, like a model's parameters before loading. */
    private static Map<String, ByteBuffer> parameterStorage(Path file) {
        Map<String, ByteBuffer> out = new LinkedHashMap<>();
        try (SafeTensorsFile st = SafeTensorsFile.open(file)) {
            for (String name : st.names()) {
                ByteBuffer b = ByteBuffer.allocateDirect(Math.toIntExact(st.info(name).elementCount() * Float.BYTES))
                        .order(ByteOrder.nativeOrder());
                out.put(name, b);
            }
        }
        return out;
    }

    private static void rawRead(Path file) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(8 << 20);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (ch.read(buf) >= 0) {
                buf.clear();
            }
        }
    }

    private static void storageRead(Path file, Map<String, ByteBuffer> storage) {
        try (SafeTensorsFile st = SafeTensorsFile.open(file)) {
            storage.values().forEach(ByteBuffer::clear);
            st.readFloats(storage);
        }
    }

    private static void arraysRead(Path file) {
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
