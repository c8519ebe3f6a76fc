package org.un2clip.model.io;

import java.nio.ByteBuffer;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Named tensors read lazily: a safetensors file, a sharded checkpoint, or a renaming view of one.
 * Floating tensors are always delivered as float32.
 */
public interface WeightSource extends AutoCloseable {

    /** Tensor names, in file order. */
    Set<String> names();

    /** The tensor's location and type, or null when absent. */
    TensorInfo info(String name);

    /** The {@code __metadata__} of the (first) file. */
    Map<String, String> metadata();

    /** The tensor as float32 (F16/BF16 widened exactly). */
    float[] readFloats(String name);

    /**
     * Reads a floating tensor as float32 into {@code destination} from its position on, in its byte order, and
     * advances the position: how a model's existing parameter storage is filled without an intermediate array.
     */
    void readFloats(String name, ByteBuffer destination);

    /**
     * Reads many floating tensors, each into its own destination as {@link #readFloats(String, ByteBuffer)} does,
     * several tensors at once: a real model is mostly tensors too small for one tensor's reads to keep every core
     * busy (a UNet has hundreds of biases and norms), and positional reads of different tensors are independent.
     */
    default void readFloats(Map<String, ByteBuffer> destinations) {
        destinations.entrySet().parallelStream().forEach(e -> readFloats(e.getKey(), e.getValue()));
    }

    /** An integer tensor (I64/I32/I16/I8/U8/BOOL) as longs. */
    long[] readLongs(String name);

    @Override
    void close();

    default boolean contains(String name) {
        return info(name) != null;
    }

    /** A view of the tensors whose names start with {@code prefix}, with the prefix removed. */
    default WeightSource withPrefix(String prefix) {
        return renamed(name -> name.startsWith(prefix) ? name.substring(prefix.length()) : null);
    }

    /**
     * A view under new names. {@code rename} maps a source name to its new name, or to null to hide it.
     * Two names mapping to the same new name is an error.
     */
    default WeightSource renamed(UnaryOperator<String> rename) {
        return new RenamedWeights(this, rename);
    }

    /** Names as a fresh mutable ordered set (helper for set arithmetic). */
    default Set<String> nameSet() {
        return new LinkedHashSet<>(names());
    }
}
