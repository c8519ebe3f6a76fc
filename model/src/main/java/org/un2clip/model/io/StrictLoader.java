package org.un2clip.model.io;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Loads named tensors into a model, strictly: every missing key, unexpected key, shape or dtype
 * mismatch is collected and reported in one error, with names and both shapes, before anything is set.
 */
public final class StrictLoader {
    private StrictLoader() {}

    /**
     * @param what     what is being loaded, for the message (e.g. "CLIP vision tower from ViT-L-14.safetensors")
     * @param expected canonical name → expected shape, in the model's order
     * @param source   tensors already under canonical names (see {@link WeightSource#renamed})
     * @param strict   when false, unexpected keys are tolerated (missing ones never are)
     * @param sink     receives every tensor as float32, in {@code expected} order
     */
    public static void load(String what, Map<String, long[]> expected, WeightSource source, boolean strict,
                            BiConsumer<String, float[]> sink) {
        check(what, expected, source, strict);
        for (String name : expected.keySet()) {
            sink.accept(name, source.readFloats(name));
        }
    }

    /**
     * Checks, without reading any values, that {@code source} holds exactly the {@code expected} tensors (names,
     * shapes, a floating dtype); throws one {@link WeightLoadException} listing every problem.
     */
    public static void check(String what, Map<String, long[]> expected, WeightSource source, boolean strict) {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            TensorInfo info = source.info(e.getKey());
            if (info == null) {
                problems.add("missing: " + e.getKey() + " " + Arrays.toString(e.getValue()));
            } else if (!Arrays.equals(info.shape(), e.getValue())) {
                problems.add("shape mismatch: " + e.getKey() + " is " + info.shapeString() + " in the file, the model needs "
                        + Arrays.toString(e.getValue()));
            } else if (!info.dtype().isFloating()) {
                problems.add("dtype mismatch: " + e.getKey() + " is " + info.dtype() + ", the model needs a floating type");
            }
        }
        if (strict) {
            for (String name : source.names()) {
                if (!expected.containsKey(name)) {
                    problems.add("unexpected: " + name + " " + source.info(name).shapeString());
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new WeightLoadException(what + ": " + problems.size() + " problem(s)\n  " + String.join("\n  ", problems));
        }
    }

    /** Raised by {@link #load} with the complete list of problems. */
    public static final class WeightLoadException extends RuntimeException {
        public WeightLoadException(String message) {
            super(message);
        }
    }
}
