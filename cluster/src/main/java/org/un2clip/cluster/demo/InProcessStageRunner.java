package org.un2clip.cluster.demo;

import java.io.PrintStream;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.un2clip.conf.KeyedRandom;
import org.un2clip.model.objective.AdamW;
import org.un2clip.model.step.StepFunction;

/**
 * One trainer in this JVM: each step takes the next {@code batch} ids of the epoch's keyed permutation, runs the step
 * function and applies AdamW (torch semantics, betas 0.9/0.999) with a linear warm-up,
 * after clipping the gradient's global norm. Same settings → same bits.
 */
public final class InProcessStageRunner implements StageRunner {
    private final PrintStream log;
    private final double clipGradNorm;

    /** @param clipGradNorm gradients are scaled down to this global L2 norm when above it (0 = no clipping) */
    public InProcessStageRunner(PrintStream log, double clipGradNorm) {
        this.log = log;
        this.clipGradNorm = clipGradNorm;
    }

    static void clipNorm(float[] g, double max) {
        if (max <= 0) {
            return;
        }
        double sq = 0;
        for (float v : g) {
            sq += (double) v * v;
        }
        double norm = Math.sqrt(sq);
        if (norm > max) {
            float f = (float) (max / norm);
            for (int i = 0; i < g.length; i++) {
                g[i] *= f;
            }
        }
    }

    @Override
    public Trained train(Plan plan, Supplier<StepFunction> objective, Dataset data) {
        DemoSettings.Training t = plan.training();
        if (t.batch() > data.size()) {
            throw new IllegalArgumentException(plan.stage() + ": batch " + t.batch() + " exceeds the " + data.size() + " samples");
        }
        long start = System.nanoTime();
        List<Double> losses = new ArrayList<>();
        StepFunction f = objective.get();
        int n = Math.toIntExact(f.parameterCount());
        float[] params = new float[n];
        float[] grads = new float[n];
        f.initialParameters(FloatBuffer.wrap(params));
        AdamW adamw = new AdamW(new AdamW.Hyper(t.lr(), 0.9, 0.999, 1e-8, t.weightDecay()));
        AdamW.State state = new AdamW.State(n);
        int perEpoch = data.size() / t.batch();
        long[] order = null;
        int skipped = 0;
        for (int step = 0; step < t.steps(); step++) {
            long epoch = step / perEpoch;
            if (step % perEpoch == 0) {
                order = permutation(plan.seed(), epoch, data.size());
            }
            int first = (step % perEpoch) * t.batch();
            long[] ids = java.util.Arrays.copyOfRange(order, first, first + t.batch());
            StepFunction.StepResult r = f.step(FloatBuffer.wrap(params), data.batch(epoch, ids), FloatBuffer.wrap(grads));
            if (!Double.isFinite(r.loss())) {
                throw new IllegalStateException(plan.stage() + ": loss is " + r.loss() + " at step " + step + " (lower the learning rate)");
            }
            if (!finite(grads)) {
                // as the runtime's shards do: a non-finite gradient skips the update, and the skips are reported
                skipped++;
                if (skipped > Math.max(3, t.steps() / 20)) {
                    throw new IllegalStateException(plan.stage() + ": " + skipped + " steps had a non-finite gradient (last at step "
                            + step + ", loss " + r.loss() + ")");
                }
                log.printf("  %-10s step %5d: non-finite gradient, update skipped%n", plan.stage(), step + 1);
                losses.add(r.loss());
                continue;
            }
            clipNorm(grads, clipGradNorm);
            double lr = t.warmup() > 0 && step < t.warmup() ? t.lr() * (step + 1) / t.warmup() : t.lr();
            adamw.step(params, grads, 0, state, lr);
            losses.add(r.loss());
            if (step % Math.max(1, t.steps() / 10) == 0 || step == t.steps() - 1) {
                log.printf("  %-10s step %5d/%d  loss %.5f  (%.1f s)%n", plan.stage(), step + 1, t.steps(), r.loss(),
                        (System.nanoTime() - start) / 1e9);
            }
        }
        f.close();
        return new Trained(params, losses, skipped, (System.nanoTime() - start) / 1e9);
    }

    private static boolean finite(float[] g) {
        for (float v : g) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    /** Fisher–Yates over 0..n-1 from the (seed, epoch, PERMUTATION) stream. */
    static long[] permutation(long seed, long epoch, int n) {
        long[] p = new long[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        KeyedRandom r = KeyedRandom.of(seed, epoch, 0, KeyedRandom.Purpose.PERMUTATION);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            long tmp = p[i];
            p[i] = p[j];
            p[j] = tmp;
        }
        return p;
    }
}
