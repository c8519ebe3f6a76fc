package org.un2clip.model.clip;

import ai.djl.ndarray.NDManager;
import com.typesafe.config.Config;
import java.nio.file.Path;
import org.un2clip.model.io.WeightFiles;
import org.un2clip.model.io.WeightSource;

/** Builds the vision tower a run's configuration asks for (section {@code clip} of defaults.conf). */
public final class ClipVisionSetup {
    private ClipVisionSetup() {}

    public static ClipVision create(Config config, NDManager manager) {
        String vision = config.getString("clip.vision");
        String weights = config.getString("clip.weights");
        int resolution = config.getInt("clip.resolution");
        if (weights.isEmpty()) {
            if (vision.equals("infer")) {
                throw new IllegalArgumentException("clip.vision = \"infer\" needs clip.weights");
            }
            return ClipVision.create(withResolution(presetOf(vision), resolution), manager);
        }
        try (WeightSource source = WeightFiles.open(Path.of(weights))) {
            ClipVisionConfig shape = vision.equals("infer") ? ClipVisionConfig.infer(source, Activation.QUICK_GELU) : presetOf(vision);
            ClipVision tower = ClipVision.create(withResolution(shape, resolution), manager);
            try {
                ClipWeights.loadVision(tower, source, "clip.weights = " + weights);
            } catch (RuntimeException e) {
                tower.close();
                throw e;
            }
            return tower;
        }
    }

    private static ClipVisionConfig presetOf(String name) {
        try {
            return ClipVisionConfig.preset(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("clip.vision: " + e.getMessage() + " (or \"infer\")", e);
        }
    }

    private static ClipVisionConfig withResolution(ClipVisionConfig c, int resolution) {
        if (resolution < 0) {
            throw new IllegalArgumentException("clip.resolution must be 0 (the tower's) or positive, got " + resolution);
        }
        return resolution == 0 ? c : c.withResolution(resolution);
    }
}
