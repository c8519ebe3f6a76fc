package org.un2clip.model.unclip.golden;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.un2clip.model.golden.GoldenSet;
import org.un2clip.model.golden.GoldenSuite;
import org.un2clip.model.io.WeightSource;
import org.un2clip.model.nn.Taps;
import org.un2clip.model.unclip.NoiseAugmentor;
import org.un2clip.model.unclip.TimestepEmbedding;

/** {@code aug.*}: Stable unCLIP's embedding noise augmentation (schedule, scaling, q_sample, level embedding). */
public final class AugmentationSuite implements GoldenSuite {

    @Override
    public String name() {
        return "augmentation";
    }

    @Override
    public List<String> prefixes() {
        return List.of("aug.");
    }

    /** The augmentor of {@code config.noise_aug} with the set's {@code noise_augmentor.data_mean/std}. */
    public static NoiseAugmentor augmentor(GoldenSet set) {
        return augmentor(set.config(), set.weights());
    }

    /** The augmentor of {@code config.noise_aug} with {@code noise_augmentor.data_mean/std} from {@code weights}. */
    public static NoiseAugmentor augmentor(JsonNode config, WeightSource weights) {
        JsonNode a = config.path("noise_aug");
        String schedule = a.path("noise_schedule_config").path("beta_schedule").asText("squaredcos_cap_v2");
        if (!"squaredcos_cap_v2".equals(schedule)) {
            throw new IllegalArgumentException("noise_aug: schedule '" + schedule + "' unsupported (squaredcos_cap_v2)");
        }
        return NoiseAugmentor.standard(a.path("max_noise_level").asInt(1000),
                weights.readFloats("noise_augmentor.data_mean"), weights.readFloats("noise_augmentor.data_std"),
                a.path("timestep_dim").asInt());
    }

    @Override
    public Map<String, float[]> compute(GoldenSet set, Set<String> wanted) {
        Map<String, float[]> out = Taps.newMap();
        NoiseAugmentor aug = augmentor(set);
        DiffusionSuite.tables(out, wanted, "aug.", aug.schedule());
        try (NDManager m = NDManager.newBaseManager()) {
            GoldenArrays.put(out, wanted, "aug.timestep_freqs", TimestepEmbedding.frequencyTable(aug.embeddingDim()));
            NoiseAugmentor.Result r = aug.apply(GoldenArrays.floats(m, set, "aug.emb_in"),
                    GoldenArrays.floats(m, set, "aug.noise"), set.longs("aug.noise_level"));
            GoldenArrays.put(out, wanted, "aug.scaled", r.scaled());
            GoldenArrays.put(out, wanted, "aug.z", r.z());
            GoldenArrays.put(out, wanted, "aug.level_emb", r.levelEmbedding());
            GoldenArrays.put(out, wanted, "aug.y", r.y());
        }
        return out;
    }
}
