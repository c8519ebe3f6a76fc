package org.un2clip.model.unclip.golden;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.un2clip.model.golden.GoldenSet;

/** Golden inputs as arrays (copied: never aliasing the mmap) and small manifest helpers. */
final class GoldenArrays {
    private GoldenArrays() {}

    static NDArray floats(NDManager m, GoldenSet set, String name) {
        return m.create(set.floats(name), new Shape(set.shape(name)));
    }

    static NDArray longs(NDManager m, GoldenSet set, String name) {
        return m.create(set.longs(name));
    }

    /** Puts {@code value} under {@code name} when it is wanted. */
    static void put(java.util.Map<String, float[]> out, java.util.Set<String> wanted, String name, NDArray value) {
        if (wanted.contains(name)) {
            out.put(name, org.un2clip.model.nn.Tensors.toFloats(value));
        }
    }

    static void put(java.util.Map<String, float[]> out, java.util.Set<String> wanted, String name, float[] value) {
        if (wanted.contains(name)) {
            out.put(name, value);
        }
    }
}
