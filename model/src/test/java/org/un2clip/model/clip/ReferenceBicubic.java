package org.un2clip.model.clip;

/**
 * PyTorch's antialiased bicubic resize ({@code F.interpolate(mode="bicubic", antialias=True, align_corners=False)},
 * the PIL-style kernel with a = −0.5 and weights renormalised over the pixels inside the image), in plain Java
 * for tests. It is what open_clip's {@code resize_pos_embed} uses.
 */
final class ReferenceBicubic {
    private static final double A = -0.5;

    private ReferenceBicubic() {}

    /** {@code grid} rows (g·g, width), row-major over (y, x) → (n·n, width). */
    static double[] resize(float[] grid, int g, int n, int width) {
        double[][] w = weights(g, n);
        int[] start = starts(g, n);
        double[] out = new double[n * n * width];
        for (int oy = 0; oy < n; oy++) {
            for (int ox = 0; ox < n; ox++) {
                for (int c = 0; c < width; c++) {
                    double s = 0;
                    for (int i = 0; i < w[oy].length; i++) {
                        for (int j = 0; j < w[ox].length; j++) {
                            s += w[oy][i] * w[ox][j] * grid[((start[oy] + i) * g + start[ox] + j) * width + c];
                        }
                    }
                    out[(oy * n + ox) * width + c] = s;
                }
            }
        }
        return out;
    }

    private static int[] starts(int in, int out) {
        int[] s = new int[out];
        double scale = (double) in / out;
        double support = 2 * Math.max(scale, 1);
        for (int i = 0; i < out; i++) {
            s[i] = (int) Math.max((long) (scale * (i + 0.5) - support + 0.5), 0);
        }
        return s;
    }

    private static double[][] weights(int in, int out) {
        double scale = (double) in / out;
        double support = 2 * Math.max(scale, 1);
        double invScale = scale >= 1 ? 1 / scale : 1;
        int[] start = starts(in, out);
        double[][] w = new double[out][];
        for (int i = 0; i < out; i++) {
            double center = scale * (i + 0.5);
            int size = (int) (Math.min((long) (center + support + 0.5), in) - start[i]);
            w[i] = new double[size];
            double total = 0;
            for (int j = 0; j < size; j++) {
                w[i][j] = filter((j + start[i] - center + 0.5) * invScale);
                total += w[i][j];
            }
            for (int j = 0; j < size; j++) {
                w[i][j] /= total;
            }
        }
        return w;
    }

    private static double filter(double x) {
        x = Math.abs(x);
        if (x < 1) {
            return ((A + 2) * x - (A + 3)) * x * x + 1;
        }
        return x < 2 ? (((x - 5) * x + 8) * x - 4) * A : 0;
    }
}
