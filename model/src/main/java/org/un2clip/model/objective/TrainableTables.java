package org.un2clip.model.objective;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.function.Function;
import org.un2clip.model.nn.ParameterTable;
import org.un2clip.model.step.StepFunction;

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

    /**
     * One differentiated step over these tables: installs {@code parameters}, builds the scalar loss in a
     * step-scoped manager under a gradient collector, back-propagates and writes the gradients (table order).
     */
    StepFunction.StepResult step(NDManager parent, FloatBuffer parameters, FloatBuffer gradients, String who,
            Function<NDManager, NDArray> lossOf) {
        install(parameters, who);
        zeroGradients();
        long t0 = System.nanoTime();
        float loss;
        long t1;
        try (NDManager m = parent.newSubManager(); GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray l = lossOf.apply(m);
            t1 = System.nanoTime();
            collector.backward(l);
            loss = l.getFloat();
        }
        gradientsTo(gradients, who);
        zeroGradients();
        return new StepFunction.StepResult(loss, t1 - t0, System.nanoTime() - t1);
    }

    private void check(FloatBuffer b, String what) {
        if (b.capacity() < count) {
            throw new IllegalArgumentException(what + " buffer holds " + b.capacity() + " floats, the model has " + count);
        }
    }
}
