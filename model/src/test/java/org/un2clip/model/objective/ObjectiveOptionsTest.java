package org.un2clip.model.objective;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.un2clip.conf.Un2clipConfig;

class ObjectiveOptionsTest {

    @Test
    void documentedDefaultsAreTheUn2clipDefaults() {
        assertThat(ObjectiveOptions.fromConfig(Un2clipConfig.defaults())).isEqualTo(ObjectiveOptions.defaults());
    }

    @Test
    void overridesAreReadAndBadValuesNameTheKey() {
        ObjectiveOptions o = ObjectiveOptions.fromConfig(Un2clipConfig.load(Optional.empty(),
                List.of("objective.noise-level=-1", "objective.conditioning-dropout=0.25", "objective.latent=sample",
                        "objective.train-encoder=false", "objective.train-generator=true")));
        assertThat(o.noiseLevel()).isEqualTo(-1);
        assertThat(o.sampleLatent()).isTrue();
        assertThat(o).isEqualTo(ObjectiveOptions.generatorTraining(0).withSampleLatent(true));
        assertThatThrownBy(() -> ObjectiveOptions.fromConfig(Un2clipConfig.load(Optional.empty(),
                List.of("objective.latent=median")))).hasMessageContaining("objective.latent");
        // 0.0 declares a real-valued key, 0 an integer one
        assertThatThrownBy(() -> Un2clipConfig.load(Optional.empty(), List.of("objective.noise-level=0.5")))
                .hasMessageContaining("'objective.noise-level' expects an integer");
        assertThatThrownBy(() -> ObjectiveOptions.fromConfig(Un2clipConfig.load(Optional.empty(),
                List.of("objective.timestep-min=10", "objective.timestep-max=10")))).hasMessageContaining("timestep range");
    }
}
