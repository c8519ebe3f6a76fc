package org.un2clip.actors.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LossScalerTest {
    @Test
    void halvesOnANonFiniteStepAndDoublesAfterNFiniteStepsInARow() {
        LossScaler s = new LossScaler(65536, 0);
        s = s.after(true, 3).after(true, 3);
        assertThat(s).isEqualTo(new LossScaler(65536, 2));
        s = s.after(true, 3);                         // the third finite step in a row
        assertThat(s).isEqualTo(new LossScaler(131072, 0));
        s = s.after(true, 3).after(false, 3);         // an overflow halves and restarts the count
        assertThat(s).isEqualTo(new LossScaler(65536, 0));
        s = s.after(false, 3).after(false, 3);
        assertThat(s).isEqualTo(new LossScaler(16384, 0));
        assertThat(new LossScaler(1, 0).after(true, 1)).isEqualTo(new LossScaler(2, 0));
    }

    @Test
    void rejectsAScaleThatIsNotPositiveAndFinite() {
        assertThatThrownBy(() -> new LossScaler(0, 0)).hasMessageContaining("positive and finite");
        assertThatThrownBy(() -> new LossScaler(Double.POSITIVE_INFINITY, 0)).hasMessageContaining("positive");
        assertThatThrownBy(() -> new LossScaler(Double.NaN, 0)).hasMessageContaining("positive");
    }
}
