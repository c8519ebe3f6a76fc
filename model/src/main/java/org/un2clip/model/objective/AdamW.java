package org.un2clip.model.objective;

/**
 * AdamW with torch 1.13 semantics, in plain Java over a slice {@code [offset, offset+len)} of flat float arrays, so
 * the runtime's aggregator shards (each owning a contiguous slice of the flat parameter vector) use the same code:
 * <pre>
 *   p ← p·(1 − lr·wd)                                  decoupled decay first, on the old parameter
 *   m ← β1·m + (1−β1)·g ;  v ← β2·v + (1−β2)·g²
 *   p ← p − (lr / (1−β1^k)) · m / (√v / √(1−β2^k) + eps)
 * </pre>
 * Element arithmetic is float32 in torch's operation order (scalars computed in double, then used as floats),
 * so the result matches {@code torch.optim.AdamW} to the last bits.
 */
public final class AdamW {

    /** Hyper-parameters. The paper's un²CLIP run used lr 3e-7; betas, eps and decay are torch's defaults. */
    public record Hyper(double lr, double beta1, double beta2, double eps, double weightDecay) {
        public Hyper {
            if (!(lr >= 0) || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps >= 0) || !(weightDecay >= 0)) {
                throw new IllegalArgumentException("AdamW: invalid hyper-parameters " + lr + ", " + beta1 + ", " + beta2
                        + ", " + eps + ", " + weightDecay);
            }
        }

        public static Hyper paper() {
            return new Hyper(3e-7, 0.9, 0.999, 1e-8, 0.01);
        }
    }

    /** The optimizer state of one slice: first and second moments and the step count. Explicit, so it can be checkpointed. */
    public static final class State {
        private final float[] m;
        private final float[] v;
        private long step;

        public State(int length) {
            this(new float[length], new float[length], 0);
        }

        public State(float[] m, float[] v, long step) {
            if (m.length != v.length) {
                throw new IllegalArgumentException("AdamW state: moments of different lengths " + m.length + " and " + v.length);
            }
            this.m = m;
            this.v = v;
            this.step = step;
        }

        public float[] firstMoment() {
            return m;
        }

        public float[] secondMoment() {
            return v;
        }

        public long step() {
            return step;
        }

        public int length() {
            return m.length;
        }
    }

    private final Hyper hyper;

    public AdamW(Hyper hyper) {
        this.hyper = hyper;
    }

    public Hyper hyper() {
        return hyper;
    }

    /** One step with the configured learning rate. */
    public void step(float[] params, float[] grads, int offset, State state) {
        step(params, grads, offset, state, hyper.lr());
    }

    /**
     * One step on {@code params[offset, offset+state.length())} with {@code grads} at the same positions; state index i
     * belongs to flat index offset + i. {@code lr} overrides the configured rate (for schedules).
     */
    public void step(float[] params, float[] grads, int offset, State state, double lr) {
        int len = state.length();
        if (offset < 0 || offset + len > params.length || offset + len > grads.length) {
            throw new IllegalArgumentException("AdamW: slice [" + offset + ", " + (offset + len) + ") outside params ("
                    + params.length + ") or grads (" + grads.length + ")");
        }
        state.step++;
        update(params, grads, offset, state.m, state.v, len, state.step, lr, hyper.beta1(), hyper.beta2(), hyper.eps(),
                hyper.weightDecay());
    }

    /**
     * The update itself, on {@code params[offset, offset+len)} with moments {@code m[0, len)}, {@code v[0, len)} at
     * step {@code t} (already counted): torch 1.13 {@code _single_tensor_adamw} — decoupled decay first, then
     * m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; denom = sqrt(v)/sqrt(1−β2^t) + eps; p ← p − (lr/(1−β1^t))·m/denom.
     * Scalars in double as Python has them, tensors in float. Shared by the golden check and the runtime's shards.
     */
    public static void update(float[] params, float[] grads, int offset, float[] m, float[] v, int len, long t,
            double lr, double beta1, double beta2, double eps, double weightDecay) {
        float decay = (float) (1 - lr * weightDecay);
        float b1 = (float) beta1;
        float oneMinusB1 = (float) (1 - beta1);
        float b2 = (float) beta2;
        float oneMinusB2 = (float) (1 - beta2);
        double biasCorrection1 = 1 - Math.pow(beta1, t);
        float biasCorrection2Sqrt = (float) Math.sqrt(1 - Math.pow(beta2, t));
        float negStepSize = (float) -(lr / biasCorrection1);
        float e = (float) eps;
        for (int i = 0; i < len; i++) {
            int k = offset + i;
            float g = grads[k];
            float p = params[k] * decay;
            m[i] = m[i] * b1 + oneMinusB1 * g;
            v[i] = v[i] * b2 + oneMinusB2 * g * g;
            float denom = (float) Math.sqrt(v[i]) / biasCorrection2Sqrt + e;
            params[k] = p + negStepSize * m[i] / denom;
        }
    }
}
