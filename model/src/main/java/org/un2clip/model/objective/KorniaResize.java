package org.un2clip.model.objective;

/**
 * Stable unCLIP's CLIP-branch resize, {@code kornia.geometry.resize(x, size, interpolation='bicubic',
 * align_corners=True, antialias=True)}, in plain Java on (B, C, H, W) row-major floats:
 * <ol>
 *   <li>anti-aliasing: Gaussian blur with σ = max((in/out − 1)/2, 0.001) per axis, kernel size
 *       int(max(4σ, 3)) made odd, normalised, reflect padding (kornia {@code gaussian_blur2d});</li>
 *   <li>PyTorch bicubic interpolation with {@code align_corners=True} (cubic convolution, A = −0.75, border taps
 *       clamped): source coordinate {@code i·(in−1)/(out−1)}.</li>
 * </ol>
 * Computed in double and rounded to float once (upstream runs float32 ops; differences are rounding-level).
 * The image carries no gradient, so this runs outside the graph.
 */
public final class KorniaResize {
    private static final double A = -0.75;

    private KorniaResize() {}

    public static float[] resize(float[] image, int batch, int channels, int h, int w, int outH, int outW) {
        if (image.length != batch * channels * h * w) {
            throw new IllegalArgumentException("resize: " + image.length + " values do not make (" + batch + ", " + channels
                    + ", " + h + ", " + w + ")");
        }
        double[] ky = gaussian((double) h / outH);
        double[] kx = gaussian((double) w / outW);
        Taps ty = bicubic(h, outH);
        Taps tx = bicubic(w, outW);
        float[] out = new float[batch * channels * outH * outW];
        double[] plane = new double[h * w];
        double[] tmp = new double[h * w];
        double[] rows = new double[outH * w];
        for (int p = 0; p < batch * channels; p++) {
            for (int i = 0; i < h * w; i++) {
                plane[i] = image[p * h * w + i];
            }
            // separable blur: along x into tmp, then along y back into plane
            convolve(plane, tmp, h, w, kx, true);
            convolve(tmp, plane, h, w, ky, false);
            // bicubic: along y (rows), then along x
            for (int oy = 0; oy < outH; oy++) {
                for (int x = 0; x < w; x++) {
                    double s = 0;
                    for (int k = 0; k < 4; k++) {
                        s += ty.weights[oy][k] * plane[ty.index[oy][k] * w + x];
                    }
                    rows[oy * w + x] = s;
                }
            }
            for (int oy = 0; oy < outH; oy++) {
                for (int ox = 0; ox < outW; ox++) {
                    double s = 0;
                    for (int k = 0; k < 4; k++) {
                        s += tx.weights[ox][k] * rows[oy * w + tx.index[ox][k]];
                    }
                    out[(p * outH + oy) * outW + ox] = (float) s;
                }
            }
        }
        return out;
    }

    /** kornia get_gaussian_kernel1d for the anti-aliasing σ of a scale factor. */
    static double[] gaussian(double factor) {
        double sigma = Math.max((factor - 1.0) / 2.0, 0.001);
        int ks = (int) Math.max(2.0 * 2 * sigma, 3);
        if (ks % 2 == 0) {
            ks++;
        }
        double[] k = new double[ks];
        double sum = 0;
        for (int i = 0; i < ks; i++) {
            double x = i - ks / 2;
            k[i] = Math.exp(-x * x / (2 * sigma * sigma));
            sum += k[i];
        }
        for (int i = 0; i < ks; i++) {
            k[i] /= sum;
        }
        return k;
    }

    /** 1-D correlation along x (or y) with reflect padding ({@code F.pad(mode='reflect')}: the edge is not repeated). */
    private static void convolve(double[] in, double[] out, int h, int w, double[] k, boolean alongX) {
        int r = k.length / 2;
        int n = alongX ? w : h;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int pos = alongX ? x : y;
                double s = 0;
                for (int j = 0; j < k.length; j++) {
                    int q = reflect(pos + j - r, n);
                    s += k[j] * (alongX ? in[y * w + q] : in[q * w + x]);
                }
                out[y * w + x] = s;
            }
        }
    }

    static int reflect(int i, int n) {
        if (n == 1) {
            return 0;
        }
        while (i < 0 || i >= n) {
            i = i < 0 ? -i : 2 * (n - 1) - i;
        }
        return i;
    }

    private record Taps(int[][] index, double[][] weights) {}

    /** Source taps and cubic-convolution weights of torch's bicubic with align_corners=True. */
    private static Taps bicubic(int in, int out) {
        int[][] index = new int[out][4];
        double[][] weights = new double[out][4];
        double scale = out > 1 ? (double) (in - 1) / (out - 1) : 0;
        for (int o = 0; o < out; o++) {
            double src = o * scale;
            int x0 = (int) Math.floor(src);
            double t = src - x0;
            weights[o][0] = ((A * (t + 1) - 5 * A) * (t + 1) + 8 * A) * (t + 1) - 4 * A;
            weights[o][1] = ((A + 2) * t - (A + 3)) * t * t + 1;
            weights[o][2] = ((A + 2) * (1 - t) - (A + 3)) * (1 - t) * (1 - t) + 1;
            weights[o][3] = ((A * (2 - t) - 5 * A) * (2 - t) + 8 * A) * (2 - t) - 4 * A;
            for (int k = 0; k < 4; k++) {
                index[o][k] = Math.min(Math.max(x0 - 1 + k, 0), in - 1);
            }
        }
        return new Taps(index, weights);
    }
}
