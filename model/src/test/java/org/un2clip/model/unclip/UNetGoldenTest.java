package org.un2clip.model.unclip;

import org.junit.jupiter.api.Test;
import org.un2clip.model.unclip.golden.UNetSuite;

class UNetGoldenTest {

    @Test
    void unetOutputAndEveryIntermediateMatchGolden() {
        ShippedGoldenSet.assertPasses(new UNetSuite(), "unet.");
    }
}
