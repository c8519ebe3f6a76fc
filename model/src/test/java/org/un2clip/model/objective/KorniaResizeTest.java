package org.un2clip.model.objective;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import org.junit.jupiter.api.Test;

class KorniaResizeTest {

    @Test
    void kernelFollowsKorniasSigmaAndSizeRule() {
        // 768 -> 224: sigma = (768/224 - 1)/2 = 1.2143, size int(4.857) = 4 -> 5 (odd)
        double[] k = KorniaResize.gaussian(768.0 / 224);
        assertThat(k).hasSize(5);
        double sigma = (768.0 / 224 - 1) / 2;
        assertThat(k[2] / k[1]).isCloseTo(Math.exp(1 / (2 * sigma * sigma)), offset(1e-12));
        // upscaling: sigma 0.001, kernel 3 wide and effectively the identity
        assertThat(KorniaResize.gaussian(0.5)).hasSize(3).satisfies(g -> assertThat(g[1]).isCloseTo(1.0, offset(1e-12)));
        assertThat(KorniaResize.reflect(-1, 10)).isEqualTo(1);
        assertThat(KorniaResize.reflect(10, 10)).isEqualTo(8);
    }

    @Test
    void constantsStayConstantAndLinearRampsStayLinearAwayFromBorders() {
        int h = 96;
        int w = 96;
        int out = 20; // (w − 1)/(out − 1) = 5: every output column samples an integer x
        float[] img = new float[2 * h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img[y * w + x] = 0.25f;
                img[h * w + y * w + x] = x; // channel 1: a ramp along x
            }
        }
        float[] r = KorniaResize.resize(img, 1, 2, h, w, out, out);
        for (int i = 0; i < out * out; i++) {
            assertThat(r[i]).isCloseTo(0.25f, offset(1e-6f));
        }
        // align_corners=True: output column i samples x = 5i, where the cubic weights are (0, 1, 0, 0); the symmetric
        // blur keeps a ramp unchanged away from the reflected borders
        for (int i = 1; i < out - 1; i++) {
            assertThat(r[out * out + 10 * out + i]).isCloseTo(5f * i, offset(1e-4f));
        }
        // column 0 samples x = 0 exactly, where the reflect-padded blur sees |x| mirrored: Σ k[j]·|j − r|
        double[] k = KorniaResize.gaussian((double) w / out);
        double edge = 0;
        for (int j = 0; j < k.length; j++) {
            edge += k[j] * Math.abs(j - k.length / 2);
        }
        assertThat(r[out * out]).isCloseTo((float) edge, offset(1e-5f));
    }

    @Test
    void antiAliasingDampsAPatternFinerThanTheOutputGrid() {
        int n = 64;
        float[] checker = new float[n * n];
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                checker[y * n + x] = (x + y) % 2;
            }
        }
        float[] r = KorniaResize.resize(checker, 1, 1, n, n, 16, 16);
        for (int y = 2; y < 14; y++) {
            for (int x = 2; x < 14; x++) {
                assertThat(r[y * 16 + x]).isCloseTo(0.5f, offset(0.1f));
            }
        }
    }
}
