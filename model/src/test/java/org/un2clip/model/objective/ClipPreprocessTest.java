package org.un2clip.model.objective;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class ClipPreprocessTest {

    @Test
    void mapsMinusOneOneToClipNormalisedPixelsAndResizesOnlyWhenAsked() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray white = m.ones(new Shape(1, 3, 8, 8));
            float[] x = new ClipPreprocess(8, false).apply(white).toFloatArray();
            // white (+1) → 1 → (1 − mean)/std per channel
            assertThat(x[0]).isCloseTo((1 - 0.48145466f) / 0.26862954f, offset(1e-6f));
            assertThat(x[64]).isCloseTo((1 - 0.4578275f) / 0.26130258f, offset(1e-6f));
            assertThat(x[128]).isCloseTo((1 - 0.40821073f) / 0.27577711f, offset(1e-6f));

            NDArray big = m.ones(new Shape(2, 3, 16, 16)).neg();
            assertThatThrownBy(() -> new ClipPreprocess(8, false).apply(big)).hasMessageContaining("clip-resize is off");
            NDArray resized = new ClipPreprocess(8, true).apply(big);
            assertThat(resized.getShape()).isEqualTo(new Shape(2, 3, 8, 8));
            // black (−1) → 0 → −mean/std, unchanged by resizing a constant image
            assertThat(resized.toFloatArray()[5]).isCloseTo(-0.48145466f / 0.26862954f, offset(1e-5f));
        }
    }
}
