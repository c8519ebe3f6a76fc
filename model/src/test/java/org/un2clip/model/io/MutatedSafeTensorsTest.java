package org.un2clip.model.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** 500 broken files: each is either still a valid file or a clear error naming the file; never a crash or hang. */
class MutatedSafeTensorsTest {

    enum Mutation { TRUNCATE, FLIP_LENGTH, FLIP_HEADER_BYTE, HEADER_LENGTH_HUGE, HEADER_NOT_JSON, UNKNOWN_DTYPE,
        OFFSETS_OUT_OF_RANGE, OFFSETS_OVERLAP, SHAPE_MISMATCH, NEGATIVE_DIM, GARBAGE }

    @TempDir
    Path dir;

    @Test
    void fiveHundredMutatedFilesGiveClearErrors() throws IOException {
        Path original = dir.resolve("original.safetensors");
        new SafeTensorsWriter().metadata("k", "v")
                .add("layer.0.weight", new long[] {4, 8}, ramp(32))
                .add("layer.0.bias", DType.F16, new long[] {8}, ramp(8))
                .add("layer.1.weight", DType.BF16, new long[] {8, 2}, ramp(16))
                .addLongs("steps", new long[] {3}, new long[] {1, 2, 3})
                .write(original);
        byte[] bytes = Files.readAllBytes(original);
        int headerLength = (int) ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        String header = new String(bytes, 8, headerLength, StandardCharsets.UTF_8);

        Random rnd = new Random(20240601);
        Map<Mutation, int[]> outcomes = new EnumMap<>(Mutation.class);
        for (int i = 0; i < 500; i++) {
            Mutation m = Mutation.values()[i % Mutation.values().length];
            Path file = dir.resolve("m" + i + ".safetensors");
            Files.write(file, mutate(m, bytes, header, headerLength, rnd));
            int[] counts = outcomes.computeIfAbsent(m, k -> new int[2]);
            Assertions.assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
                try (SafeTensorsFile st = SafeTensorsFile.open(file)) {
                    for (String name : st.names()) {
                        if (st.info(name).dtype().isFloating()) {
                            st.readFloats(name);
                        } else {
                            st.readLongs(name);
                        }
                    }
                    counts[0]++;
                } catch (WeightFileException e) {
                    assertThat(e.getMessage()).as("mutation %s", m).startsWith(file.toString());
                    counts[1]++;
                }
            }, "mutation " + m + " hung");
        }
        // Every structural mutation must be rejected; only random flips and garbage may land on something valid.
        for (Mutation m : Mutation.values()) {
            int[] c = outcomes.get(m);
            if (m != Mutation.FLIP_HEADER_BYTE && m != Mutation.GARBAGE) {
                assertThat(c[0]).as("%s accepted %d files", m, c[0]).isZero();
            }
            assertThat(c[1]).as("%s rejected none", m).isPositive();
        }
    }

    private static byte[] mutate(Mutation m, byte[] bytes, String header, int headerLength, Random rnd) {
        switch (m) {
            case TRUNCATE:
                return Arrays.copyOf(bytes, rnd.nextInt(bytes.length - 1));
            case FLIP_LENGTH: {
                byte[] b = bytes.clone();
                b[rnd.nextInt(8)] ^= (byte) (1 << rnd.nextInt(8));
                return b;
            }
            case FLIP_HEADER_BYTE: {
                byte[] b = bytes.clone();
                b[8 + rnd.nextInt(headerLength)] = (byte) rnd.nextInt(256);
                return b;
            }
            case HEADER_LENGTH_HUGE: {
                byte[] b = bytes.clone();
                ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, rnd.nextLong() | (1L << 40));
                return b;
            }
            case HEADER_NOT_JSON:
                return withHeader(bytes, headerLength, header.replace("{", rnd.nextBoolean() ? "[" : "{{"));
            case UNKNOWN_DTYPE:
                return withHeader(bytes, headerLength, header.replaceFirst("\"F32\"", "\"Q" + rnd.nextInt(99) + "\""));
            case OFFSETS_OUT_OF_RANGE:
                return withHeader(bytes, headerLength, header.replaceFirst("\\[0,128\\]", "[0," + (1000 + rnd.nextInt(100000)) + "]"));
            case OFFSETS_OVERLAP:
                return withHeader(bytes, headerLength, header.replaceFirst("\\[128,144\\]", "[120,136]"));
            case SHAPE_MISMATCH:
                return withHeader(bytes, headerLength, header.replaceFirst("\\[4,8\\]", "[4," + (9 + rnd.nextInt(50)) + "]"));
            case NEGATIVE_DIM:
                return withHeader(bytes, headerLength, header.replaceFirst("\\[8\\]", "[-8]"));
            case GARBAGE:
            default: {
                byte[] b = new byte[rnd.nextInt(64)];
                rnd.nextBytes(b);
                return b;
            }
        }
    }

    /** Replaces the header text, keeping the declared length so the data offsets stay where they were. */
    private static byte[] withHeader(byte[] bytes, int headerLength, String newHeader) {
        byte[] h = newHeader.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[8 + h.length + (bytes.length - 8 - headerLength)];
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putLong(0, h.length);
        System.arraycopy(h, 0, out, 8, h.length);
        System.arraycopy(bytes, 8 + headerLength, out, 8 + h.length, bytes.length - 8 - headerLength);
        return out;
    }

    private static float[] ramp(int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = i * 0.25f - 1;
        }
        return f;
    }
}
