package org.un2clip.conf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A default written as 1.0 or 0.0 takes any number; one written as 1 takes integers only. */
class DecimalDefaultsTest {
    @Test
    void wholeDecimalDefaultsTakeFractions() {
        assertThat(Un2clipConfig.load(Optional.empty(), List.of("train.loss-scale=0.5", "train.clip-grad-norm=0.25"))
                .getDouble("train.clip-grad-norm")).isEqualTo(0.25);
        assertThatThrownBy(() -> Un2clipConfig.load(Optional.empty(), List.of("train.steps=2.5")))
                .hasMessageContaining("train.steps").hasMessageContaining("an integer");
    }
}
