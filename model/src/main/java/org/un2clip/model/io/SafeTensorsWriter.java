package org.un2clip.model.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a safetensors file: F32, F16 or BF16 from floats, I64 from longs, string metadata.
 * The file appears atomically (temporary file, fsync, rename), so a reader never sees half of one.
 */
public final class SafeTensorsWriter {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CHUNK = 1 << 20;

    private record Pending(String name, DType dtype, long[] shape, float[] floats, long[] longs) {}

    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final List<Pending> tensors = new ArrayList<>();
    private final Map<String, Boolean> seen = new LinkedHashMap<>();

    public SafeTensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    public SafeTensorsWriter add(String name, DType dtype, long[] shape, float[] data) {
        if (dtype != DType.F32 && dtype != DType.F16 && dtype != DType.BF16) {
            throw new IllegalArgumentException(name + ": floats are written as F32, F16 or BF16, not " + dtype);
        }
        check(name, shape, data.length);
        tensors.add(new Pending(name, dtype, shape.clone(), data, null));
        return this;
    }

    public SafeTensorsWriter add(String name, long[] shape, float[] data) {
        return add(name, DType.F32, shape, data);
    }

    public SafeTensorsWriter addLongs(String name, long[] shape, long[] data) {
        check(name, shape, data.length);
        tensors.add(new Pending(name, DType.I64, shape.clone(), null, data));
        return this;
    }

    private void check(String name, long[] shape, int length) {
        if (seen.put(name, Boolean.TRUE) != null) {
            throw new IllegalArgumentException("tensor '" + name + "' added twice");
        }
        if (TensorInfo.elementCount(shape) != length) {
            throw new IllegalArgumentException("tensor '" + name + "': " + length + " values for shape "
                    + java.util.Arrays.toString(shape));
        }
    }

    /** The header bytes (length prefix excluded), space-padded to a multiple of 8. */
    private byte[] header() throws IOException {
        ObjectNode root = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = root.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Pending p : tensors) {
            ObjectNode entry = root.putObject(p.name);
            entry.put("dtype", p.dtype.name());
            ArrayNode shape = entry.putArray("shape");
            for (long d : p.shape) {
                shape.add(d);
            }
            long bytes = TensorInfo.elementCount(p.shape) * p.dtype.bytes();
            entry.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] raw = JSON.writeValueAsBytes(root);
        int padded = (raw.length + 7) & ~7;
        byte[] out = new byte[padded];
        System.arraycopy(raw, 0, out, 0, raw.length);
        java.util.Arrays.fill(out, raw.length, padded, (byte) ' ');
        return out;
    }

    public void write(Path path) throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + path.getFileName(), ".tmp");
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            byte[] header = header();
            ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
            buf.putLong(header.length);
            flush(out, buf);
            writeAll(out, ByteBuffer.wrap(header));
            for (Pending p : tensors) {
                int n = p.floats != null ? p.floats.length : p.longs.length;
                for (int i = 0; i < n; i++) {
                    if (buf.remaining() < 8) {
                        flush(out, buf);
                    }
                    switch (p.dtype) {
                        case F32 -> buf.putFloat(p.floats[i]);
                        case F16 -> buf.putShort(HalfFloats.floatToF16(p.floats[i]));
                        case BF16 -> buf.putShort(HalfFloats.floatToBf16(p.floats[i]));
                        case I64 -> buf.putLong(p.longs[i]);
                        default -> throw new IllegalStateException();
                    }
                }
            }
            flush(out, buf);
            out.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void flush(FileChannel out, ByteBuffer buf) throws IOException {
        buf.flip();
        writeAll(out, buf);
        buf.clear();
    }

    private static void writeAll(FileChannel out, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            out.write(buf);
        }
    }

    /** The header JSON as a string, for tools that want to show what would be written. */
    public String headerJson() throws IOException {
        return new String(header(), StandardCharsets.UTF_8).strip();
    }
}
