package org.un2clip.cluster.demo;

import java.util.List;
import java.util.function.Supplier;
import org.un2clip.model.step.StepFunction;
import org.un2clip.model.step.TrainingBatch;

/** Runs one training stage of the demo: a step function over a dataset, AdamW on the flat parameter vector. */
public interface StageRunner {

    /** Batches by (epoch, global sample ids), as the runtime's data loaders ask for them. */
    interface Dataset {
        int size();

        TrainingBatch batch(long epoch, long[] sampleIds);
    }

    /** @param seed keys the sample order (epoch permutations) */
    record Plan(String stage, DemoSettings.Training training, long seed) {}

    /** The trained flat parameters, the loss of every step, the steps whose update was skipped (non-finite gradient), the wall time. */
    record Trained(float[] parameters, List<Double> losses, int skippedSteps, double seconds) {}

    Trained train(Plan plan, Supplier<StepFunction> objective, Dataset data);
}
