package org.un2clip.model.nn;

import ai.djl.ndarray.NDArray;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Debug capture of submodule outputs by upstream module path (like PyTorch forward hooks), for
 * bisecting a mismatch against golden {@code *.dbg.*} tensors. {@link #NONE} records nothing and costs nothing.
 */
public interface Taps {
    Taps NONE = new Taps() {
        @Override
        public boolean wants(String path) {
            return false;
        }

        @Override
        public void record(String path, NDArray value) {}
    };

    boolean wants(String path);

    void record(String path, NDArray value);

    /** Records {@code value} under {@code path} if wanted, and returns it (for use inline). */
    default NDArray tap(String path, NDArray value) {
        if (wants(path)) {
            record(path, value);
        }
        return value;
    }

    /** Records the wanted paths (with {@code prefix} added to each) into a map of float32 copies. */
    static Taps collecting(String prefix, Set<String> wanted, Map<String, float[]> into) {
        return new Taps() {
            @Override
            public boolean wants(String path) {
                return wanted.contains(prefix + path);
            }

            @Override
            public void record(String path, NDArray value) {
                into.put(prefix + path, Tensors.toFloats(value));
            }
        };
    }

    static Map<String, float[]> newMap() {
        return new LinkedHashMap<>();
    }
}
