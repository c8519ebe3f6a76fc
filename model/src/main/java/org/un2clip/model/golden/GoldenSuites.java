package org.un2clip.model.golden;

import java.util.List;
import org.un2clip.model.clip.ClipGoldenSuite;

/** The model parts that plug into check-golden, in the order they run. */
public final class GoldenSuites {
    private GoldenSuites() {}

    public static List<GoldenSuite> all() {
        return List.of(new ClipGoldenSuite());
    }
}
