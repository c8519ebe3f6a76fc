package org.un2clip.cluster.demo;

import com.typesafe.config.Config;
import java.io.PrintStream;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import org.un2clip.actors.aggregator.RankOrderSum;
import org.un2clip.actors.aggregator.ShardOptimizer;
import org.un2clip.actors.objective.demo.DemoSettings;
import org.un2clip.actors.objective.demo.DemoStage;
import org.un2clip.actors.plan.LrSchedule;
import org.un2clip.actors.plan.RunPlan;
import org.un2clip.actors.plan.SampleAssignment;
import org.un2clip.actors.trainer.DataLoader;
import org.un2clip.actors.trainer.Trainer;
import org.un2clip.model.step.StepFunction;
import org.un2clip.model.step.TrainingBatch;

/**
 * The runtime's arithmetic in this JVM, for fast tests of the pipeline logic: from the same training-run
 * configuration ({@link StageRunner#config}), each step takes the global batch of the epoch's keyed permutation,
 * gives rank r of W every W-th sample (the runtime's {@code PermutationAssignment}), accumulates each rank's
 * Σ size·gradient as a trainer does ({@link Trainer#accumulate}), sums the ranks in rank order and averages as the
 * shard does ({@link RankOrderSum}), clips to the global norm ({@link RunPlan#clipCoefficient}) and applies AdamW
 * ({@link ShardOptimizer#apply}) at the schedule's learning rate; a non-finite norm skips the update. Same settings
 * → the same bits as the runtime (tested).
 */
public final class InProcessStageRunner implements StageRunner {
    private final Config root;
    private final PrintStream log;

    public InProcessStageRunner(Config root, PrintStream log) {
        this.root = root;
        this.log = log;
    }

    @Override
    public Trained train(Plan plan, DemoStage stage) {
        RunPlan p = RunPlan.from(StageRunner.config(root, plan, stage));
        if (p.shards() != 1) {
            throw new IllegalArgumentException(plan.stage() + ": the in-process runner reduces into one shard, got " + p.shards());
        }
        long start = System.nanoTime();
        SampleAssignment assignment = p.assignment();
        LrSchedule schedule = p.schedule();
        int w = p.trainers();
        List<Double> losses = new ArrayList<>();
        int skipped = 0;
        try (StepFunction f = stage.create()) {
            int n = Math.toIntExact(f.parameterCount());
            float[] initial = new float[n];
            f.initialParameters(FloatBuffer.wrap(initial));
            ShardOptimizer shard = ShardOptimizer.fresh(initial);
            FloatBuffer parameters = FloatBuffer.wrap(shard.master());
            float[] gradient = new float[n];
            FloatBuffer gradientView = FloatBuffer.wrap(gradient);
            float[][] accumulated = new float[w][n];
            FloatBuffer[] ranks = new FloatBuffer[w];
            for (int r = 0; r < w; r++) {
                ranks[r] = FloatBuffer.wrap(accumulated[r]);
            }
            float[] reduced = new float[n];
            float[] scratch = RankOrderSum.scratch();
            for (long step = 0; step < p.steps(); step++) {
                double lossSum = 0;
                int samples = 0;
                for (int r = 0; r < w; r++) {
                    List<TrainingBatch> micro = DataLoader.microBatches(assignment, stage, step, r, w, p.microBatch());
                    lossSum += Trainer.accumulate(f, parameters, micro, gradient, gradientView, accumulated[r], p.lossScale());
                    for (TrainingBatch b : micro) {
                        samples += b.size();
                    }
                }
                double loss = lossSum / samples;
                losses.add(loss);
                double norm = Math.sqrt(RankOrderSum.reduce(ranks, reduced, scratch, n, (float) (p.globalBatch() * p.lossScale())));
                if (!Double.isFinite(norm)) {
                    skipped++;
                    log.printf("  %-10s step %5d: non-finite gradient, update skipped%n", plan.stage(), step + 1);
                } else {
                    shard.apply(reduced, n, p.clipCoefficient(norm), schedule.at(step), p);
                }
                if (step % Math.max(1, p.steps() / 10) == 0 || step == p.steps() - 1) {
                    log.printf("  %-10s step %5d/%d  loss %.5f  (%.1f s)%n", plan.stage(), step + 1, p.steps(), loss,
                            (System.nanoTime() - start) / 1e9);
                }
            }
            StageRunner.check(plan.stage(), losses, skipped);
            return new Trained(shard.master(), losses, skipped, (System.nanoTime() - start) / 1e9, DemoSettings.IN_PROCESS, w);
        }
    }
}
