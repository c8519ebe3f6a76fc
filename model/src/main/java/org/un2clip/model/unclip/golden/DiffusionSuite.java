package org.un2clip.model.unclip.golden;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.un2clip.model.golden.GoldenSet;
import org.un2clip.model.golden.GoldenSuite;
import org.un2clip.model.nn.Taps;
import org.un2clip.model.unclip.Diffusion;
import org.un2clip.model.unclip.DiffusionSchedule;

/** {@code diff.*}: the latent-diffusion schedule tables, q_sample, the v target and the loss. */
public final class DiffusionSuite implements GoldenSuite {

    @Override
    public String name() {
        return "diffusion";
    }

    @Override
    public List<String> prefixes() {
        return List.of("diff.");
    }

    /** The schedule of {@code config.diffusion}. */
    public static Diffusion diffusion(GoldenSet set) {
        return diffusion(set.config());
    }

    /** The schedule of {@code config.diffusion}. */
    public static Diffusion diffusion(JsonNode config) {
        JsonNode d = config.path("diffusion");
        return new Diffusion(DiffusionSchedule.named(d.path("beta_schedule").asText("linear"), d.path("timesteps").asInt(1000),
                d.path("linear_start").asDouble(0.00085), d.path("linear_end").asDouble(0.012)));
    }

    @Override
    public Map<String, float[]> compute(GoldenSet set, Set<String> wanted) {
        Map<String, float[]> out = Taps.newMap();
        Diffusion diffusion = diffusion(set);
        tables(out, wanted, "diff.", diffusion.schedule());
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x0 = GoldenArrays.floats(m, set, "diff.x0");
            NDArray noise = GoldenArrays.floats(m, set, "diff.noise");
            long[] t = set.longs("diff.t");
            NDArray v = diffusion.vTarget(x0, noise, t);
            GoldenArrays.put(out, wanted, "diff.x_t", diffusion.qSample(x0, noise, t));
            GoldenArrays.put(out, wanted, "diff.v_target", v);
            GoldenArrays.put(out, wanted, "diff.loss", Diffusion.loss(GoldenArrays.floats(m, set, "diff.model_out"), v));
        }
        return out;
    }

    static void tables(Map<String, float[]> out, Set<String> wanted, String prefix, DiffusionSchedule s) {
        GoldenArrays.put(out, wanted, prefix + "betas", s.betas());
        GoldenArrays.put(out, wanted, prefix + "alphas_cumprod", s.alphasCumprod());
        GoldenArrays.put(out, wanted, prefix + "sqrt_alphas_cumprod", s.sqrtAlphasCumprod());
        GoldenArrays.put(out, wanted, prefix + "sqrt_one_minus_alphas_cumprod", s.sqrtOneMinusAlphasCumprod());
    }
}
