package org.un2clip.model.unclip;

/**
 * A discrete noise schedule: betas and the cumulative-product tables ldm registers as buffers. Computed in
 * double (numpy float64 upstream) and stored as float32, exactly as upstream's {@code to_torch(...)} does;
 * every lookup (q_sample, v target) uses the float32 tables.
 */
public record DiffusionSchedule(float[] betas, float[] alphasCumprod, float[] sqrtAlphasCumprod,
                                float[] sqrtOneMinusAlphasCumprod) {

    public int timesteps() {
        return betas.length;
    }

    /**
     * ldm {@code "linear"} (diffusers {@code scaled_linear}): {@code betas = linspace(√start, √end, n)²}
     * in float64, with torch's two-sided linspace (from the start for the first half, from the end after).
     */
    public static DiffusionSchedule scaledLinear(double linearStart, double linearEnd, int n) {
        double a = Math.sqrt(linearStart);
        double b = Math.sqrt(linearEnd);
        double step = (b - a) / (n - 1);
        double[] betas = new double[n];
        int halfway = n / 2;
        for (int i = 0; i < n; i++) {
            double s = i < halfway ? a + step * i : b - step * (n - 1 - i);
            betas[i] = s * s;
        }
        return fromBetas(betas);
    }

    /**
     * {@code squaredcos_cap_v2} (Nichol &amp; Dhariwal cosine): {@code ᾱ(s) = cos((s+0.008)/1.008·π/2)²},
     * {@code betas[i] = min(1 − ᾱ((i+1)/n)/ᾱ(i/n), 0.999)}, in Python float math.
     */
    public static DiffusionSchedule squaredCosCapV2(int n) {
        double[] betas = new double[n];
        for (int i = 0; i < n; i++) {
            double t1 = (double) i / n;
            double t2 = (double) (i + 1) / n;
            betas[i] = Math.min(1 - alphaBar(t2) / alphaBar(t1), 0.999);
        }
        return fromBetas(betas);
    }

    /** Builds a schedule by its ldm name ({@code linear}/{@code scaled_linear}, {@code squaredcos_cap_v2}). */
    public static DiffusionSchedule named(String name, int n, double linearStart, double linearEnd) {
        return switch (name) {
            case "linear", "scaled_linear" -> scaledLinear(linearStart, linearEnd, n);
            case "squaredcos_cap_v2" -> squaredCosCapV2(n);
            default -> throw new IllegalArgumentException("unknown beta schedule '" + name
                    + "' (known: linear, scaled_linear, squaredcos_cap_v2)");
        };
    }

    private static double alphaBar(double s) {
        double c = Math.cos((s + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }

    private static DiffusionSchedule fromBetas(double[] betas) {
        int n = betas.length;
        float[] b = new float[n];
        float[] ac = new float[n];
        float[] sac = new float[n];
        float[] s1mac = new float[n];
        double cumprod = 1;
        for (int i = 0; i < n; i++) {
            cumprod *= 1 - betas[i];
            b[i] = (float) betas[i];
            ac[i] = (float) cumprod;
            sac[i] = (float) Math.sqrt(cumprod);
            s1mac[i] = (float) Math.sqrt(1 - cumprod);
        }
        return new DiffusionSchedule(b, ac, sac, s1mac);
    }

    /** The float32 √ᾱ_t per sample, for broadcasting in q_sample. */
    public float[] sqrtAlphasCumprodAt(long[] t) {
        return gather(sqrtAlphasCumprod, t);
    }

    public float[] sqrtOneMinusAlphasCumprodAt(long[] t) {
        return gather(sqrtOneMinusAlphasCumprod, t);
    }

    private float[] gather(float[] table, long[] t) {
        float[] out = new float[t.length];
        for (int i = 0; i < t.length; i++) {
            if (t[i] < 0 || t[i] >= table.length) {
                throw new IllegalArgumentException("timestep " + t[i] + " outside [0, " + table.length + ")");
            }
            out[i] = table[(int) t[i]];
        }
        return out;
    }
}
