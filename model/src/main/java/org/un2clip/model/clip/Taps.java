package org.un2clip.model.clip;

import ai.djl.ndarray.NDArray;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a forward pass reports named intermediates (upstream module paths, e.g. {@code transformer.resblocks.0.ln_1},
 * sequences in NLD layout), for debug golden tensors. {@link #NONE} records nothing and costs nothing.
 */
@FunctionalInterface
public interface Taps {
    Taps NONE = (name, value) -> {};

    void record(String name, NDArray value);

    /** A tap under a module path prefix: {@code child("transformer.resblocks.0.")}. */
    default Taps child(String prefix) {
        return this == NONE ? NONE : (name, value) -> record(prefix + name, value);
    }

    /** Collects every intermediate (the arrays stay in the forward pass's manager). */
    final class Collector implements Taps {
        private final Map<String, NDArray> values = new LinkedHashMap<>();

        @Override
        public void record(String name, NDArray value) {
            values.put(name, value);
        }

        public Map<String, NDArray> values() {
            return values;
        }
    }
}
