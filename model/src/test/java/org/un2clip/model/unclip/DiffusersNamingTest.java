package org.un2clip.model.unclip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.un2clip.model.golden.GoldenSet;
import org.un2clip.model.io.SafeTensorsFile;
import org.un2clip.model.io.StrictLoader;
import org.un2clip.model.io.WeightSource;
import org.un2clip.model.nn.Taps;
import org.un2clip.model.unclip.golden.UNetSuite;

class DiffusersNamingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void generatedKeyMapEqualsDiffusersConverterMapAndConfigsAgree() throws Exception {
        try (GoldenSet set = GoldenSet.open(ShippedGoldenSet.dir());
             SafeTensorsFile diffusers = SafeTensorsFile.open(ShippedGoldenSet.dir().resolve("unet_diffusers.safetensors"));
             NDManager m = NDManager.newBaseManager()) {
            UNetConfig fromLdm = UNetConfig.fromLdm(set.config().path("unet"));
            UNetConfig fromDiffusers = UNetConfig.fromDiffusers(JSON.readTree(diffusers.metadata().get("diffusers_config")));
            assertThat(fromDiffusers).isEqualTo(fromLdm);

            Map<String, String> shipped = JSON.readValue(diffusers.metadata().get("keymap_diffusers_to_ldm"),
                    new TypeReference<LinkedHashMap<String, String>>() {});
            Map<String, String> generated = new LinkedHashMap<>();
            new UNetModel(m, fromLdm, 1024).diffusersToLdm()
                    .forEach((d, ldm) -> generated.put(d, UNetSuite.WEIGHT_PREFIX + ldm));
            assertThat(generated).containsExactlyInAnyOrderEntriesOf(shipped);
        }
    }

    @Test
    void loadingTheDiffusersFileGivesTheSameUNet() {
        try (GoldenSet set = GoldenSet.open(ShippedGoldenSet.dir());
             SafeTensorsFile diffusers = SafeTensorsFile.open(ShippedGoldenSet.dir().resolve("unet_diffusers.safetensors"));
             NDManager m = NDManager.newBaseManager()) {
            UNetModel ldm = UNetSuite.load(m, set, 1024);
            UNetModel viaDiffusers = new UNetModel(m, UNetConfig.fromLdm(set.config().path("unet")), 1024);
            viaDiffusers.loadDiffusers("test UNet", diffusers);
            float[] a = run(m, set, ldm);
            float[] b = run(m, set, viaDiffusers);
            assertThat(b).isEqualTo(a);
        }
    }

    @Test
    void strictLoadingNamesEveryMissingAndUnexpectedKey() {
        try (SafeTensorsFile diffusers = SafeTensorsFile.open(ShippedGoldenSet.dir().resolve("unet_diffusers.safetensors"));
             GoldenSet set = GoldenSet.open(ShippedGoldenSet.dir());
             NDManager m = NDManager.newBaseManager()) {
            UNetModel unet = new UNetModel(m, UNetConfig.fromLdm(set.config().path("unet")), 1024);
            WeightSource broken = diffusers.renamed(n -> n.equals("conv_in.weight") ? "conv_in.kernel"
                    : n.equals("mid_block.resnets.0.conv1.bias") ? null : n);
            assertThatThrownBy(() -> unet.loadDiffusers("broken UNet", broken))
                    .isInstanceOf(StrictLoader.WeightLoadException.class)
                    .hasMessageContaining("missing: input_blocks.0.0.weight")
                    .hasMessageContaining("missing: middle_block.0.in_layers.2.bias")
                    .hasMessageContaining("unexpected: conv_in.kernel");
        }
    }

    private static float[] run(NDManager parent, GoldenSet set, UNetModel unet) {
        try (NDManager m = parent.newSubManager()) {
            NDArray out = unet.forward(m.create(set.floats("unet.x_t"), new ai.djl.ndarray.types.Shape(set.shape("unet.x_t"))),
                    m.create(set.longs("unet.t")),
                    m.create(set.floats("unet.context"), new ai.djl.ndarray.types.Shape(set.shape("unet.context"))),
                    m.create(set.floats("unet.y"), new ai.djl.ndarray.types.Shape(set.shape("unet.y"))), Taps.NONE);
            return out.toFloatArray();
        }
    }
}
