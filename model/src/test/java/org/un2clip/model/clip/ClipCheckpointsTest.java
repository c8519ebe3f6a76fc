package org.un2clip.model.clip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.un2clip.model.io.SafeTensorsFile;
import org.un2clip.model.io.SafeTensorsWriter;
import org.un2clip.model.io.WeightFileException;
import org.un2clip.model.io.WeightSource;

/** Whole CLIP models (both towers + logit_scale) written and read in OpenAI and HF naming. */
class ClipCheckpointsTest {
    private static final ClipVisionConfig VISION = new ClipVisionConfig(32, 2, 4, 4, 16, 8, Activation.QUICK_GELU);
    private static final ClipTextConfig TEXT = new ClipTextConfig(12, 300, 128, 2, 4, 8, Activation.GELU);

    @TempDir
    Path dir;
    private NDManager manager;
    private ClipModel model;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
        model = ClipModel.create(VISION, TEXT, manager);
        TestWeights.set(model.vision().params(), TestWeights.random(model.vision().params(), 1, 0.2));
        TestWeights.set(model.text().params(), TestWeights.random(model.text().params(), 2, 0.2));
        model.setLogitScale(3.5f);
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private void assertSameModel(ClipModel loaded) {
        assertThat(loaded.vision().config()).isEqualTo(VISION);
        assertThat(loaded.text().config()).isEqualTo(TEXT);
        assertThat(loaded.logitScale()).isEqualTo(3.5f);
        for (var pair : List.of(List.of(model.vision().params(), loaded.vision().params()), List.of(model.text().params(), loaded.text().params()))) {
            pair.get(0).arrays().forEach((name, a) ->
                    assertThat(Arrays.equals(a.toFloatArray(), pair.get(1).get(name).toFloatArray())).as(name).isTrue());
        }
    }

    @Test
    void openAiStateDictRoundTripsBitExactly() throws Exception {
        Path file = dir.resolve("clip.safetensors");
        ClipWeights.exportModel(model, file, ClipVisionFormat.OPENAI);
        try (WeightSource src = SafeTensorsFile.open(file)) {
            assertThat(src.names()).contains("visual.conv1.weight", "token_embedding.weight", "text_projection", "logit_scale");
        }
        assertSameModel(ClipCheckpoints.open(file, null, Activation.QUICK_GELU, manager));
    }

    @Test
    void hfFolderRoundTripsBitExactlyWithHfNames() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("hf"));
        Path file = folder.resolve("model.safetensors");
        ClipWeights.exportModel(model, file, ClipVisionFormat.HF);
        try (WeightSource src = SafeTensorsFile.open(file)) {
            float[] inProj = model.text().params().get("transformer.resblocks.1.attn.in_proj_weight").toFloatArray();
            int third = inProj.length / 3;
            // OpenAI's in_proj_weight is cat(q, k, v): HF's q/k/v projections are its three row blocks
            assertThat(src.readFloats("text_model.encoder.layers.1.self_attn.q_proj.weight")).containsExactly(Arrays.copyOfRange(inProj, 0, third));
            assertThat(src.readFloats("text_model.encoder.layers.1.self_attn.v_proj.weight")).containsExactly(Arrays.copyOfRange(inProj, 2 * third, 3 * third));
            assertThat(src.info("text_projection.weight").shape()).containsExactly(8, 128);
            assertThat(src.info("text_model.embeddings.token_embedding.weight").shape()).containsExactly(300, 128);
            assertThat(src.names()).contains("text_model.final_layer_norm.weight", "text_model.embeddings.position_embedding.weight",
                    "text_model.encoder.layers.0.mlp.fc1.weight", "vision_model.pre_layrnorm.weight", "visual_projection.weight");
            float[] proj = model.text().params().get("text_projection").toFloatArray();
            assertThat(src.readFloats("text_projection.weight")[1]).isEqualTo(proj[8]); // [0][1] of projᵀ = proj[1][0]
        }
        // HF config.json, and an old transformers' position_ids buffer beside the weights
        Files.writeString(folder.resolve("config.json"), """
                {"projection_dim": 8,
                 "text_config": {"hidden_size": 128, "intermediate_size": 512, "num_hidden_layers": 2, "num_attention_heads": 4,
                                 "max_position_embeddings": 12, "vocab_size": 300, "hidden_act": "gelu"},
                 "vision_config": {"hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 4, "patch_size": 4,
                                   "image_size": 16, "hidden_act": "quick_gelu"}}
                """);
        SafeTensorsWriter w = new SafeTensorsWriter();
        try (WeightSource src = SafeTensorsFile.open(file)) {
            for (String n : src.names()) {
                w.add(n, src.info(n).shape(), src.readFloats(n));
            }
        }
        w.addLongs("text_model.embeddings.position_ids", new long[] {1, 12}, new long[12]);
        w.write(file);
        assertSameModel(ClipCheckpoints.open(folder, null, Activation.QUICK_GELU, manager));
    }

    @Test
    void textConfigFromShapesWhenTheFileHasNoMetadata() throws Exception {
        Path file = dir.resolve("bare.safetensors");
        ClipWeights.exportModel(model, file, ClipVisionFormat.OPENAI);
        SafeTensorsWriter w = new SafeTensorsWriter();
        try (WeightSource src = SafeTensorsFile.open(file)) {
            for (String n : src.names()) {
                w.add(n, src.info(n).shape(), src.readFloats(n));
            }
        }
        Path plain = dir.resolve("plain.safetensors");
        w.write(plain);
        try (WeightSource src = SafeTensorsFile.open(plain)) {
            // OpenAI's build_model: heads = width / 64
            assertThat(ClipTextConfig.infer(src, Activation.GELU)).isEqualTo(new ClipTextConfig(12, 300, 128, 2, 2, 8, Activation.GELU));
        }
        // the vision tower alone is not a whole model
        Path vision = dir.resolve("vision.safetensors");
        ClipWeights.exportVision(model.vision(), vision, ClipVisionFormat.OPENAI);
        assertThatThrownBy(() -> ClipCheckpoints.open(vision, null, Activation.QUICK_GELU, manager))
                .isInstanceOf(WeightFileException.class).hasMessageContaining(vision.toString()).hasMessageContaining("no CLIP text tower");
    }

    @Test
    void openVisionUsesMetadataElseTheFallbackConfig() throws Exception {
        Path withMeta = dir.resolve("meta.safetensors");
        ClipWeights.exportVision(model.vision(), withMeta, ClipVisionFormat.HF);
        ClipVisionConfig wrongFallback = new ClipVisionConfig(32, 2, 2, 4, 16, 8, Activation.GELU);
        assertThat(ClipCheckpoints.openVision(withMeta, wrongFallback, Activation.QUICK_GELU, manager).config()).isEqualTo(VISION);
        Path bare = dir.resolve("bare-vision.safetensors");
        model.vision().params().write(bare, n -> n, java.util.Map.of("format", "pt"));
        assertThat(ClipCheckpoints.openVision(bare, VISION, Activation.GELU, manager).config()).isEqualTo(VISION);
    }
}
