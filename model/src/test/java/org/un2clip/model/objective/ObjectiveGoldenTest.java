package org.un2clip.model.objective;

import org.junit.jupiter.api.Test;
import org.un2clip.model.objective.golden.E2eSuite;
import org.un2clip.model.unclip.ShippedGoldenSet;

class ObjectiveGoldenTest {

    @Test
    void lossGradientsAndOneAdamWStepMatchGoldenAtBothNoiseLevels() {
        ShippedGoldenSet.assertPasses(new E2eSuite(), "e2e.", "grad.", "step1.", "alt.");
    }
}
