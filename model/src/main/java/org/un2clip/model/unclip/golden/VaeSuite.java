package org.un2clip.model.unclip.golden;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.un2clip.model.golden.GoldenSet;
import org.un2clip.model.golden.GoldenSuite;
import org.un2clip.model.nn.Taps;
import org.un2clip.model.unclip.AutoencoderKL;
import org.un2clip.model.unclip.VaeConfig;

/** {@code vae.*}: the KL autoencoder's encoder, quant_conv and posterior on the golden image. */
public final class VaeSuite implements GoldenSuite {
    public static final String WEIGHT_PREFIX = "first_stage_model.";

    @Override
    public String name() {
        return "vae";
    }

    @Override
    public List<String> prefixes() {
        return List.of("vae.");
    }

    /** The encoder side of the set's VAE, weights loaded strictly. */
    public static AutoencoderKL load(NDManager m, GoldenSet set, int querySlice) {
        AutoencoderKL vae = new AutoencoderKL(m, VaeConfig.fromLdm(set.config().path("vae")), false, querySlice);
        vae.loadEncoder("VAE encoder from " + set.dir(), set.weights().withPrefix(WEIGHT_PREFIX));
        return vae;
    }

    /** {@code config.diffusion.scale_factor} (0.18215 for SD). */
    public static float scaleFactor(GoldenSet set) {
        return scaleFactor(set.config());
    }

    /** {@code config.diffusion.scale_factor} (0.18215 for SD). */
    public static float scaleFactor(JsonNode config) {
        return (float) config.path("diffusion").path("scale_factor").asDouble(0.18215);
    }

    @Override
    public Map<String, float[]> compute(GoldenSet set, Set<String> wanted) {
        Map<String, float[]> out = Taps.newMap();
        try (NDManager m = NDManager.newBaseManager()) {
            AutoencoderKL vae = load(m, set, 1024);
            AutoencoderKL.Posterior post = vae.encode(GoldenArrays.floats(m, set, "vae.image"), Taps.collecting("vae.dbg.", wanted, out));
            GoldenArrays.put(out, wanted, "vae.moments", post.moments());
            GoldenArrays.put(out, wanted, "vae.mean", post.mean());
            GoldenArrays.put(out, wanted, "vae.logvar", post.logvar());
            GoldenArrays.put(out, wanted, "vae.latent", post.mode().mul(scaleFactor(set)));
        }
        return out;
    }
}
