package org.un2clip.model.objective;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.FloatBuffer;
import java.util.List;
import org.un2clip.model.nn.ParameterTable;
import org.un2clip.model.nn.Taps;
import org.un2clip.model.step.StepFunction;
import org.un2clip.model.step.TrainingBatch;

/**
 * The runtime's view of an {@link Un2clipObjective}: the flat parameter vector is the trainable tables in order
 * (the CLIP encoder's upstream state-dict order for un²CLIP; the UNet's ldm order for generator training).
 * {@link #step} installs the parameters, runs forward and the staged backward in a per-step sub-manager, and writes
 * the gradients of the batch-mean loss. Pixels are (B, 3, H, W) in [-1, 1]; every random draw is keyed by
 * (seed, epoch, sample id, purpose).
 */
public final class ObjectiveStep implements StepFunction {
    private final NDManager manager;
    private final Un2clipObjective objective;
    private final float[] context;
    private final long[] contextShape;
    private final List<ParameterTable> trainable;
    private final long count;
    private final int maxNoiseLevel;

    /**
     * @param manager      owns every per-step array (each step runs in a sub-manager of it)
     * @param context      the constant cross-attention context (the empty prompt's text features), row-major (L, C)
     * @param contextShape {L, C}
     */
    public ObjectiveStep(NDManager manager, Un2clipObjective objective, float[] context, long[] contextShape) {
        if (contextShape.length != 2 || (long) context.length != contextShape[0] * contextShape[1]) {
            throw new IllegalArgumentException("context must be (L, C); got " + context.length + " values for shape "
                    + java.util.Arrays.toString(contextShape));
        }
        if (contextShape[1] != objective.unet().config().contextDim()) {
            throw new IllegalArgumentException("context width " + contextShape[1] + " != UNet context_dim "
                    + objective.unet().config().contextDim());
        }
        this.manager = manager;
        this.objective = objective;
        this.context = context.clone();
        this.contextShape = contextShape.clone();
        this.trainable = objective.trainable();
        long n = 0;
        for (ParameterTable t : trainable) {
            n += t.parameterCount();
        }
        this.count = n;
        this.maxNoiseLevel = objective.augmentor().schedule().timesteps();
    }

    public Un2clipObjective objective() {
        return objective;
    }

    @Override
    public long parameterCount() {
        return count;
    }

    @Override
    public void initialParameters(FloatBuffer out) {
        for (ParameterTable t : trainable) {
            t.copyTo(out);
        }
    }

    @Override
    public StepResult step(FloatBuffer parameters, TrainingBatch batch, FloatBuffer gradients) {
        check(parameters, "parameters");
        check(gradients, "gradients");
        FloatBuffer in = parameters.duplicate().position(0);
        for (ParameterTable t : trainable) {
            t.copyFrom(in);
        }
        objective.zeroGradients();
        Un2clipObjective.Result r = run(batch, true);
        long start = System.nanoTime();
        FloatBuffer out = gradients.duplicate().position(0);
        for (ParameterTable t : trainable) {
            t.gradientsTo(out);
        }
        objective.zeroGradients();
        long copyOut = System.nanoTime() - start;
        long[] p = r.phaseNanos();
        long forward = p[Phase.VAE_ENCODE.ordinal()] + p[Phase.ENCODER_FORWARD.ordinal()] + p[Phase.AUGMENT.ordinal()]
                + p[Phase.UNET_FORWARD.ordinal()];
        return new StepResult(r.loss(), forward, p[Phase.BACKWARD.ordinal()] + copyOut);
    }

    /** Runs the objective on a batch (with or without backward), in a sub-manager closed at the end. */
    public Un2clipObjective.Result run(TrainingBatch batch, boolean backward) {
        long[] s = batch.shape();
        if (s[1] != 3 || s[2] != s[3]) {
            throw new IllegalArgumentException("objective: batch must be square RGB (B, 3, H, H); got " + java.util.Arrays.toString(s));
        }
        Draws draws = Draws.keyed(objective.options(), batch.epoch(), batch.sampleIds(), objective.latentSize((int) s[2]),
                objective.augmentor().embeddingDim(), maxNoiseLevel);
        try (NDManager m = manager.newSubManager()) {
            NDArray image = m.create(batch.pixels(), new Shape(s));
            NDArray ctx = m.create(context, new Shape(1, contextShape[0], contextShape[1])).repeat(0, s[0]);
            return objective.run(m, image, ctx, draws, backward, Taps.NONE);
        }
    }

    private void check(FloatBuffer b, String what) {
        if (b.capacity() < count) {
            throw new IllegalArgumentException(what + " buffer holds " + b.capacity() + " floats, the objective has " + count);
        }
    }

    @Override
    public void close() {
        // The parts belong to the caller's manager; per-step arrays are closed with each step's sub-manager.
    }
}
