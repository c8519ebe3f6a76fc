package org.un2clip.model.clip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.un2clip.model.golden.GoldenSet;
import org.un2clip.model.io.SafeTensorsFile;
import org.un2clip.model.io.SafeTensorsWriter;
import org.un2clip.model.io.WeightSource;

class ClipVisionConfigTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void hfClipConfigOfViTL14IsThePreset() throws Exception {
        // The shape of openai/clip-vit-large-patch14's config.json (CLIPConfig: projection_dim at the top level).
        JsonNode hf = JSON.readTree("""
                {"architectures": ["CLIPModel"], "projection_dim": 768,
                 "text_config": {"hidden_size": 768},
                 "vision_config": {"hidden_size": 1024, "intermediate_size": 4096, "num_hidden_layers": 24,
                   "num_attention_heads": 16, "patch_size": 14, "image_size": 224, "hidden_act": "quick_gelu",
                   "layer_norm_eps": 1e-05}}""");
        assertThat(ClipVisionConfig.fromHfConfig(hf)).isEqualTo(ClipVisionConfig.preset("ViT-L/14"));
        for (ClipVisionConfig c : ClipVisionConfig.presets().values()) {
            assertThat(ClipVisionConfig.fromHfConfig(JSON.valueToTree(c.toHfConfig()))).isEqualTo(c);
            assertThat(ClipVisionConfig.fromJson(JSON.valueToTree(c.toJson()))).isEqualTo(c);
        }
        assertThat(ClipVisionConfig.preset("ViT-H-14").activation()).isEqualTo(Activation.GELU);
        assertThat(ClipVisionConfig.preset("ViT-L/14@336").resolution()).isEqualTo(336);
    }

    @Test
    void hfConfigErrorsNameTheProblem() throws Exception {
        assertThatThrownBy(() -> ClipVisionConfig.fromHfConfig(JSON.readTree("""
                {"hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 5, "patch_size": 8,
                 "image_size": 32, "projection_dim": 48}""")))
                .hasMessageContaining("heads (5) must divide width (64)");
        assertThatThrownBy(() -> ClipVisionConfig.fromHfConfig(JSON.readTree("""
                {"hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "patch_size": 8,
                 "image_size": 32}""")))
                .hasMessageContaining("projection_dim");
        assertThatThrownBy(() -> ClipVisionConfig.fromHfConfig(JSON.readTree("""
                {"hidden_size": 64, "intermediate_size": 100, "num_hidden_layers": 2, "num_attention_heads": 4,
                 "patch_size": 8, "image_size": 32, "projection_dim": 48}""")))
                .hasMessageContaining("intermediate_size 100");
        assertThatThrownBy(() -> ClipVisionConfig.fromJson(JSON.readTree("{\"width\": 64}")))
                .hasMessageContaining("'layers' is missing");
    }

    @Test
    void inferredFromShapesInEveryNaming(@TempDir Path dir) throws Exception {
        try (GoldenSet set = GoldenSet.open(Path.of("src/test/resources/golden/public"))) {
            ClipVisionConfig golden = ClipVisionConfig.fromJson(set.config().path("clip"));
            ClipVisionConfig inferred = ClipVisionConfig.infer(set.weights(), Activation.QUICK_GELU);
            // heads follow OpenAI's width/64 rule; everything else comes from the shapes.
            assertThat(inferred).isEqualTo(new ClipVisionConfig(64, 2, 1, 8, 32, 48, Activation.QUICK_GELU));
            try (NDManager manager = NDManager.newBaseManager(); ClipVision tower = ClipVision.create(golden, manager)) {
                ClipWeights.loadVision(tower, set.weights(), "golden");
                Path withMetadata = dir.resolve("meta.safetensors");
                ClipWeights.exportVision(tower, withMetadata, ClipVisionFormat.HF);
                try (WeightSource src = SafeTensorsFile.open(withMetadata)) {
                    assertThat(ClipVisionConfig.infer(src, Activation.GELU)).isEqualTo(golden);
                }
                Path bareHf = dir.resolve("hf.safetensors");
                SafeTensorsWriter w = new SafeTensorsWriter();
                ClipVisionFormat.HF.fromCanonical(ClipWeights.canonicalTensors(tower.params()))
                        .forEach((n, t) -> w.add(n, t.shape(), t.data()));
                w.write(bareHf);
                try (WeightSource src = SafeTensorsFile.open(bareHf)) {
                    assertThat(ClipVisionConfig.infer(src, Activation.QUICK_GELU)).isEqualTo(inferred);
                }
            }
        }
    }
}
