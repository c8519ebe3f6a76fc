package org.un2clip.model.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsRoundTripTest {

    @TempDir
    Path dir;

    @Test
    void everyWrittenDtypeRoundTrips() throws IOException {
        Random rnd = new Random(1);
        float[] f = new float[6 * 5];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) rnd.nextGaussian() * 100;
        }
        long[] ints = {Long.MIN_VALUE, -1, 0, 1, 999, Long.MAX_VALUE};
        Path file = dir.resolve("all.safetensors");
        new SafeTensorsWriter()
                .metadata("format", "pt").metadata("config", "{\"a\": 1}")
                .add("f32", DType.F32, new long[] {6, 5}, f)
                .add("f16", DType.F16, new long[] {30}, f)
                .add("bf16", DType.BF16, new long[] {5, 6}, f)
                .addLongs("i64", new long[] {2, 3}, ints)
                .add("scalar", new long[] {}, new float[] {3.5f})
                .write(file);
        try (SafeTensorsFile st = SafeTensorsFile.open(file)) {
            assertThat(st.names()).containsExactly("f32", "f16", "bf16", "i64", "scalar");
            assertThat(st.metadata()).containsEntry("format", "pt").containsEntry("config", "{\"a\": 1}");
            assertThat(st.readFloats("f32")).containsExactly(f);
            assertThat(st.info("f16").dtype()).isEqualTo(DType.F16);
            float[] h = st.readFloats("f16");
            float[] b = st.readFloats("bf16");
            for (int i = 0; i < f.length; i++) {
                assertThat(h[i]).isEqualTo(HalfFloats.f16ToFloat(HalfFloats.floatToF16(f[i])));
                assertThat((double) Math.abs(h[i] - f[i])).isLessThanOrEqualTo(Math.abs(f[i]) * 0x1p-11 + 1e-7);
                assertThat(b[i]).isEqualTo(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(f[i])));
                assertThat((double) Math.abs(b[i] - f[i])).isLessThanOrEqualTo(Math.abs(f[i]) * 0x1p-8);
            }
            assertThat(st.readLongs("i64")).containsExactly(ints);
            assertThat(st.info("scalar").shape()).isEmpty();
            assertThat(st.readFloats("scalar")).containsExactly(3.5f);
            assertThatThrownBy(() -> st.readFloats("i64")).hasMessageContaining("'i64'").hasMessageContaining("not a floating");
            assertThatThrownBy(() -> st.readFloats("nope")).hasMessageContaining("no such tensor");
        }
    }

    @Test
    void readingIntoABufferGivesTheArrayPathsBitsInAnyByteOrder() throws IOException {
        Random rnd = new Random(2);
        float[] big = new float[5 << 20]; // 20 MB: read in parallel windows
        for (int i = 0; i < big.length; i++) {
            big[i] = (float) rnd.nextGaussian();
        }
        float[] small = java.util.Arrays.copyOf(big, 77);
        Path file = dir.resolve("into.safetensors");
        new SafeTensorsWriter().add("f32", new long[] {big.length}, big).add("f16", DType.F16, new long[] {77}, small)
                .add("bf16", DType.BF16, new long[] {7, 11}, small).addLongs("i64", new long[] {1}, new long[] {3}).write(file);
        try (SafeTensorsFile st = SafeTensorsFile.open(file)) {
            for (String name : new String[] {"f32", "f16", "bf16"}) {
                float[] expected = st.readFloats(name);
                for (ByteBuffer dst : new ByteBuffer[] {ByteBuffer.allocateDirect(expected.length * 4 + 12).order(ByteOrder.LITTLE_ENDIAN),
                        ByteBuffer.allocateDirect(expected.length * 4 + 12).order(ByteOrder.BIG_ENDIAN),
                        ByteBuffer.allocate(expected.length * 4 + 12).order(ByteOrder.LITTLE_ENDIAN)}) {
                    dst.position(8);
                    st.readFloats(name, dst);
                    assertThat(dst.position()).as(name).isEqualTo(8 + expected.length * 4);
                    float[] got = new float[expected.length];
                    dst.position(8);
                    dst.asFloatBuffer().get(got);
                    // Arrays.mismatch, not containsExactly: AssertJ's diff of 5M floats is quadratic
                    assertThat(java.util.Arrays.mismatch(got, expected)).as("first differing float of %s into %s %s", name,
                            dst.order(), dst.isDirect() ? "direct" : "heap").isEqualTo(-1);
                    assertThat(dst.getInt(8 + expected.length * 4)).as("bytes past the tensor untouched").isZero();
                }
            }
            assertThatThrownBy(() -> st.readFloats("f16", ByteBuffer.allocateDirect(76 * 4)))
                    .hasMessageContaining("'f16'").hasMessageContaining("308 bytes");
            assertThatThrownBy(() -> st.readFloats("i64", ByteBuffer.allocateDirect(8)))
                    .hasMessageContaining("'i64'").hasMessageContaining("not a floating");
        }
    }

    @Test
    void readsDtypesWrittenByOtherTools() throws IOException {
        // F64, I32, I16, I8, U8 and BOOL are only read; write them by hand.
        ByteBuffer data = ByteBuffer.allocate(8 * 2 + 4 * 2 + 2 * 2 + 2 + 2 + 2).order(ByteOrder.LITTLE_ENDIAN);
        data.putDouble(1.25).putDouble(-2.5).putInt(-7).putInt(70000).putShort((short) -3).putShort((short) 300)
                .put((byte) -5).put((byte) 6).put((byte) 200).put((byte) 7).put((byte) 1).put((byte) 0);
        String header = "{\"d\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]},"
                + "\"i\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[16,24]},"
                + "\"s\":{\"dtype\":\"I16\",\"shape\":[2],\"data_offsets\":[24,28]},"
                + "\"b\":{\"dtype\":\"I8\",\"shape\":[2],\"data_offsets\":[28,30]},"
                + "\"u\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[30,32]},"
                + "\"o\":{\"dtype\":\"BOOL\",\"shape\":[2],\"data_offsets\":[32,34]}}";
        Path file = RawSafeTensors.write(dir.resolve("other.safetensors"), header, data.array());
        try (SafeTensorsFile st = SafeTensorsFile.open(file)) {
            assertThat(st.readFloats("d")).containsExactly(1.25f, -2.5f);
            assertThat(st.readLongs("i")).containsExactly(-7, 70000);
            assertThat(st.readLongs("s")).containsExactly(-3, 300);
            assertThat(st.readLongs("b")).containsExactly(-5, 6);
            assertThat(st.readLongs("u")).containsExactly(200, 7);
            assertThat(st.readLongs("o")).containsExactly(1, 0);
        }
    }

    @Test
    void bf16WideningIsBitExactAgainstHandComputation() throws IOException {
        // bf16 0x3FC0 = 0 01111111 1000000 = 1.5; 0xC0A0 = -5.0; 0x0001 = smallest subnormal 2^-133;
        // 0x7F80 = +inf; 0xFF7F = -max (−(2 − 2^-7)·2^127); 0x8000 = −0.
        short[] bits = {0x3FC0, (short) 0xC0A0, 0x0001, 0x7F80, (short) 0xFF7F, (short) 0x8000};
        float[] expected = {1.5f, -5.0f, (float) Math.pow(2, -133), Float.POSITIVE_INFINITY,
                (float) (-(2 - Math.pow(2, -7)) * Math.pow(2, 127)), -0.0f};
        ByteBuffer data = ByteBuffer.allocate(bits.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (short s : bits) {
            data.putShort(s);
        }
        Path file = RawSafeTensors.write(dir.resolve("bf16.safetensors"),
                "{\"x\":{\"dtype\":\"BF16\",\"shape\":[6],\"data_offsets\":[0,12]}}", data.array());
        try (SafeTensorsFile st = SafeTensorsFile.open(file)) {
            float[] got = st.readFloats("x");
            for (int i = 0; i < bits.length; i++) {
                assertThat(Float.floatToRawIntBits(got[i])).as("bf16 0x%04x", bits[i])
                        .isEqualTo(Float.floatToRawIntBits(expected[i]));
            }
        }
    }

    @Test
    void f16ConversionMatchesIeeeForEveryHalf() {
        for (int h = 0; h < 0x10000; h++) {
            float f = HalfFloats.f16ToFloat((short) h);
            int exp = (h >>> 10) & 0x1f;
            int mant = h & 0x3ff;
            double expected = exp == 0 ? mant * Math.pow(2, -24)
                    : exp == 31 ? (mant == 0 ? Double.POSITIVE_INFINITY : Double.NaN)
                    : (1 + mant / 1024.0) * Math.pow(2, exp - 15);
            if ((h & 0x8000) != 0) {
                expected = -expected;
            }
            if (Double.isNaN(expected)) {
                assertThat(Float.isNaN(f)).isTrue();
                continue;
            }
            assertThat((double) f).isEqualTo(expected);
            if (!Double.isNaN(expected)) {
                assertThat(HalfFloats.floatToF16(f)).as("round trip of half 0x%04x", h).isEqualTo((short) h);
            }
        }
        // Round to nearest even at the halfway point between 1 and 1 + 2^-10.
        assertThat(HalfFloats.f16ToFloat(HalfFloats.floatToF16(1 + 0x1p-11f))).isEqualTo(1f);
        assertThat(HalfFloats.f16ToFloat(HalfFloats.floatToF16(1 + 3 * 0x1p-11f))).isEqualTo(1 + 0x1p-9f);
        assertThat(HalfFloats.f16ToFloat(HalfFloats.floatToF16(70000f))).isEqualTo(Float.POSITIVE_INFINITY);
    }

    @Test
    void largerThanTwoGigabytesIsReadLazily() throws IOException {
        // A sparse 2.5 GB file: one 2.25 GB tensor of zeros we never read, and a small tensor after it.
        long bigElements = (9L << 30) / 4 / 4; // 2.25 GiB of F32
        long bigBytes = bigElements * 4;
        String header = "{\"big\":{\"dtype\":\"F32\",\"shape\":[" + bigElements + "],\"data_offsets\":[0," + bigBytes + "]},"
                + "\"tail\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[" + bigBytes + "," + (bigBytes + 12) + "]}}";
        byte[] h = RawSafeTensors.padded(header);
        Path file = dir.resolve("sparse.safetensors");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.SPARSE)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, h.length);
            ch.write(len, 0);
            ch.write(ByteBuffer.wrap(h), 8);
            ByteBuffer tail = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putFloat(1f).putFloat(2f).putFloat(3f).flip();
            ch.write(tail, 8 + h.length + bigBytes);
        }
        assertThat(Files.size(file)).isGreaterThan(2L << 30);
        long before = usedHeap();
        try (SafeTensorsFile st = SafeTensorsFile.open(file)) {
            assertThat(st.info("big").byteLength()).isEqualTo(bigBytes);
            assertThat(st.readFloats("tail")).containsExactly(1f, 2f, 3f);
        }
        assertThat(usedHeap() - before).as("opening must not load the file").isLessThan(256L << 20);
    }

    private static long usedHeap() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    @Test
    void shardedCheckpointFollowsTheIndex() throws IOException {
        new SafeTensorsWriter().add("a.w", new long[] {2}, new float[] {1, 2}).write(dir.resolve("m-00001.safetensors"));
        new SafeTensorsWriter().add("b.w", new long[] {1}, new float[] {3}).write(dir.resolve("m-00002.safetensors"));
        Files.writeString(dir.resolve("model.safetensors.index.json"),
                "{\"metadata\":{\"total_size\":12},\"weight_map\":{\"a.w\":\"m-00001.safetensors\",\"b.w\":\"m-00002.safetensors\"}}");
        try (WeightSource w = WeightFiles.open(dir)) {
            assertThat(w.names()).containsExactly("a.w", "b.w");
            assertThat(w.readFloats("b.w")).containsExactly(3f);
            assertThat(w.withPrefix("a.").readFloats("w")).containsExactly(1f, 2f);
        }
        Files.writeString(dir.resolve("bad.index.json"), "{\"weight_map\":{\"c\":\"m-00001.safetensors\"}}");
        try (WeightSource w = WeightFiles.open(dir.resolve("bad.index.json"))) {
            assertThatThrownBy(() -> w.readFloats("c")).hasMessageContaining("absent from the shard").hasMessageContaining("'c'");
        }
        Files.writeString(dir.resolve("escape.index.json"), "{\"weight_map\":{\"c\":\"../x.safetensors\"}}");
        assertThatThrownBy(() -> WeightFiles.open(dir.resolve("escape.index.json"))).hasMessageContaining("outside");
    }

    @Test
    void manyTensorsReadAtOnceAcrossShardsEqualReadingThemOneByOne() throws IOException {
        Random random = new Random(11);
        StringBuilder weightMap = new StringBuilder();
        for (int shard = 0; shard < 3; shard++) {
            SafeTensorsWriter w = new SafeTensorsWriter();
            for (int t = 0; t < 40; t++) {
                float[] values = new float[1 + random.nextInt(shard == 0 ? 3_000_000 : 3_000)];
                for (int i = 0; i < values.length; i++) {
                    values[i] = random.nextFloat();
                }
                String name = "s" + shard + ".t" + t;
                if (t % 2 == 0) {
                    w.add(name, new long[] {values.length}, values);
                } else {
                    w.add(name, DType.F16, new long[] {values.length}, values);
                }
                weightMap.append(weightMap.length() == 0 ? "" : ",").append('"').append(name).append("\":\"m-").append(shard)
                        .append(".safetensors\"");
            }
            w.write(dir.resolve("m-" + shard + ".safetensors"));
        }
        Files.writeString(dir.resolve("model.safetensors.index.json"), "{\"weight_map\":{" + weightMap + "}}");
        try (WeightSource w = WeightFiles.open(dir)) {
            Map<String, ByteBuffer> destinations = new java.util.LinkedHashMap<>();
            for (String name : w.names()) {
                destinations.put(name, ByteBuffer.allocateDirect((int) w.info(name).elementCount() * 4).order(ByteOrder.LITTLE_ENDIAN));
            }
            w.readFloats(destinations);
            for (String name : w.names()) {
                ByteBuffer read = destinations.get(name);
                assertThat(read.remaining()).as(name + " filled to its end").isZero();
                float[] expected = w.readFloats(name);
                float[] actual = new float[expected.length];
                read.flip().asFloatBuffer().get(actual);
                assertThat(java.util.Arrays.mismatch(actual, expected)).as(name).isEqualTo(-1);
            }
        }
    }

    @Test
    void strictLoadListsEveryProblemAtOnce() throws IOException {
        Path file = dir.resolve("w.safetensors");
        new SafeTensorsWriter()
                .add("ok", new long[] {2}, new float[2])
                .add("wrong", new long[] {3, 2}, new float[6])
                .add("extra", new long[] {1}, new float[1])
                .addLongs("ints", new long[] {1}, new long[1])
                .write(file);
        Map<String, long[]> expected = new java.util.LinkedHashMap<>();
        expected.put("ok", new long[] {2});
        expected.put("wrong", new long[] {2, 3});
        expected.put("gone", new long[] {4});
        expected.put("ints", new long[] {1});
        try (SafeTensorsFile st = SafeTensorsFile.open(file)) {
            assertThatThrownBy(() -> StrictLoader.load("tiny model from w.safetensors", expected, st, true, (n, v) -> { }))
                    .isInstanceOf(StrictLoader.WeightLoadException.class)
                    .hasMessageContaining("tiny model from w.safetensors: 4 problem(s)")
                    .hasMessageContaining("missing: gone [4]")
                    .hasMessageContaining("shape mismatch: wrong is [3, 2] in the file, the model needs [2, 3]")
                    .hasMessageContaining("unexpected: extra [1]")
                    .hasMessageContaining("dtype mismatch: ints is I64");
        }
    }

    /** Writes raw safetensors bytes for tests that need what the writer would never produce. */
    static final class RawSafeTensors {
        static byte[] padded(String header) {
            byte[] raw = header.getBytes(StandardCharsets.UTF_8);
            byte[] out = new byte[(raw.length + 7) & ~7];
            java.util.Arrays.fill(out, (byte) ' ');
            System.arraycopy(raw, 0, out, 0, raw.length);
            return out;
        }

        static Path write(Path file, String header, byte[] data) throws IOException {
            byte[] h = padded(header);
            ByteBuffer all = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
            all.putLong(h.length).put(h).put(data);
            Files.write(file, all.array());
            return file;
        }
    }
}
