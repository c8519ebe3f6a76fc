package org.un2clip.actors.objective;

import java.nio.FloatBuffer;
import org.un2clip.conf.KeyedRandom;
import org.un2clip.model.step.StepFunction;
import org.un2clip.model.step.TrainingBatch;

/**
 * The pure-Java objective the runtime is tested with: linear regression, loss = mean ½(w·x − y)² over the
 * batch, gradient = mean (w·x − y)·x. Deterministic: the same batch and parameters give the same bits.
 */
public final class ToyObjective implements StepFunction {
    private final int dim;
    private final long seed;
    private final long minStepNanos;

    /** @param minStepNanos a floor on each call's time (it sleeps the rest), so tests of time-based behaviour do
     *     not depend on how fast this machine is; 0 for none */
    public ToyObjective(long seed, int dim, long minStepNanos) {
        this.seed = seed;
        this.dim = dim;
        this.minStepNanos = minStepNanos;
    }

    @Override
    public long parameterCount() {
        return dim;
    }

    @Override
    public void initialParameters(FloatBuffer out) {
        KeyedRandom r = KeyedRandom.of(seed, 0, 0, KeyedRandom.Purpose.INIT);
        for (int i = 0; i < dim; i++) {
            out.put(out.position() + i, (float) (0.01 * r.nextGaussian()));
        }
    }

    @Override
    public StepResult step(FloatBuffer parameters, TrainingBatch batch, FloatBuffer gradients) {
        long t0 = System.nanoTime();
        int b = batch.size();
        int stride = dim + 1;
        if (batch.shape()[3] != stride) {
            throw new IllegalArgumentException("toy objective of dim " + dim + " got samples of " + batch.shape()[3]
                    + " floats (expected " + stride + ")");
        }
        float[] x = batch.pixels();
        double[] residual = new double[b];
        double loss = 0;
        for (int s = 0; s < b; s++) {
            double pred = 0;
            for (int i = 0; i < dim; i++) {
                pred += (double) parameters.get(i) * x[s * stride + i];
            }
            double r = pred - x[s * stride + dim];
            residual[s] = r;
            loss += 0.5 * r * r;
        }
        long t1 = System.nanoTime();
        for (int i = 0; i < dim; i++) {
            double g = 0;
            for (int s = 0; s < b; s++) {
                g += residual[s] * x[s * stride + i];
            }
            gradients.put(i, (float) (g / b));
        }
        long t2 = System.nanoTime();
        for (long left = minStepNanos - (t2 - t0); left > 0; left = minStepNanos - (System.nanoTime() - t0)) {
            java.util.concurrent.locks.LockSupport.parkNanos(left);
        }
        return new StepResult(loss / b, t1 - t0, t2 - t1);
    }

    @Override
    public void close() {
        // No native memory.
    }
}
