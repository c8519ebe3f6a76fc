package org.un2clip.model.step;

import java.nio.FloatBuffer;

/**
 * The runtime's one view of the model: parameters in, loss and gradients out, as flat float vectors
 * in a fixed, documented order (the trainable parameters' table order). The runtime moves flat
 * buffers, never NDArrays, so it can be tested with a pure-Java objective.
 *
 * <p>Implementations are used by one thread at a time and own their native memory.
 */
public interface StepFunction extends AutoCloseable {

    /** Length of the flat parameter (and gradient) vector. */
    long parameterCount();

    /** The initial trainable parameters, written to {@code out} from its position. */
    void initialParameters(FloatBuffer out);

    /**
     * Computes the mean loss over the batch at {@code parameters} and writes d loss / d parameters
     * into {@code gradients} (overwriting). Both buffers are read/written from position 0 and hold
     * {@link #parameterCount()} floats. The gradient is of the batch mean; the runtime weights
     * micro-batches by their sizes.
     */
    StepResult step(FloatBuffer parameters, TrainingBatch batch, FloatBuffer gradients);

    @Override
    void close();

    /**
     * @param loss          mean loss over the batch
     * @param forwardNanos  time spent in the forward pass (encoder + frozen generator)
     * @param backwardNanos time spent in the backward pass and gradient copy-out
     */
    record StepResult(double loss, long forwardNanos, long backwardNanos) {}
}
