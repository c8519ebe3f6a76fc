package org.un2clip.data.preprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.un2clip.data.TestImages;
import org.un2clip.data.image.RgbImage;

/** The CLIP, VAE and Stability CLIP branches: geometry as torchvision, values as ToTensor/Normalize, kornia's resize. */
class BranchesTest {

    @Test
    void resizeShorterSideThenCenterCropAsTorchvision() {
        RgbImage in = TestImages.random(500, 375, 5);
        RgbImage out = ResizeCrop.apply(in, 224);
        // Resize(224): 500x375 -> int(224 * 500 / 375) = 298 x 224; crop left = round((298 - 224) / 2) = 37.
        RgbImage resized = PillowResize.resize(in, 298, 224);
        assertThat(out.width()).isEqualTo(224);
        assertThat(out.get(0, 0, 0)).isEqualTo(resized.get(37, 0, 0));
        assertThat(out.get(223, 223, 2)).isEqualTo(resized.get(37 + 223, 223, 2));
    }

    @Test
    void elongatedImagesResizeInBoundedMemoryAndAbsurdOnesAreRefused() {
        // 2 x 5000 -> Resize(224) is 224 x 560000: only the 224 x 224 crop (and its weights) is computed.
        RgbImage tall = TestImages.random(2, 5000, 8);
        RgbImage out = ResizeCrop.apply(tall, 224);
        assertThat(out.width()).isEqualTo(224);
        RgbImage full = PillowResize.resizeRegion(tall, 224, 560_000, 0, 279_888, 224, 224);
        assertThat(out).isEqualTo(full);
        RgbImage needle = TestImages.random(1, 2_000_000, 9);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ResizeCrop.apply(needle, 224))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("aspect ratio");
    }

    @Test
    void centerCropRoundsHalfToEvenLikePython() {
        RgbImage odd = TestImages.random(224, 225, 1);
        assertThat(ResizeCrop.apply(odd, 224).get(5, 0, 1)).isEqualTo(odd.get(5, 0, 1)); // round(0.5) = 0
        RgbImage three = TestImages.random(224, 227, 2);
        assertThat(ResizeCrop.apply(three, 224).get(5, 0, 1)).isEqualTo(three.get(5, 2, 1)); // round(1.5) = 2
        RgbImage five = TestImages.random(224, 229, 3);
        assertThat(ResizeCrop.apply(five, 224).get(5, 0, 1)).isEqualTo(five.get(5, 2, 1)); // round(2.5) = 2
    }

    @Test
    void openAiClipNormalisesInFloat32() {
        RgbImage grey = constant(300, 200, 128);
        float[] x = ImagePreprocessor.single(grey, new PixelView.OpenAiClip(224));
        assertThat(x).hasSize(3 * 224 * 224);
        for (int c = 0; c < 3; c++) {
            float expected = (128 / 255f - ClipNormalization.MEAN[c]) / ClipNormalization.STD[c];
            assertThat(x[c * 224 * 224 + 1000]).isEqualTo(expected);
        }
    }

    @Test
    void vaeBranchIsMinusOneToOne() {
        float[] x = ImagePreprocessor.single(constant(40, 30, 255), new PixelView.Vae(16));
        assertThat(x).containsOnly(1f);
        float[] y = ImagePreprocessor.single(constant(40, 30, 0), new PixelView.Vae(16));
        assertThat(y).containsOnly(-1f);
    }

    @Test
    void korniaKernelAndReflectPadding() {
        // 768 -> 224: factor 3.43, sigma 1.214, kernel size int(4.857) = 4, made odd: 5.
        float[] k = KorniaResize.kernel((768.0 / 224 - 1) / 2);
        assertThat(k).hasSize(5);
        float sum = 0;
        for (float v : k) {
            sum += v;
        }
        assertThat(sum).isCloseTo(1f, within(1e-6f));
        assertThat(k[0]).isEqualTo(k[4]);
        assertThat(k[2]).isGreaterThan(k[1]);
        assertThat(new int[] {KorniaResize.reflect(-1, 5), KorniaResize.reflect(-2, 5), KorniaResize.reflect(5, 5), KorniaResize.reflect(6, 5)})
                .containsExactly(1, 2, 3, 2);
    }

    @Test
    void blurMatchesADirectTwoDimensionalGaussianWithReflectPadding() {
        int h = 11;
        int w = 14;
        float[] img = new float[h * w];
        java.util.Random r = new java.util.Random(3);
        for (int i = 0; i < img.length; i++) {
            img[i] = r.nextFloat() * 2 - 1;
        }
        double sigma = 1.2142857;
        float[] k = KorniaResize.kernel(sigma);
        float[] fast = KorniaResize.blur(img, 1, h, w, k, k);
        // Independently: the 2-D kernel exp(-(dx² + dy²) / 2σ²), normalised, padded by reflection (numpy "reflect").
        int rad = 2;
        double norm = 0;
        for (int dy = -rad; dy <= rad; dy++) {
            for (int dx = -rad; dx <= rad; dx++) {
                norm += Math.exp(-(dx * dx + dy * dy) / (2 * sigma * sigma));
            }
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double s = 0;
                for (int dy = -rad; dy <= rad; dy++) {
                    for (int dx = -rad; dx <= rad; dx++) {
                        int yy = Math.abs(y + dy) >= h ? 2 * (h - 1) - (y + dy) : Math.abs(y + dy);
                        int xx = Math.abs(x + dx) >= w ? 2 * (w - 1) - (x + dx) : Math.abs(x + dx);
                        s += Math.exp(-(dx * dx + dy * dy) / (2 * sigma * sigma)) / norm * img[yy * w + xx];
                    }
                }
                assertThat((double) fast[y * w + x]).as("(%d, %d)", x, y).isCloseTo(s, within(2e-6));
            }
        }
    }

    @Test
    void torchBicubicAlignCornersHandValues() {
        // 1-D [0, 1, 0, 0] -> 7 with align_corners: out[1] sits at 0.5: weights (-.09375, .59375, .59375, -.09375)
        // on inputs (in[0] clamped, in[0], in[1], in[2]) = (0, 0, 1, 0) -> .59375; out[2] sits on in[1] exactly.
        float[] out = KorniaResize.resize(new float[] {0, 1, 0, 0}, 1, 1, 4, 1, 7, false);
        assertThat(out[1]).isEqualTo(0.59375f);
        assertThat(out[2]).isEqualTo(1f);
        assertThat(out[0]).isEqualTo(0f);
        assertThat(out[6]).isEqualTo(0f);
    }

    @Test
    void stabilityBranchOfAConstantImageIsTheNormalisedConstant() {
        RgbImage grey = constant(100, 80, 51);
        PixelView.StabilityClip view = new PixelView.StabilityClip(64, 24, true);
        float[][] out = {new float[new PixelView.Vae(64).length()], new float[view.length()]};
        new ImagePreprocessor(List.of(new PixelView.Vae(64), view)).apply(grey, out, 0);
        float v = (51 / 255f - 0.5f) / 0.5f;
        for (int c = 0; c < 3; c++) {
            float expected = ((v + 1f) / 2f - ClipNormalization.MEAN[c]) / ClipNormalization.STD[c];
            assertThat(out[1][c * 24 * 24 + 100]).isCloseTo(expected, within(1e-5f));
        }
    }

    @Test
    void antialiasBlursBeforeSubsampling() {
        // A one-pixel checkerboard shrunk 4x: without the blur the bicubic taps alias to extreme values,
        // with kornia's Gaussian pre-blur the result is close to the mean.
        int n = 64;
        float[] board = new float[n * n];
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                board[y * n + x] = (x + y) % 2 == 0 ? 1f : -1f;
            }
        }
        float[] sharp = KorniaResize.resize(board, 1, n, n, 16, 16, false);
        float[] smooth = KorniaResize.resize(board, 1, n, n, 16, 16, true);
        assertThat(rms(smooth)).isLessThan(0.25 * rms(sharp));
        assertThat(rms(sharp)).isGreaterThan(0.3);
    }

    private static double rms(float[] x) {
        double s = 0;
        for (float v : x) {
            s += v * v;
        }
        return Math.sqrt(s / x.length);
    }

    private static RgbImage constant(int w, int h, int v) {
        byte[] rgb = new byte[w * h * 3];
        java.util.Arrays.fill(rgb, (byte) v);
        return new RgbImage(w, h, rgb);
    }
}
