package org.un2clip.model.clip;

import java.util.Map;

/**
 * The test oracle: OpenAI CLIP's towers for ONE sample written directly from clip/model.py in plain Java double
 * arithmetic (no DJL, no shared code with the implementation). Weights are looked up by upstream name.
 */
final class ReferenceClip {
    private final Map<String, float[]> w;

    ReferenceClip(Map<String, float[]> weights) {
        this.w = weights;
    }

    /** Vision: pixels (3, R, R) flattened → {tokens (N, width) flattened, embedding (output_dim)}. */
    double[][] vision(ClipVisionConfig c, float[] pixels) {
        int width = c.width();
        int g = c.grid();
        int p = c.patch();
        int r = c.resolution();
        int n = c.tokens();
        double[][] x = new double[n][width];
        float[] conv = w.get("conv1.weight");
        for (int gy = 0; gy < g; gy++) {
            for (int gx = 0; gx < g; gx++) {
                for (int o = 0; o < width; o++) {
                    double s = 0;
                    for (int ch = 0; ch < 3; ch++) {
                        for (int ky = 0; ky < p; ky++) {
                            for (int kx = 0; kx < p; kx++) {
                                s += (double) conv[((o * 3 + ch) * p + ky) * p + kx]
                                        * pixels[(ch * r + gy * p + ky) * r + gx * p + kx];
                            }
                        }
                    }
                    x[1 + gy * g + gx][o] = s;
                }
            }
        }
        float[] cls = w.get("class_embedding");
        float[] pos = w.get("positional_embedding");
        for (int t = 0; t < n; t++) {
            for (int i = 0; i < width; i++) {
                x[t][i] = (t == 0 ? cls[i] : x[t][i]) + pos[t * width + i];
            }
        }
        x = layerNorm(x, "ln_pre");
        x = transformer(x, c.layers(), c.heads(), c.activation(), false);
        double[] pooled = layerNorm(new double[][] {x[0]}, "ln_post")[0];
        double[] emb = matVec(pooled, w.get("proj"), c.outputDim());
        return new double[][] {flatten(x), emb};
    }

    /** Text: ids (ctx) → {ln_final(x) (ctx, width) flattened, embedding (output_dim)}. */
    double[][] text(ClipTextConfig c, long[] ids) {
        int width = c.width();
        int n = c.contextLength();
        float[] tok = w.get("token_embedding.weight");
        float[] pos = w.get("positional_embedding");
        double[][] x = new double[n][width];
        int eot = 0;
        for (int t = 0; t < n; t++) {
            for (int i = 0; i < width; i++) {
                x[t][i] = (double) tok[(int) ids[t] * width + i] + pos[t * width + i];
            }
            if (ids[t] > ids[eot]) {
                eot = t;
            }
        }
        x = transformer(x, c.layers(), c.heads(), c.activation(), true);
        x = layerNorm(x, "ln_final");
        double[] emb = matVec(x[eot], w.get("text_projection"), c.outputDim());
        return new double[][] {flatten(x), emb};
    }

    private double[][] transformer(double[][] x, int layers, int heads, Activation act, boolean causal) {
        for (int l = 0; l < layers; l++) {
            String b = "transformer.resblocks." + l + ".";
            double[][] a = attention(layerNorm(x, b + "ln_1"), b + "attn.", heads, causal);
            x = add(x, a);
            double[][] h = linear(layerNorm(x, b + "ln_2"), b + "mlp.c_fc");
            for (double[] row : h) {
                for (int i = 0; i < row.length; i++) {
                    row[i] = act == Activation.GELU ? gelu(row[i]) : row[i] / (1 + Math.exp(-1.702 * row[i]));
                }
            }
            x = add(x, linear(h, b + "mlp.c_proj"));
        }
        return x;
    }

