package org.un2clip.model.golden;

import java.util.List;
import org.un2clip.model.clip.ClipGoldenSuite;
import org.un2clip.model.objective.golden.E2eSuite;
import org.un2clip.model.unclip.golden.AugmentationSuite;
import org.un2clip.model.unclip.golden.DiffusionSuite;
import org.un2clip.model.unclip.golden.UNetSuite;
import org.un2clip.model.unclip.golden.VaeSuite;

/** The model parts that plug into check-golden, in the order they run. */
public final class GoldenSuites {
    private GoldenSuites() {}

    public static List<GoldenSuite> all() {
        return List.of(new ClipGoldenSuite(), new DiffusionSuite(), new AugmentationSuite(), new UNetSuite(), new VaeSuite(), new E2eSuite());
    }
}
