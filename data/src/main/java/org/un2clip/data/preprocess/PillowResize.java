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
        return resizeRegion(in, outW, outH, 0, 0, outW, outH);
    }

    /**
     * The region (x0, y0, w, h) of {@code resize(in, outW, outH)}, computing only the pixels in it: every
     * output pixel of a pass depends only on its own weights, so this equals resizing and then cropping.
     */
    public static RgbImage resizeRegion(RgbImage in, int outW, int outH, int x0, int y0, int w, int h) {
        if (outW <= 0 || outH <= 0) {
            throw new IllegalArgumentException("bad target size " + outW + "x" + outH);
        }
        if (x0 < 0 || y0 < 0 || w <= 0 || h <= 0 || x0 + w > outW || y0 + h > outH) {
            throw new IllegalArgumentException("region " + x0 + "," + y0 + " " + w + "x" + h + " outside " + outW + "x" + outH);
        }
        boolean needHorizontal = outW != in.width();
        boolean needVertical = outH != in.height();
        // Weights only for the output rows/columns of the region: memory O(region), whatever the full size.
        Coefficients vert = needVertical ? Coefficients.of(in.height(), outH, y0, h) : null;
        // The source rows the vertical pass reads (as Pillow does, only those are resampled horizontally).
        int first = needVertical ? vert.bounds[0] : y0;
        int last = needVertical ? vert.bounds[(h - 1) * 2] + vert.bounds[(h - 1) * 2 + 1] : y0 + h;
        RgbImage rows = needHorizontal
                ? horizontal(in, Coefficients.of(in.width(), outW, x0, w), first, last - first)
                : crop(in, x0, first, w, last - first);
        return needVertical ? vertical(rows, vert, first) : rows;
    }

    private static RgbImage crop(RgbImage in, int x0, int y0, int w, int h) {
        byte[] out = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            System.arraycopy(in.rgb(), ((y + y0) * in.width() + x0) * 3, out, y * w * 3, w * 3);
        }
        return new RgbImage(w, h, out);
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

    /**
     * precompute_coeffs + normalize_coeffs_8bpc for output pixels [from, from+count) of a resize inSize → outSize:
     * per output pixel (indexed from 0 = pixel {@code from}), first input index, tap count, fixed-point weights.
     */
    static final class Coefficients {
        final int ksize;
        final int[] bounds;
        final int[] kk;

        private Coefficients(int ksize, int[] bounds, int[] kk) {
            this.ksize = ksize;
            this.bounds = bounds;
            this.kk = kk;
        }

        static Coefficients of(int inSize, int outSize, int from, int count) {
            double scale = (double) inSize / outSize;
            double filterscale = Math.max(scale, 1.0);
            double support = BICUBIC_SUPPORT * filterscale;
            int ksize = (int) Math.ceil(support) * 2 + 1;
            int[] bounds = new int[count * 2];
            int[] kk = new int[count * ksize];
            double[] k = new double[ksize];
            for (int i = 0; i < count; i++) {
                int xx = from + i;
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
                    kk[i * ksize + x] = w < 0 ? (int) (-0.5 + w * (1 << PRECISION_BITS)) : (int) (0.5 + w * (1 << PRECISION_BITS));
                }
                bounds[i * 2] = xmin;
                bounds[i * 2 + 1] = xmax;
            }
            return new Coefficients(ksize, bounds, kk);
        }
    }

    /** The horizontal pass for the columns {@code c} covers, over source rows [rowOffset, rowOffset+rows). */
    private static RgbImage horizontal(RgbImage in, Coefficients c, int rowOffset, int rows) {
        int w = c.bounds.length / 2;
        byte[] src = in.rgb();
        int inW = in.width();
        byte[] out = new byte[w * rows * 3];
        for (int yy = 0; yy < rows; yy++) {
            int rowBase = (yy + rowOffset) * inW * 3;
            for (int ox = 0; ox < w; ox++) {
                int xmin = c.bounds[ox * 2];
                int xmax = c.bounds[ox * 2 + 1];
                int kBase = ox * c.ksize;
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
                int d = (yy * w + ox) * 3;
                out[d] = clip8(ss0);
                out[d + 1] = clip8(ss1);
                out[d + 2] = clip8(ss2);
            }
        }
        return new RgbImage(w, rows, out);
    }

    /** The vertical pass for the rows {@code c} covers; {@code in} holds source rows from {@code firstRow} on. */
    private static RgbImage vertical(RgbImage in, Coefficients c, int firstRow) {
        int h = c.bounds.length / 2;
        byte[] src = in.rgb();
        int stride = in.width() * 3;
        byte[] out = new byte[stride * h];
        int[] acc = new int[stride];
        for (int oy = 0; oy < h; oy++) {
            int ymin = c.bounds[oy * 2] - firstRow;
            int ymax = c.bounds[oy * 2 + 1];
            int kBase = oy * c.ksize;
            // Row by row into integer accumulators: the same exact sums as Pillow's per-pixel loop.
            java.util.Arrays.fill(acc, 1 << (PRECISION_BITS - 1));
            for (int y = 0; y < ymax; y++) {
                int k = c.kk[kBase + y];
                int row = (y + ymin) * stride;
                for (int xx = 0; xx < stride; xx++) {
                    acc[xx] += (src[row + xx] & 0xFF) * k;
                }
            }
            int base = oy * stride;
            for (int xx = 0; xx < stride; xx++) {
                out[base + xx] = clip8(acc[xx]);
            }
        }
        return new RgbImage(in.width(), h, out);
    }

    private static byte clip8(int v) {
        int s = v >> PRECISION_BITS;
        return (byte) (s < 0 ? 0 : Math.min(s, 255));
    }
}
