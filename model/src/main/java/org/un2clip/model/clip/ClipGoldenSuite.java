package org.un2clip.model.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.un2clip.model.golden.GoldenSet;
import org.un2clip.model.golden.GoldenSuite;

/**
 * Golden suite (a): builds the vision tower from {@code manifest.config.clip}, loads {@code visual.*} strictly,
 * runs {@code clip.pixels} and returns {@code clip.embedding}, {@code clip.tokens} and the {@code clip.dbg.*}
 * module outputs.
 */
public final class ClipGoldenSuite implements GoldenSuite {
    public static final String PREFIX = "clip.";
    private static final String DEBUG = PREFIX + "dbg.";

    @Override
    public String name() {
        return "CLIP vision tower";
    }

    @Override
    public List<String> prefixes() {
        return List.of(PREFIX);
    }

    @Override
    public Map<String, float[]> compute(GoldenSet set, Set<String> wanted) {
        ClipVisionConfig config = ClipVisionConfig.fromJson(set.config().path("clip"));
        Map<String, float[]> out = new LinkedHashMap<>();
        try (NDManager manager = NDManager.newBaseManager();
             ClipVision vision = ClipVision.create(config, manager)) {
            vision.params().load("CLIP vision tower from " + set.dir().resolve("weights"),
                    set.weights().withPrefix("visual."), true);
            NDArray pixels = manager.create(set.floats(PREFIX + "pixels"), new Shape(set.shape(PREFIX + "pixels")));
            Taps taps = (name, value) -> {
                if (wanted.contains(DEBUG + name)) {
                    out.put(DEBUG + name, value.toFloatArray());
                }
            };
            ClipVision.Output result = vision.forward(pixels, taps);
            out.put(PREFIX + "embedding", result.embedding().toFloatArray());
            out.put(PREFIX + "tokens", result.tokens().toFloatArray());
        }
        out.keySet().retainAll(wanted);
        return out;
    }
}
