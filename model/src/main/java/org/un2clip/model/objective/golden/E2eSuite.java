package org.un2clip.model.objective.golden;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.un2clip.model.clip.ClipVision;
import org.un2clip.model.clip.ClipVisionConfig;
import org.un2clip.model.golden.GoldenSet;
import org.un2clip.model.golden.GoldenSuite;
import org.un2clip.model.nn.Taps;
import org.un2clip.model.objective.AdamW;
import org.un2clip.model.objective.Draws;
import org.un2clip.model.objective.ObjectiveOptions;
import org.un2clip.model.objective.Un2clipObjective;
import org.un2clip.model.unclip.golden.AugmentationSuite;
import org.un2clip.model.unclip.golden.DiffusionSuite;
import org.un2clip.model.unclip.golden.UNetSuite;
import org.un2clip.model.unclip.golden.VaeSuite;

/**
 * The whole un²CLIP step on the golden inputs: {@code e2e.*} (intermediates, loss, dL/dy, dL/de), {@code grad.visual.*}
 * (every encoder parameter's gradient), {@code step1.visual.*} (one AdamW step, applied to the golden gradients to
 * isolate the optimizer) and the same step at the other noise level ({@code alt.e2e.*}, {@code alt.grad.visual.*}).
 */
public final class E2eSuite implements GoldenSuite {
    private static final String VISUAL = "visual.";

    @Override
    public String name() {
        return "un2clip objective";
    }

    @Override
    public List<String> prefixes() {
        return List.of("e2e.", "grad.", "step1.", "alt.");
    }

    /** Builds the objective from a golden set: encoder, VAE, UNet, augmentor and schedule from its config and weights. */
    public static Un2clipObjective objective(NDManager m, GoldenSet set, ObjectiveOptions options, int querySlice) {
        ClipVision encoder = ClipVision.create(ClipVisionConfig.fromJson(set.config().path("clip")), m);
        encoder.params().load("CLIP vision tower from " + set.dir(), set.weights().withPrefix(VISUAL), true);
        return new Un2clipObjective(m, encoder, VaeSuite.load(m, set, querySlice), UNetSuite.load(m, set, querySlice),
                AugmentationSuite.augmentor(set), DiffusionSuite.diffusion(set), VaeSuite.scaleFactor(set), options);
    }

    /** The golden step's draws: given timesteps, noises and levels, no dropout, posterior mean. */
    public static Draws draws(GoldenSet set, String prefix) {
        int b = (int) set.shape(prefix + "t")[0];
        return new Draws(set.longs(prefix + "t"), set.floats(prefix + "noise"), set.longs(prefix + "noise_level"),
                set.floats(prefix + "aug_noise"), new boolean[b], null);
    }

    /** {@code config.adamw}. */
    public static AdamW.Hyper adamw(GoldenSet set) {
        JsonNode a = set.config().path("adamw");
        return new AdamW.Hyper(a.path("lr").asDouble(), a.path("betas").get(0).asDouble(), a.path("betas").get(1).asDouble(),
                a.path("eps").asDouble(), a.path("weight_decay").asDouble());
    }

    @Override
    public Map<String, float[]> compute(GoldenSet set, Set<String> wanted) {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (NDManager m = NDManager.newBaseManager()) {
            Un2clipObjective objective = objective(m, set, ObjectiveOptions.defaults(), 1024);
            step(m, set, objective, "", wanted, out);
            step(m, set, objective, "alt.", wanted, out);
        }
        AdamW adamw = new AdamW(adamw(set));
        for (String key : wanted) {
            if (key.startsWith("step1." + VISUAL)) {
                String name = key.substring("step1.".length());
                float[] p = set.weights().readFloats(name);
                adamw.step(p, set.floats("grad." + name), 0, new AdamW.State(p.length));
                out.put(key, p);
            }
        }
        return out;
    }

    private static void step(NDManager parent, GoldenSet set, Un2clipObjective objective, String alt, Set<String> wanted,
                             Map<String, float[]> out) {
        String in = alt + "e2e.";
        if (wanted.stream().noneMatch(k -> k.startsWith(in) || k.startsWith(alt + "grad."))) {
            return;
        }
        try (NDManager m = parent.newSubManager()) {
            objective.zeroGradients();
            NDArray image = m.create(set.floats(in + "image"), new Shape(set.shape(in + "image")));
            NDArray context = m.create(set.floats(in + "context"), new Shape(set.shape(in + "context")));
            objective.run(m, image, context, draws(set, in), true, Taps.collecting(in, wanted, out));
            objective.encoder().params().arrays().forEach((name, a) -> {
                String key = alt + "grad." + VISUAL + name;
                if (wanted.contains(key)) {
                    try (NDArray g = a.getGradient()) {
                        out.put(key, g.toFloatArray());
                    }
                }
            });
        }
    }
}