    private double[][] attention(double[][] x, String prefix, int heads, boolean causal) {
        int n = x.length;
        int width = x[0].length;
        int hd = width / heads;
        double[][] qkv = linear(x, w.get(prefix + "in_proj_weight"), w.get(prefix + "in_proj_bias"));
        double[][] merged = new double[n][width];
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < n; i++) {
                double[] s = new double[n];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < n; j++) {
                    if (causal && j > i) {
                        s[j] = Double.NEGATIVE_INFINITY;
                        continue;
                    }
                    double d = 0;
                    for (int e = 0; e < hd; e++) {
                        d += qkv[i][h * hd + e] * qkv[j][width + h * hd + e];
                    }
                    s[j] = d / Math.sqrt(hd);
                    max = Math.max(max, s[j]);
                }
                double z = 0;
                for (int j = 0; j < n; j++) {
                    s[j] = Math.exp(s[j] - max);
                    z += s[j];
                }
                for (int j = 0; j < n; j++) {
                    for (int e = 0; e < hd; e++) {
                        merged[i][h * hd + e] += s[j] / z * qkv[j][2 * width + h * hd + e];
                    }
                }
            }
        }
        return linear(merged, prefix + "out_proj");
    }

    private double[][] layerNorm(double[][] x, String name) {
        float[] g = w.get(name + ".weight");
        float[] b = w.get(name + ".bias");
        double[][] y = new double[x.length][];
        for (int t = 0; t < x.length; t++) {
            int d = x[t].length;
            double mean = 0;
            for (double v : x[t]) {
                mean += v;
            }
            mean /= d;
            double var = 0;
            for (double v : x[t]) {
                var += (v - mean) * (v - mean);
            }
            var /= d;
            y[t] = new double[d];
            for (int i = 0; i < d; i++) {
                y[t][i] = (x[t][i] - mean) / Math.sqrt(var + 1e-5) * g[i] + b[i];
            }
        }
        return y;
    }

    private double[][] linear(double[][] x, String name) {
        return linear(x, w.get(name + ".weight"), w.get(name + ".bias"));
    }

    private static double[][] linear(double[][] x, float[] weight, float[] bias) {
        int out = bias.length;
        int in = x[0].length;
        double[][] y = new double[x.length][out];
        for (int t = 0; t < x.length; t++) {
            for (int o = 0; o < out; o++) {
                double s = bias[o];
                for (int i = 0; i < in; i++) {
                    s += (double) weight[o * in + i] * x[t][i];
                }
                y[t][o] = s;
            }
        }
        return y;
    }

    /** v @ m with m (v.length, cols) row-major. */
    private static double[] matVec(double[] v, float[] m, int cols) {
        double[] y = new double[cols];
        for (int i = 0; i < v.length; i++) {
            for (int j = 0; j < cols; j++) {
                y[j] += v[i] * m[i * cols + j];
            }
        }
        return y;
    }

    private static double[][] add(double[][] a, double[][] b) {
        double[][] y = new double[a.length][a[0].length];
        for (int t = 0; t < a.length; t++) {
            for (int i = 0; i < a[0].length; i++) {
                y[t][i] = a[t][i] + b[t][i];
            }
        }
        return y;
    }

    static double[] flatten(double[][] x) {
        double[] y = new double[x.length * x[0].length];
        for (int t = 0; t < x.length; t++) {
            System.arraycopy(x[t], 0, y, t * x[0].length, x[0].length);
        }
        return y;
    }

    /** Exact GELU 0.5·x·(1 + erf(x/√2)). */
    private static double gelu(double x) {
        return 0.5 * x * (1 + erf(x / Math.sqrt(2)));
    }

    /** erf to ~1e-15 via its Taylor series (|x| < 3) or the continued-fraction tail. */
    static double erf(double x) {
        double ax = Math.abs(x);
        double r;
        if (ax < 3) {
            double term = ax;
            double sum = ax;
            double x2 = ax * ax;
            for (int k = 1; k < 200; k++) {
                term *= -x2 / k;
                double add = term / (2 * k + 1);
                sum += add;
                if (Math.abs(add) < 1e-17 * Math.abs(sum)) {
                    break;
                }
            }
            r = 2 / Math.sqrt(Math.PI) * sum;
        } else {
            // erfc continued fraction (Lentz), converges fast for x >= 3.
            double f = ax;
            double cf = 0;
            for (int k = 60; k >= 1; k--) {
                cf = k / 2.0 / (ax + cf);
            }
            f = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + cf);
            r = 1 - f;
        }
        return x < 0 ? -r : r;
    }
}
