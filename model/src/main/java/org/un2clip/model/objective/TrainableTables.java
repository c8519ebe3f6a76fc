package org.un2clip.model.objective;

import ai.djl.ndarray.NDArray;
import java.nio.FloatBuffer;
import java.util.List;
import org.un2clip.model.nn.ParameterTable;

/** Trainable tables seen as one flat vector (table order): install parameters, read gradients, zero gradients. */
final class TrainableTables {
    private final List<ParameterTable> tables;
    private final long count;

    TrainableTables(List<ParameterTable> tables) {
        this.tables = List.copyOf(tables);
        long n = 0;
        for (ParameterTable t : tables) {
            t.setTrainable(true);
            n += t.parameterCount();
        }
        this.count = n;
    }

    long count() {
        return count;
    }

    void copyTo(FloatBuffer out) {
        for (ParameterTable t : tables) {
            t.copyTo(out);
        }
    }

    void install(FloatBuffer parameters, String who) {
        check(parameters, who + " parameters");
        FloatBuffer in = parameters.duplicate().position(0);
        for (ParameterTable t : tables) {
            t.copyFrom(in);
        }
    }

    void gradientsTo(FloatBuffer gradients, String who) {
        check(gradients, who + " gradients");
        FloatBuffer out = gradients.duplicate().position(0);
        for (ParameterTable t : tables) {
            t.gradientsTo(out);
        }
    }

    /**
     * Fills every accumulated gradient with 0 in place. Not {@code g.subi(g)}: once a gradient holds a NaN,
     * NaN − NaN keeps it NaN and every later step fails; not {@code g.set(buffer)}: that makes the tensor alias a
     * Java direct buffer that is freed with the handle.
     */
    void zeroGradients() {
        for (ParameterTable t : tables) {
            for (NDArray a : t.arrays().values()) {
                if (a.hasGradient()) {
                    try (NDArray g = a.getGradient()) {
                        g.set(new ai.djl.ndarray.index.NDIndex("..."), 0f);
                    }
                }
            }
        }
    }

    private void check(FloatBuffer b, String what) {
        if (b.capacity() < count) {
            throw new IllegalArgumentException(what + " buffer holds " + b.capacity() + " floats, the model has " + count);
        }
    }
}
