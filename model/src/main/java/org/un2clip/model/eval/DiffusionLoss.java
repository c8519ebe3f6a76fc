package org.un2clip.model.eval;

import java.util.List;
import org.un2clip.model.objective.ObjectiveStep;
import org.un2clip.model.step.TrainingBatch;

/**
 * The paper's label-free diagnostic: the frozen generator's mean v-prediction loss on held-out images, conditioned on
 * the encoder's embeddings. The draws (t, ε) are keyed by sample id, so two encoders are scored on identical noise.
 */
public final class DiffusionLoss {
    private DiffusionLoss() {
    }

    /** Sample-weighted mean loss over the batches (forward only). */
    public static double mean(ObjectiveStep objective, List<TrainingBatch> batches) {
        double sum = 0;
        long n = 0;
        for (TrainingBatch b : batches) {
            sum += (double) objective.run(b, false).loss() * b.size();
            n += b.size();
        }
        if (n == 0) {
            throw new IllegalArgumentException("diffusion loss: no held-out samples");
        }
        return sum / n;
    }
}
