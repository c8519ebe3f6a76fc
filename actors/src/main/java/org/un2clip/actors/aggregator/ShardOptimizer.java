package org.un2clip.actors.aggregator;

import org.un2clip.model.objective.AdamW;

/**
 * One shard's optimizer state: fp32 master weights, AdamW moments and the step count, over a contiguous
 * slice of the flat parameter vector. The math is torch 1.13's single-tensor AdamW ({@link AdamW#update}).
 */
public final class ShardOptimizer {
    final float[] master;
    final float[] expAvg;
    final float[] expAvgSq;
    long step;

    public ShardOptimizer(float[] master, float[] expAvg, float[] expAvgSq, long step) {
        if (expAvg.length != master.length || expAvgSq.length != master.length) {
            throw new IllegalArgumentException("master and moments differ in length");
        }
        this.master = master;
        this.expAvg = expAvg;
        this.expAvgSq = expAvgSq;
        this.step = step;
    }

    public static ShardOptimizer fresh(float[] master) {
        return new ShardOptimizer(master, new float[master.length], new float[master.length], 0);
    }

    /**
     * A step's update of this shard: {@code grad[0, length)} (the reduced, averaged gradient) scaled by the
     * global clip coefficient when below 1, then AdamW with the run's hyper-parameters.
     */
    public void apply(float[] grad, int length, double clipCoefficient, double lr, org.un2clip.actors.plan.RunPlan plan) {
        if (clipCoefficient < 1.0) {
            float c = (float) clipCoefficient;
            for (int k = 0; k < length; k++) {
                grad[k] *= c;
            }
        }
        update(grad, lr, plan.beta1(), plan.beta2(), plan.eps(), plan.weightDecay());
    }

    /** One AdamW update with gradient {@code grad} (already averaged, unscaled and clipped). */
    public void update(float[] grad, double lr, double beta1, double beta2, double eps, double weightDecay) {
        step++;
        adamw(master, grad, expAvg, expAvgSq, master.length, lr, beta1, beta2, eps, weightDecay, step);
    }

    /** torch 1.13 AdamW on {@code p[0, n)} at step {@code t}: the one implementation, {@link AdamW#update}. */
    public static void adamw(float[] p, float[] g, float[] m, float[] v, int n, double lr, double beta1, double beta2,
            double eps, double weightDecay, long t) {
        AdamW.update(p, g, 0, m, v, n, t, lr, beta1, beta2, eps, weightDecay);
    }

    public float[] master() { return master; }
    public float[] expAvg() { return expAvg; }
    public float[] expAvgSq() { return expAvgSq; }
    public long step() { return step; }
}
