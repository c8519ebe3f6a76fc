package org.un2clip.model.clip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import com.typesafe.config.Config;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.un2clip.conf.Un2clipConfig;
import org.un2clip.model.io.SafeTensorsFile;
import org.un2clip.model.io.WeightSource;

class ClipVisionSetupTest {
    private static final Path WEIGHTS = Path.of("src/test/resources/golden/public/weights.safetensors").toAbsolutePath();

    private static Config config(String... overrides) {
        return Un2clipConfig.load(Optional.empty(), List.of(overrides));
    }

    @Test
    void defaultsAreARandomInitViTL14() {
        Config c = Un2clipConfig.defaults();
        assertThat(c.getString("clip.vision")).isEqualTo("ViT-L-14");
        assertThat(c.getString("clip.weights")).isEmpty();
    }

    @Test
    void infersTheTowerFromTheWeightsAndInterpolatesToAnotherResolution() {
        try (NDManager manager = NDManager.newBaseManager();
             WeightSource golden = SafeTensorsFile.open(WEIGHTS);
             ClipVision tower = ClipVisionSetup.create(config("clip.vision=infer", "clip.weights=\"" + WEIGHTS + "\"",
                     "clip.resolution=48"), manager)) {
            assertThat(tower.config()).isEqualTo(new ClipVisionConfig(64, 2, 1, 8, 48, 48, Activation.QUICK_GELU));
            assertThat(java.util.Arrays.equals(tower.params().get("conv1.weight").toFloatArray(),
                    golden.readFloats("visual.conv1.weight"))).isTrue();
            assertThat(tower.params().get("positional_embedding").getShape().get(0)).isEqualTo(1 + 36);
        }
    }

    @Test
    void errorsNameTheKey() {
        try (NDManager manager = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> ClipVisionSetup.create(config("clip.vision=ViT-Q-1"), manager))
                    .hasMessageContaining("clip.vision").hasMessageContaining("unknown CLIP preset");
            assertThatThrownBy(() -> ClipVisionSetup.create(config("clip.vision=infer"), manager))
                    .hasMessageContaining("needs clip.weights");
            assertThatThrownBy(() -> ClipVisionSetup.create(config("clip.vision=ViT-B-32", "clip.weights=\"" + WEIGHTS + "\""), manager))
                    .hasMessageContaining("clip.weights = ").hasMessageContaining("shape mismatch");
        }
    }
}
