package org.un2clip.model.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * A safetensors file of any size, read lazily: the header at open, each tensor when asked for.
 *
 * <p>The header is validated completely at open: every problem (truncation, a header that is not JSON,
 * unknown dtypes, offsets out of range or overlapping, byte ranges that do not match shape × dtype) is
 * a {@link WeightFileException} naming the file and tensor. Tensor data is copied out of the mapping
 * on purpose into fresh arrays: DJL aliases direct buffers, and a tensor must never alias a reused buffer.
 */
public final class SafeTensorsFile implements WeightSource {
    /** Real headers are a few hundred KB; anything this large is a corrupt length, not a header. */
    static final long MAX_HEADER_BYTES = 256L << 20;
    private static final int READ_WINDOW_BYTES = 4 << 20;
    private static final int PARALLEL_MIN_WINDOWS = 4;
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final Path path;
    private final FileChannel channel;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafeTensorsFile(Path path, FileChannel channel, Map<String, TensorInfo> tensors, Map<String, String> metadata) {
        this.path = path;
        this.channel = channel;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    public static SafeTensorsFile open(Path path) {
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new WeightFileException(path, null, "cannot open: " + e, e);
        }
        try {
            long size = channel.size();
            if (size < 8) {
                throw new WeightFileException(path, null, "truncated: " + size + " bytes, no 8-byte header length");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lenBuf, 0, path);
            long headerLength = lenBuf.getLong(0);
            if (headerLength < 2 || headerLength > MAX_HEADER_BYTES) {
                throw new WeightFileException(path, null, "header length " + Long.toUnsignedString(headerLength)
                        + " is not plausible (file has " + size + " bytes)");
            }
            if (8 + headerLength > size) {
                throw new WeightFileException(path, null, "header length " + headerLength
                        + " runs past the end of the file (" + size + " bytes): truncated or not safetensors");
            }
            ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLength);
            readFully(channel, headerBuf, 8, path);
            String header = decodeUtf8(headerBuf.array(), path);
            long dataStart = 8 + headerLength;
            Parsed parsed = parseHeader(path, header, dataStart, size - dataStart);
            return new SafeTensorsFile(path, channel, parsed.tensors, parsed.metadata);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new WeightFileException(path, null, "cannot read: " + e, e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private record Parsed(Map<String, TensorInfo> tensors, Map<String, String> metadata) {}

    private static Parsed parseHeader(Path path, String header, long dataStart, long dataLength) {
        JsonNode root;
        try {
            root = JSON.readTree(header);
        } catch (JsonProcessingException e) {
            throw new WeightFileException(path, null, "header is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new WeightFileException(path, null, "header is not a JSON object");
        }
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = Map.of();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = field.getKey();
            JsonNode node = field.getValue();
            if (name.equals("__metadata__")) {
                metadata = parseMetadata(path, node);
                continue;
            }
            tensors.put(name, parseEntry(path, name, node, dataStart, dataLength));
        }
        checkNoOverlap(path, tensors);
        return new Parsed(Collections.unmodifiableMap(tensors), metadata);
    }

    private static Map<String, String> parseMetadata(Path path, JsonNode node) {
        if (!node.isObject()) {
            throw new WeightFileException(path, "__metadata__", "must be an object of strings");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new WeightFileException(path, "__metadata__", "value of '" + e.getKey() + "' is not a string");
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
        return Collections.unmodifiableMap(out);
    }

    private static TensorInfo parseEntry(Path path, String name, JsonNode node, long dataStart, long dataLength) {
        if (!node.isObject()) {
            throw new WeightFileException(path, name, "entry is not an object");
        }
        JsonNode dtypeNode = node.get("dtype");
        JsonNode shapeNode = node.get("shape");
        JsonNode offsetsNode = node.get("data_offsets");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw new WeightFileException(path, name, "missing or non-string 'dtype'");
        }
        DType dtype = DType.parse(dtypeNode.textValue());
        if (dtype == null) {
            throw new WeightFileException(path, name, "unknown dtype '" + dtypeNode.textValue() + "'");
        }
        if (shapeNode == null || !shapeNode.isArray()) {
            throw new WeightFileException(path, name, "missing or non-array 'shape'");
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.canConvertToLong() || !d.isIntegralNumber() || d.longValue() < 0) {
                throw new WeightFileException(path, name, "shape " + shapeNode + " has a bad dimension " + d);
            }
            shape[i] = d.longValue();
        }
        if (offsetsNode == null || !offsetsNode.isArray() || offsetsNode.size() != 2
                || !offsetsNode.get(0).isIntegralNumber() || !offsetsNode.get(1).isIntegralNumber()
                || !offsetsNode.get(0).canConvertToLong() || !offsetsNode.get(1).canConvertToLong()) {
            throw new WeightFileException(path, name, "'data_offsets' must be two integers, got " + offsetsNode);
        }
        long begin = offsetsNode.get(0).longValue();
        long end = offsetsNode.get(1).longValue();
        if (begin < 0 || end < begin) {
            throw new WeightFileException(path, name, "data_offsets [" + begin + ", " + end + "] are not an ascending range");
        }
        if (end > dataLength) {
            throw new WeightFileException(path, name, "data_offsets [" + begin + ", " + end + "] run past the data ("
                    + dataLength + " bytes): truncated file?");
        }
        long expected;
        try {
            expected = Math.multiplyExact(TensorInfo.elementCount(shape), dtype.bytes());
        } catch (ArithmeticException e) {
            throw new WeightFileException(path, name, "shape " + shapeNode + " overflows");
        }
        if (end - begin != expected) {
            throw new WeightFileException(path, name, "holds " + (end - begin) + " bytes but shape " + shapeNode
                    + " × " + dtype + " needs " + expected);
        }
        return new TensorInfo(name, path, dtype, shape, dataStart + begin, end - begin);
    }

    private static void checkNoOverlap(Path path, Map<String, TensorInfo> tensors) {
        List<TensorInfo> sorted = new ArrayList<>(tensors.values());
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::byteLength));
        TensorInfo previous = null;
        for (TensorInfo t : sorted) {
            if (t.byteLength() == 0) {
                continue;
            }
            if (previous != null && t.begin() < previous.begin() + previous.byteLength()) {
                throw new WeightFileException(path, t.name(), "bytes overlap tensor '" + previous.name() + "'");
            }
            previous = t;
        }
    }

    private static String decodeUtf8(byte[] bytes, Path path) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new WeightFileException(path, null, "header is not valid UTF-8");
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer buf, long position, Path path) throws IOException {
        while (buf.hasRemaining()) {
            int n = channel.read(buf, position + buf.position());
            if (n < 0) {
                throw new WeightFileException(path, null, "truncated while reading at byte " + (position + buf.position()));
            }
        }
    }

    public Path path() {
        return path;
    }

    @Override
    public Set<String> names() {
        return tensors.keySet();
    }

    @Override
    public TensorInfo info(String name) {
        return tensors.get(name);
    }

    @Override
    public Map<String, String> metadata() {
        return metadata;
    }

    private TensorInfo requireFloating(String name) {
        TensorInfo t = require(name);
        if (!t.dtype().isFloating()) {
            throw new WeightFileException(path, name, "is " + t.dtype() + ", not a floating tensor");
        }
        return t;
    }

    private TensorInfo require(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) {
            throw new WeightFileException(path, name, "no such tensor");
        }
        return t;
    }

    @Override
    public float[] readFloats(String name) {
        TensorInfo t = requireFloating(name);
        long n = t.elementCount();
        if (n > Integer.MAX_VALUE - 8) {
            throw new WeightFileException(path, name, "has " + n + " elements, more than one Java array holds");
        }
        float[] out = new float[(int) n];
        FloatBuffer dst = FloatBuffer.wrap(out);
        forEachWindow(t, null, (window, firstElement) -> decodeFloats(t.dtype(), window, dst, (int) firstElement));
        return out;
    }

    /**
     * F32 into a little-endian destination is read by the kernel straight into it (no staging copy, no decode): the
     * same single copy a raw sequential read makes. Other dtypes and orders go through the reused read window.
     */
    @Override
    public void readFloats(String name, ByteBuffer destination) {
        TensorInfo t = requireFloating(name);
        long bytes = t.elementCount() * Float.BYTES;
        if (destination.remaining() < bytes) {
            throw new IllegalArgumentException(path + ": tensor '" + name + "' needs " + bytes + " bytes of float32, the destination has "
                    + destination.remaining());
        }
        ByteBuffer dst = destination.slice().order(destination.order());
        if (t.dtype() == DType.F32 && dst.order() == ByteOrder.LITTLE_ENDIAN) {
            forEachWindow(t, dst, (window, firstElement) -> {});
        } else {
            FloatBuffer floats = dst.asFloatBuffer();
            forEachWindow(t, null, (window, firstElement) -> decodeFloats(t.dtype(), window, floats, (int) firstElement));
        }
        destination.position(destination.position() + (int) bytes);
    }

    @Override
    public long[] readLongs(String name) {
        TensorInfo t = require(name);
        if (t.dtype().isFloating()) {
            throw new WeightFileException(path, name, "is " + t.dtype() + ", not an integer tensor");
        }
        long[] out = new long[Math.toIntExact(t.elementCount())];
        forEachWindow(t, null, (window, first) -> {
            int i = (int) first;
            while (window.hasRemaining()) {
                out[i++] = switch (t.dtype()) {
                    case I64 -> window.getLong();
                    case I32 -> window.getInt();
                    case I16 -> window.getShort();
                    case I8 -> window.get();
                    case U8, BOOL -> window.get() & 0xff;
                    default -> throw new IllegalStateException();
                };
            }
        });
        return out;
    }

    private interface WindowConsumer {
        void accept(ByteBuffer window, long firstElement);
    }

    /**
     * Hands the tensor's bytes to {@code consumer} in windows of whole elements. Windows come from positional
     * reads into a reused direct buffer per thread, or, when {@code target} is given, into the matching slice of
     * {@code target} itself (the tensor's raw bytes land where they belong). A large tensor's windows are read on
     * all cores at once (positional reads are independent): one thread cannot keep up with the page cache.
     */
    private void forEachWindow(TensorInfo t, ByteBuffer target, WindowConsumer consumer) {
        int elementBytes = t.dtype().bytes();
        int windowBytes = READ_WINDOW_BYTES - (READ_WINDOW_BYTES % elementBytes);
        int windows = (int) ((t.byteLength() + windowBytes - 1) / windowBytes);
        IntStream range = IntStream.range(0, windows);
        (windows >= PARALLEL_MIN_WINDOWS ? range.parallel() : range).forEach(w -> {
            long offset = (long) w * windowBytes;
            int length = (int) Math.min(windowBytes, t.byteLength() - offset);
            ByteBuffer window = target == null ? READ_WINDOW.get().clear().limit(length)
                    : target.slice((int) offset, length).order(ByteOrder.LITTLE_ENDIAN);
            try {
                while (window.hasRemaining()) {
                    if (channel.read(window, t.begin() + offset + window.position()) < 0) {
                        throw new WeightFileException(path, t.name(), "file ends inside the tensor: truncated while reading");
                    }
                }
            } catch (IOException e) {
                throw new WeightFileException(path, t.name(), "cannot read: " + e, e);
            }
            window.flip();
            consumer.accept(window, offset / elementBytes);
        });
    }

    /** One reusable, 8-byte-aligned read window per thread: reading allocates nothing per tensor. */
    private static final ThreadLocal<ByteBuffer> READ_WINDOW =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(READ_WINDOW_BYTES).order(ByteOrder.LITTLE_ENDIAN));

    /** Decodes the window's elements into {@code dst} from element {@code offset} on (absolute puts: windows run in parallel). */
    static void decodeFloats(DType dtype, ByteBuffer src, FloatBuffer dst, int offset) {
        int n = src.remaining() / dtype.bytes();
        switch (dtype) {
            case F32 -> dst.put(offset, src.asFloatBuffer(), 0, n);
            case F64 -> {
                for (int i = 0; i < n; i++) {
                    dst.put(offset + i, (float) src.getDouble());
                }
            }
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    dst.put(offset + i, HalfFloats.f16ToFloat(src.getShort()));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    dst.put(offset + i, HalfFloats.bf16ToFloat(src.getShort()));
                }
            }
            default -> throw new IllegalArgumentException(dtype + " is not floating");
        }
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Closing a read-only channel cannot lose data.
        }
    }
}
