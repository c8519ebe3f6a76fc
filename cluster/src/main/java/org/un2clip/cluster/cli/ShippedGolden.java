package org.un2clip.cluster.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** The public golden set the project ships (a copy of shared/golden/public in model's test resources). */
final class ShippedGolden {
    static final String RELATIVE = "model/src/test/resources/golden/public";

    private ShippedGolden() {}

    static Path publicSet() {
        Path root = Path.of(System.getProperty("un2clip.root", "."));
        Path dir = root.resolve(RELATIVE);
        if (!Files.isDirectory(dir)) {
            throw new Main.UserError("the shipped golden set is not at " + dir.toAbsolutePath()
                    + " (run from the project root, or give DIR)");
        }
        return dir;
    }
}
