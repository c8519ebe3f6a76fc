package org.un2clip.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.un2clip.model.io.SafeTensorsWriter;
import org.un2clip.model.io.StrictLoader;
import org.un2clip.model.io.WeightSource;

/**
 * A model's parameters under their upstream names (e.g. {@code transformer.resblocks.0.attn.in_proj_weight}),
 * in a fixed order. The order is the layout of the flat parameter and gradient vectors the runtime moves:
 * parameter after parameter, each row-major, in the order they were added.
 *
 * <p>Model code reads like upstream: a layer holds the names of its parameters and fetches the arrays
 * from here. Arrays live in this table's manager; per-step arrays belong in a sub-manager.
 */
public final class ParameterTable implements AutoCloseable {
    private final NDManager manager;
    private final Map<String, NDArray> arrays = new LinkedHashMap<>();
    private boolean trainable;

    public ParameterTable(NDManager parent) {
        this.manager = parent.newSubManager();
    }

    public NDManager manager() {
        return manager;
    }

    /** Declares a parameter (zero-initialised) and returns its name. */
    public String add(String name, long... shape) {
        if (arrays.containsKey(name)) {
            throw new IllegalArgumentException("parameter '" + name + "' declared twice");
        }
        NDArray a = manager.zeros(new Shape(shape), DataType.FLOAT32);
        a.setName(name);
        arrays.put(name, a);
        return name;
    }

    public NDArray get(String name) {
        NDArray a = arrays.get(name);
        if (a == null) {
            throw new IllegalArgumentException("no parameter '" + name + "'");
        }
        return a;
    }

    public boolean contains(String name) {
        return arrays.containsKey(name);
    }

    public Map<String, NDArray> arrays() {
        return Collections.unmodifiableMap(arrays);
    }

    public Map<String, long[]> shapes() {
        Map<String, long[]> out = new LinkedHashMap<>();
        arrays.forEach((k, v) -> out.put(k, v.getShape().getShape()));
        return out;
    }

    public long parameterCount() {
        long n = 0;
        for (NDArray a : arrays.values()) {
            n += a.size();
        }
        return n;
    }

    /** Sets one parameter's values (row-major). */
    public void set(String name, float[] values) {
        NDArray a = get(name);
        if (values.length != a.size()) {
            throw new IllegalArgumentException("parameter '" + name + "' has " + a.size() + " values, got " + values.length);
        }
        write(a, FloatBuffer.wrap(values));
    }

    /**
     * Writes values into the parameter's own storage. DJL's {@code set(Buffer)} instead swaps the tensor's storage
     * for a fresh direct buffer: a view taken earlier keeps reading the old storage (ParameterTableTest shows it),
     * and an old buffer of an earlier swap is freed when the GC collects it — stale or garbage weights.
     */
    private static void write(NDArray a, FloatBuffer values) {
        ByteBuffer storage = storage(a);
        if (storage != null) {
            storage.asFloatBuffer().put(values);
        } else {
            a.set(values); // GPU or converted (f16) arrays: DJL copies into a new tensor
        }
    }

    /** The parameter's own float32 memory, native order, or null when it has none in this JVM (GPU, f16). */
    private static ByteBuffer storage(NDArray a) {
        if (a.getDataType() == DataType.FLOAT32 && !a.getDevice().isGpu()) {
            // Parameters are created contiguous (zeros) and only ever written here, so this aliases their memory.
            ByteBuffer storage = a.toByteBuffer(true);
            if (storage.isDirect() && storage.capacity() == a.size() * Float.BYTES) {
                return storage.order(ByteOrder.nativeOrder());
            }
        }
        return null;
    }

    /**
     * Loads every parameter from {@code source}, whose names must already be this table's names
     * (use {@link WeightSource#withPrefix} / {@link WeightSource#renamed}). Strict: all problems in one error,
     * before any value is read. Values are read straight into the parameters' storage where it lives in this JVM.
     */
    public void load(String what, WeightSource source, boolean strict) {
        StrictLoader.check(what, shapes(), source, strict);
        Map<String, ByteBuffer> inPlace = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
            ByteBuffer storage = storage(e.getValue());
            if (storage != null) {
                inPlace.put(e.getKey(), storage);
            } else {
                set(e.getKey(), source.readFloats(e.getKey()));
            }
        }
        source.readFloats(inPlace);
    }

    /**
     * Converts every parameter to {@code type} in place (e.g. FLOAT16 for a frozen generator), keeping names and order.
     * Do it after loading: {@link #set}, {@link #copyFrom} and {@link #load} write float32 values.
     */
    public void convertTo(DataType type) {
        for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
            NDArray old = e.getValue();
            if (old.getDataType() != type) {
                NDArray converted = old.toType(type, true);
                converted.setName(e.getKey());
                e.setValue(converted);
                old.close();
            }
        }
    }

    /** Marks every parameter as requiring a gradient (or not). Frozen tables record no gradient. */
    public void setTrainable(boolean trainable) {
        this.trainable = trainable;
        for (NDArray a : arrays.values()) {
            a.setRequiresGradient(trainable);
        }
    }

    public boolean trainable() {
        return trainable;
    }

    /** Copies all parameters into {@code flat} in table order. */
    public void copyTo(FloatBuffer flat) {
        for (NDArray a : arrays.values()) {
            flat.put(a.toFloatArray());
        }
    }

    /** Replaces all parameters from {@code flat} in table order. */
    public void copyFrom(FloatBuffer flat) {
        for (NDArray a : arrays.values()) {
            int n = Math.toIntExact(a.size());
            write(a, flat.slice().limit(n));
            flat.position(flat.position() + n);
        }
    }

    /** Copies the gradients into {@code flat} in table order (zeros where none was recorded). */
    public void gradientsTo(FloatBuffer flat) {
        for (NDArray a : arrays.values()) {
            NDArray g = a.getGradient();
            flat.put(g.toFloatArray());
            g.close();
        }
    }

    /** Writes the parameters as F32 safetensors, names mapped through {@code rename} (identity: upstream names). */
    public void write(Path file, UnaryOperator<String> rename, Map<String, String> metadata) throws IOException {
        SafeTensorsWriter w = new SafeTensorsWriter();
        metadata.forEach(w::metadata);
        arrays.forEach((name, a) -> w.add(rename.apply(name), a.getShape().getShape(), a.toFloatArray()));
        w.write(file);
    }

    @Override
    public void close() {
        manager.close();
    }
}
