package org.un2clip.actors;

import com.typesafe.config.Config;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.un2clip.actors.aggregator.ShardOptimizer;
import org.un2clip.actors.objective.Objectives;
import org.un2clip.actors.plan.RunPlan;
import org.un2clip.actors.trainer.DataLoader;
import org.un2clip.model.step.StepFunction;
import org.un2clip.model.step.TrainingBatch;

/**
 * The same training as a plain loop in one thread (W = 1, no actors, no transport, no checkpoints): the
 * reference the runtime is tested against and the baseline of the overhead benchmark.
 */
public final class BareLoop {
    private BareLoop() {}

    /** Runs {@code train.steps} steps; returns the final parameters. {@code stepNanos} (if not null) gets each step's time. */
    public static float[] run(Config c, long[] stepNanos) {
        RunPlan plan = RunPlan.from(c);
        Objectives obj = Objectives.of(c);
        try (StepFunction f = obj.create()) {
            int n = (int) f.parameterCount();
            FloatBuffer init = FloatBuffer.allocate(n);
            f.initialParameters(init);
            float[] master = init.array();
            ShardOptimizer opt = ShardOptimizer.fresh(master);
            float[] g = new float[n];
            float[] sum = new float[n];
            FloatBuffer params = FloatBuffer.wrap(master);
            FloatBuffer grads = FloatBuffer.wrap(g);
            for (long s = 0; s < plan.steps(); s++) {
                long t0 = System.nanoTime();
                Arrays.fill(sum, 0f);
                for (TrainingBatch mb : DataLoader.microBatches(plan.assignment(), obj, s, 0, 1, plan.microBatch())) {
                    f.step(params, mb, grads);
                    float w = mb.size();
                    for (int i = 0; i < n; i++) {
                        sum[i] += w * g[i];
                    }
                }
                double sq = 0;
                float divisor = (float) plan.globalBatch();
                for (int i = 0; i < n; i++) {
                    sum[i] /= divisor;
                    sq += (double) sum[i] * sum[i];
                }
                if (plan.clipGradNorm() > 0) {
                    float clip = (float) Math.min(1.0, plan.clipGradNorm() / (Math.sqrt(sq) + 1e-6));
                    if (clip < 1f) {
                        for (int i = 0; i < n; i++) {
                            sum[i] *= clip;
                        }
                    }
                }
                opt.update(sum, plan.schedule().at(s), plan.beta1(), plan.beta2(), plan.eps(), plan.weightDecay());
                if (stepNanos != null && s < stepNanos.length) {
                    stepNanos[(int) s] = System.nanoTime() - t0;
                }
            }
            return master;
        }
    }
}
