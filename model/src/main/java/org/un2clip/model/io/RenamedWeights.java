package org.un2clip.model.io;

import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/** A renaming view of another source; closing it closes nothing (the owner closes the source). */
final class RenamedWeights implements WeightSource {
    private final WeightSource source;
    private final Map<String, String> newToOld = new LinkedHashMap<>();

    RenamedWeights(WeightSource source, UnaryOperator<String> rename) {
        this.source = source;
        for (String old : source.names()) {
            String renamed = rename.apply(old);
            if (renamed == null) {
                continue;
            }
            String clash = newToOld.putIfAbsent(renamed, old);
            if (clash != null) {
                throw new IllegalArgumentException("tensors '" + clash + "' and '" + old + "' both map to '" + renamed + "'");
            }
        }
    }

    @Override
    public Set<String> names() {
        return Collections.unmodifiableSet(newToOld.keySet());
    }

    @Override
    public TensorInfo info(String name) {
        String old = newToOld.get(name);
        return old == null ? null : source.info(old);
    }

    @Override
    public Map<String, String> metadata() {
        return source.metadata();
    }

    @Override
    public float[] readFloats(String name) {
        return source.readFloats(original(name));
    }

    @Override
    public void readFloats(String name, ByteBuffer destination) {
        source.readFloats(original(name), destination);
    }

    @Override
    public long[] readLongs(String name) {
        return source.readLongs(original(name));
    }

    private String original(String name) {
        String old = newToOld.get(name);
        if (old == null) {
            throw new IllegalArgumentException("no tensor '" + name + "' in this view");
        }
        return old;
    }

    @Override
    public void close() {}
}
