package org.un2clip.model.unclip.golden;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.un2clip.model.golden.GoldenSet;
import org.un2clip.model.golden.GoldenSuite;
import org.un2clip.model.nn.Taps;
import org.un2clip.model.unclip.TimestepEmbedding;
import org.un2clip.model.unclip.UNetConfig;
import org.un2clip.model.unclip.UNetModel;

/** {@code unet.*}: the ldm UNet built from {@code config.unet} and the upstream weights, on the golden inputs. */
public final class UNetSuite implements GoldenSuite {
    public static final String WEIGHT_PREFIX = "model.diffusion_model.";

    @Override
    public String name() {
        return "unet";
    }

    @Override
    public List<String> prefixes() {
        return List.of("unet.");
    }

    /** Builds the UNet of a golden set and loads its weights strictly. */
    public static UNetModel load(NDManager m, GoldenSet set, int querySlice) {
        UNetModel unet = new UNetModel(m, UNetConfig.fromLdm(set.config().path("unet")), querySlice);
        unet.loadLdm("UNet from " + set.dir(), set.weights().withPrefix(WEIGHT_PREFIX));
        return unet;
    }

    @Override
    public Map<String, float[]> compute(GoldenSet set, Set<String> wanted) {
        Map<String, float[]> out = Taps.newMap();
        try (NDManager m = NDManager.newBaseManager()) {
            UNetModel unet = load(m, set, 1024);
            GoldenArrays.put(out, wanted, "unet.dbg.timestep_freqs",
                    TimestepEmbedding.frequencyTable(unet.config().modelChannels()));
            NDArray result = unet.forward(GoldenArrays.floats(m, set, "unet.x_t"), GoldenArrays.longs(m, set, "unet.t"),
                    GoldenArrays.floats(m, set, "unet.context"), GoldenArrays.floats(m, set, "unet.y"),
                    Taps.collecting("unet.dbg.", wanted, out));
            GoldenArrays.put(out, wanted, "unet.out", result);
        }
        return out;
    }
}
