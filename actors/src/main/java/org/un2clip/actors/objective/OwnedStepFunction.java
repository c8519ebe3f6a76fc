package org.un2clip.actors.objective;

import ai.djl.ndarray.NDManager;
import java.nio.FloatBuffer;
import org.un2clip.model.step.StepFunction;

/**
 * A step function and the manager its models (frozen and trainable) live in, closed together: the objectives an
 * {@link Objectives} builds own their whole model, while the model module's step functions leave it to the caller.
 */
public record OwnedStepFunction(StepFunction step, NDManager manager) implements StepFunction {
    @Override
    public long parameterCount() {
        return step.parameterCount();
    }

    @Override
    public void initialParameters(FloatBuffer out) {
        step.initialParameters(out);
    }

    @Override
    public StepResult step(FloatBuffer parameters, org.un2clip.model.step.TrainingBatch batch, FloatBuffer gradients) {
        return step.step(parameters, batch, gradients);
    }

    @Override
    public void close() {
        step.close();
        manager.close();
    }
}
