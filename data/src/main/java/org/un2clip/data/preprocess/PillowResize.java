package org.un2clip.data.preprocess;

import org.un2clip.data.image.RgbImage;

/**
 * Pillow's {@code Image.resize(size, Image.BICUBIC)} on 8-bit RGB, bit for bit: a separable convolution,
 * horizontal pass then vertical, with the bicubic kernel (a = −0.5, support 2) stretched by the downscale
 * factor (antialiasing), weights normalised per output pixel and turned into 22-bit fixed point, and each
 * pass rounded (+½) and clipped to 0..255 — as in Pillow's {@code libImaging/Resample.c}.
 */
public final class PillowResize {
    private static final int PRECISION_BITS = 32 - 8 - 2;
    private static final double BICUBIC_SUPPORT = 2.0;

    private PillowResize() {
    }

    public static RgbImage resize(RgbImage in, int outW, int outH) {
        if (outW <= 0 || outH <= 0) {
            throw new IllegalArgumentException("bad target size " + outW + "x" + outH);
        }
        Coefficients horiz = Coefficients.of(in.width(), outW);
        Coefficients vert = Coefficients.of(in.height(), outH);
        RgbImage img = in;
        if (outW != in.width()) {
            // Only the source rows the vertical pass will read, as Pillow does.
            int first = vert.bounds[0];
            int last = vert.bounds[(outH - 1) * 2] + vert.bounds[(outH - 1) * 2 + 1];
            img = horizontal(img, outW, first, last - first, horiz);
            if (first != 0) {
                for (int i = 0; i < outH; i++) {
                    vert.bounds[i * 2] -= first;
                }
            }
        }
        if (outH != in.height()) {
            img = vertical(img, outH, vert);
        }
        return img == in ? new RgbImage(in.width(), in.height(), in.rgb().clone()) : img;
    }

    /** Pillow's bicubic_filter with a = −0.5. */
    static double bicubic(double x) {
        final double a = -0.5;
        if (x < 0.0) {
            x = -x;
        }
        if (x < 1.0) {
            return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        }
        if (x < 2.0) {
            return (((x - 5) * x + 8) * x - 4) * a;
        }
        return 0.0;
    }

    /** precompute_coeffs + normalize_coeffs_8bpc: per output pixel, first input index, tap count, fixed-point weights. */
    static final class Coefficients {
        final int ksize;
        final int[] bounds;
        final int[] kk;

        private Coefficients(int ksize, int[] bounds, int[] kk) {
            this.ksize = ksize;
            this.bounds = bounds;
            this.kk = kk;
        }

        static Coefficients of(int inSize, int outSize) {
            double scale = (double) inSize / outSize;
            double filterscale = Math.max(scale, 1.0);
            double support = BICUBIC_SUPPORT * filterscale;
            int ksize = (int) Math.ceil(support) * 2 + 1;
            int[] bounds = new int[outSize * 2];
            int[] kk = new int[outSize * ksize];
            double[] k = new double[ksize];
            for (int xx = 0; xx < outSize; xx++) {
                double center = (xx + 0.5) * scale;
                double ss = 1.0 / filterscale;
                int xmin = (int) (center - support + 0.5);
                if (xmin < 0) {
                    xmin = 0;
                }
                int xmax = (int) (center + support + 0.5);
                if (xmax > inSize) {
                    xmax = inSize;
                }
                xmax -= xmin;
                double ww = 0.0;
                for (int x = 0; x < xmax; x++) {
                    double w = bicubic((x + xmin - center + 0.5) * ss);
                    k[x] = w;
                    ww += w;
                }
                for (int x = 0; x < xmax; x++) {
                    double w = ww != 0.0 ? k[x] / ww : k[x];
                    kk[xx * ksize + x] = w < 0 ? (int) (-0.5 + w * (1 << PRECISION_BITS)) : (int) (0.5 + w * (1 << PRECISION_BITS));
                }
                bounds[xx * 2] = xmin;
                bounds[xx * 2 + 1] = xmax;
            }
            return new Coefficients(ksize, bounds, kk);
        }
    }

    private static RgbImage horizontal(RgbImage in, int outW, int rowOffset, int rows, Coefficients c) {
        byte[] src = in.rgb();
        int inW = in.width();
        byte[] out = new byte[outW * rows * 3];
        for (int yy = 0; yy < rows; yy++) {
            int rowBase = (yy + rowOffset) * inW * 3;
            for (int xx = 0; xx < outW; xx++) {
                int xmin = c.bounds[xx * 2];
                int xmax = c.bounds[xx * 2 + 1];
                int kBase = xx * c.ksize;
                int ss0 = 1 << (PRECISION_BITS - 1);
                int ss1 = ss0;
                int ss2 = ss0;
                for (int x = 0; x < xmax; x++) {
                    int k = c.kk[kBase + x];
                    int p = rowBase + (x + xmin) * 3;
                    ss0 += (src[p] & 0xFF) * k;
                    ss1 += (src[p + 1] & 0xFF) * k;
                    ss2 += (src[p + 2] & 0xFF) * k;
                }
                int d = (yy * outW + xx) * 3;
                out[d] = clip8(ss0);
                out[d + 1] = clip8(ss1);
                out[d + 2] = clip8(ss2);
            }
        }
        return new RgbImage(outW, rows, out);
    }

    private static RgbImage vertical(RgbImage in, int outH, Coefficients c) {
        byte[] src = in.rgb();
        int w = in.width();
        byte[] out = new byte[w * outH * 3];
        int stride = w * 3;
        for (int yy = 0; yy < outH; yy++) {
            int ymin = c.bounds[yy * 2];
            int ymax = c.bounds[yy * 2 + 1];
            int kBase = yy * c.ksize;
            for (int xx = 0; xx < stride; xx++) {
                int ss = 1 << (PRECISION_BITS - 1);
                for (int y = 0; y < ymax; y++) {
                    ss += (src[(y + ymin) * stride + xx] & 0xFF) * c.kk[kBase + y];
                }
                out[yy * stride + xx] = clip8(ss);
            }
        }
        return new RgbImage(w, outH, out);
    }

    private static byte clip8(int v) {
        int s = v >> PRECISION_BITS;
        return (byte) (s < 0 ? 0 : Math.min(s, 255));
    }
}
