package org.un2clip.data.preprocess;

/**
 * {@code kornia.geometry.resize(x, (n, n), interpolation="bicubic", align_corners=True, antialias=...)} on a
 * CHW float image, as Stability's CLIP embedders call it: when shrinking with antialias, a Gaussian blur
 * first (σ = max((factor − 1) / 2, 0.001), kernel size int(max(4σ, 3)) made odd, reflect padding, kernel
 * normalised to sum 1), then torch's bicubic interpolation (a = −0.75, align_corners, edge-clamped taps).
 */
public final class KorniaResize {
    private static final float A = -0.75f;

    private KorniaResize() {
    }

    public static float[] resize(float[] chw, int channels, int inH, int inW, int outH, int outW, boolean antialias) {
        float[] src = chw;
        if (antialias && (outH < inH || outW < inW)) {
            double sigmaY = Math.max(((double) inH / outH - 1.0) / 2.0, 0.001);
            double sigmaX = Math.max(((double) inW / outW - 1.0) / 2.0, 0.001);
            src = blur(chw, channels, inH, inW, kernel(sigmaY), kernel(sigmaX));
        }
        return bicubic(src, channels, inH, inW, outH, outW);
    }

    /** kornia's get_gaussian_kernel1d for the size its resize picks. */
    static float[] kernel(double sigma) {
        int ks = (int) Math.max(2.0 * 2 * sigma, 3);
        if (ks % 2 == 0) {
            ks++;
        }
        float[] k = new float[ks];
        float sum = 0;
        float twoSigma2 = (float) (2 * sigma * sigma);
        for (int i = 0; i < ks; i++) {
            float x = i - ks / 2;
            k[i] = (float) Math.exp(-(x * x) / twoSigma2);
            sum += k[i];
        }
        for (int i = 0; i < ks; i++) {
            k[i] /= sum;
        }
        return k;
    }

    /** Separable convolution with reflect padding (torch's "reflect": the edge pixel is not repeated). */
    static float[] blur(float[] in, int channels, int h, int w, float[] ky, float[] kx) {
        float[] tmp = new float[in.length];
        float[] out = new float[in.length];
        int ry = ky.length / 2;
        int rx = kx.length / 2;
        for (int c = 0; c < channels; c++) {
            int base = c * h * w;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    float s = 0;
                    for (int i = 0; i < kx.length; i++) {
                        s += kx[i] * in[base + y * w + reflect(x + i - rx, w)];
                    }
                    tmp[base + y * w + x] = s;
                }
            }
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    float s = 0;
                    for (int i = 0; i < ky.length; i++) {
                        s += ky[i] * tmp[base + reflect(y + i - ry, h) * w + x];
                    }
                    out[base + y * w + x] = s;
                }
            }
        }
        return out;
    }

    static int reflect(int i, int n) {
        if (n == 1) {
            return 0;
        }
        int period = 2 * (n - 1);
        int m = Math.floorMod(i, period);
        return m < n ? m : period - m;
    }

    /** torch.nn.functional.interpolate(mode="bicubic", align_corners=True). */
    static float[] bicubic(float[] in, int channels, int inH, int inW, int outH, int outW) {
        float[] out = new float[channels * outH * outW];
        float scaleY = outH > 1 ? (float) (inH - 1) / (outH - 1) : 0f;
        float scaleX = outW > 1 ? (float) (inW - 1) / (outW - 1) : 0f;
        int[] x0 = new int[outW];
        float[][] wx = new float[outW][];
        for (int x = 0; x < outW; x++) {
            float real = scaleX * x;
            x0[x] = (int) Math.floor(real);
            wx[x] = weights(real - x0[x]);
        }
        for (int c = 0; c < channels; c++) {
            int base = c * inH * inW;
            for (int y = 0; y < outH; y++) {
                float realY = scaleY * y;
                int y0 = (int) Math.floor(realY);
                float[] wy = weights(realY - y0);
                for (int x = 0; x < outW; x++) {
                    float acc = 0;
                    for (int j = 0; j < 4; j++) {
                        int yy = clamp(y0 - 1 + j, inH);
                        float row = 0;
                        for (int i = 0; i < 4; i++) {
                            row += wx[x][i] * in[base + yy * inW + clamp(x0[x] - 1 + i, inW)];
                        }
                        acc += wy[j] * row;
                    }
                    out[c * outH * outW + y * outW + x] = acc;
                }
            }
        }
        return out;
    }

    private static float[] weights(float t) {
        return new float[] {cubic2(t + 1f), cubic1(t), cubic1(1f - t), cubic2(2f - t)};
    }

    private static float cubic1(float x) {
        return ((A + 2) * x - (A + 3)) * x * x + 1;
    }

    private static float cubic2(float x) {
        return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
    }

    private static int clamp(int i, int n) {
        return Math.max(0, Math.min(n - 1, i));
    }
}
