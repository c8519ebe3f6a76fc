package org.un2clip.data.preprocess;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.un2clip.data.TestImages;
import org.un2clip.data.image.RgbImage;

/**
 * Pillow's bicubic resize against (a) values worked out by hand from Resample.c's definition and (b) an
 * independent, straightforward double-precision implementation of the same definition: every output pixel
 * is the normalised sum over all input pixels of the a = −0.5 cubic kernel stretched by the downscale
 * factor, rounded and clipped after each (horizontal, then vertical) pass.
 */
class PillowResizeTest {

    @Test
    void handComputedDownscale() {
        // 4 -> 2: scale 2, support 4; weights for output 0: k(-0.25/2*2...) = .8671875, .8671875, .2265625, -.0703125 (sum 1.890625)
        // out0 = 255 * (.2265625 - .0703125) / 1.890625 = 21.07 -> 21; out1 = 255 * 1.734375 / 1.890625 = 233.9 -> 234.
        RgbImage out = PillowResize.resize(row(0, 0, 255, 255), 2, 1);
        assertThat(grey(out)).containsExactly(21, 234);
    }

    @Test
    void handComputedUpscale() {
        // 2 -> 4: support 2; out0 = 255 * -.0703125 / .796875 < 0 -> 0; out1 = 255 * .2265625 / 1.09375 = 52.8 -> 53;
        // out2 = 255 * .8671875 / 1.09375 = 202.2 -> 202; out3 = 255 * .8671875 / .796875 = 277.5 -> 255.
        RgbImage out = PillowResize.resize(row(0, 255), 4, 1);
        assertThat(grey(out)).containsExactly(0, 53, 202, 255);
    }

    @Test
    void kernelMatchesTheKeysCubicWithMinusHalf() {
        assertThat(PillowResize.bicubic(0)).isEqualTo(1.0);
        assertThat(PillowResize.bicubic(0.25)).isEqualTo(0.8671875);
        assertThat(PillowResize.bicubic(-0.75)).isEqualTo(0.2265625);
        assertThat(PillowResize.bicubic(1.25)).isEqualTo(-0.0703125);
        assertThat(PillowResize.bicubic(1.0)).isEqualTo(0.0);
        assertThat(PillowResize.bicubic(2.0)).isEqualTo(0.0);
    }

    @ParameterizedTest
    @CsvSource({"37,23,11,17", "500,375,298,224", "64,48,224,168", "13,13,13,5", "7,9,20,3", "300,200,224,224", "5,400,2,120"})
    void matchesAnIndependentDoubleReferenceWithinOneLevel(int w, int h, int ow, int oh) {
        RgbImage in = TestImages.random(w, h, 31L * w + h);
        RgbImage fast = PillowResize.resize(in, ow, oh);
        RgbImage ref = reference(in, ow, oh);
        int max = 0;
        for (int i = 0; i < fast.rgb().length; i++) {
            max = Math.max(max, Math.abs((fast.rgb()[i] & 0xFF) - (ref.rgb()[i] & 0xFF)));
        }
        assertThat(fast.width()).isEqualTo(ow);
        assertThat(fast.height()).isEqualTo(oh);
        assertThat(max).as("max |fixed point - double reference|").isLessThanOrEqualTo(1);
    }

    @Test
    void regionEqualsCroppingTheFullResize() {
        RgbImage in = TestImages.random(50, 37, 4);
        for (int[] size : new int[][] {{67, 50}, {20, 15}, {50, 90}, {31, 37}}) {
            RgbImage full = PillowResize.resize(in, size[0], size[1]);
            RgbImage region = PillowResize.resizeRegion(in, size[0], size[1], 3, 5, size[0] - 7, size[1] - 9);
            for (int y = 0; y < region.height(); y++) {
                for (int x = 0; x < region.width(); x++) {
                    for (int c = 0; c < 3; c++) {
                        assertThat(region.get(x, y, c)).isEqualTo(full.get(x + 3, y + 5, c));
                    }
                }
            }
        }
    }

    @Test
    void sameSizeIsACopy() {
        RgbImage in = TestImages.random(5, 4, 9);
        RgbImage out = PillowResize.resize(in, 5, 4);
        assertThat(out).isEqualTo(in);
        assertThat(out.rgb()).isNotSameAs(in.rgb());
    }

    // ---- the independent reference ----

    static double keys(double x) {
        double a = -0.5;
        double t = Math.abs(x);
        if (t < 1) {
            return (a + 2) * t * t * t - (a + 3) * t * t + 1;
        }
        if (t < 2) {
            return a * t * t * t - 5 * a * t * t + 8 * a * t - 4 * a;
        }
        return 0;
    }

    /** weights[o][i]: contribution of input i to output o. */
    static double[][] weights(int in, int out) {
        double scale = (double) in / out;
        double stretch = Math.max(1.0, scale);
        double[][] w = new double[out][in];
        for (int o = 0; o < out; o++) {
            double center = (o + 0.5) * scale;
            double sum = 0;
            for (int i = 0; i < in; i++) {
                w[o][i] = keys((i + 0.5 - center) / stretch);
                sum += w[o][i];
            }
            for (int i = 0; i < in; i++) {
                w[o][i] /= sum;
            }
        }
        return w;
    }

    static int roundClip(double v) {
        return (int) Math.max(0, Math.min(255, Math.floor(v + 0.5)));
    }

    static RgbImage reference(RgbImage in, int ow, int oh) {
        int w = in.width();
        int h = in.height();
        int[][][] px = new int[h][w][3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    px[y][x][c] = in.get(x, y, c);
                }
            }
        }
        // Horizontal pass, then the vertical one as a horizontal pass over the transposed image.
        if (ow != w) {
            px = resampleRows(px, ow);
        }
        if (oh != h) {
            px = transpose(resampleRows(transpose(px), oh));
        }
        byte[] rgb = new byte[ow * oh * 3];
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                for (int c = 0; c < 3; c++) {
                    rgb[(y * ow + x) * 3 + c] = (byte) px[y][x][c];
                }
            }
        }
        return new RgbImage(ow, oh, rgb);
    }

    /** Every row resampled to {@code out} pixels, each value rounded and clipped to 0..255. */
    static int[][][] resampleRows(int[][][] px, int out) {
        int in = px[0].length;
        double[][] k = weights(in, out);
        int[][][] next = new int[px.length][out][3];
        for (int y = 0; y < px.length; y++) {
            for (int o = 0; o < out; o++) {
                for (int c = 0; c < 3; c++) {
                    double s = 0;
                    for (int x = 0; x < in; x++) {
                        s += k[o][x] * px[y][x][c];
                    }
                    next[y][o][c] = roundClip(s);
                }
            }
        }
        return next;
    }

    static int[][][] transpose(int[][][] px) {
        int[][][] t = new int[px[0].length][px.length][];
        for (int y = 0; y < px.length; y++) {
            for (int x = 0; x < px[0].length; x++) {
                t[x][y] = px[y][x];
            }
        }
        return t;
    }

    static RgbImage row(int... grey) {
        byte[] rgb = new byte[grey.length * 3];
        for (int i = 0; i < grey.length; i++) {
            rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = (byte) grey[i];
        }
        return new RgbImage(grey.length, 1, rgb);
    }

    static int[] grey(RgbImage img) {
        int[] out = new int[img.width() * img.height()];
        for (int i = 0; i < out.length; i++) {
            out[i] = img.rgb()[3 * i] & 0xFF;
        }
        return out;
    }
}
