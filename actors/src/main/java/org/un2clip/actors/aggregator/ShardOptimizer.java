package org.un2clip.actors.aggregator;

/**
 * One shard's optimizer state: fp32 master weights, AdamW moments and the step count, over a contiguous
 * slice of the flat parameter vector. The math is torch 1.13's single-tensor AdamW, in {@link #adamw}.
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

    /** One AdamW update with gradient {@code grad} (already averaged, unscaled and clipped). */
    public void update(float[] grad, double lr, double beta1, double beta2, double eps, double weightDecay) {
        step++;
        adamw(master, grad, expAvg, expAvgSq, master.length, lr, beta1, beta2, eps, weightDecay, step);
    }

    /**
     * torch 1.13 {@code _single_tensor_adamw}: decoupled decay first, then
     * m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g·g; denom = sqrt(v)/sqrt(1−β2^t) + eps;
     * p ← p − (lr/(1−β1^t))·m/denom. Scalars in double as Python has them, tensors in float.
     */
    public static void adamw(float[] p, float[] g, float[] m, float[] v, int n, double lr, double beta1, double beta2,
            double eps, double weightDecay, long t) {
        float decay = (float) (1 - lr * weightDecay);
        float b1 = (float) beta1;
        float oneMinusB1 = (float) (1 - beta1);
        float b2 = (float) beta2;
        float oneMinusB2 = (float) (1 - beta2);
        double bc1 = 1 - Math.pow(beta1, t);
        double bc2 = 1 - Math.pow(beta2, t);
        float negStepSize = (float) -(lr / bc1);
        float bc2Sqrt = (float) Math.sqrt(bc2);
        float e = (float) eps;
        for (int i = 0; i < n; i++) {
            float gi = g[i];
            float mi = m[i] * b1 + oneMinusB1 * gi;
            float vi = v[i] * b2 + oneMinusB2 * gi * gi;
            float denom = (float) Math.sqrt(vi) / bc2Sqrt + e;
            m[i] = mi;
            v[i] = vi;
            p[i] = p[i] * decay + negStepSize * mi / denom;
        }
    }

    public float[] master() { return master; }
    public float[] expAvg() { return expAvg; }
    public float[] expAvgSq() { return expAvgSq; }
    public long step() { return step; }
}
