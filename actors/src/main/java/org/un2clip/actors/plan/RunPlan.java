package org.un2clip.actors.plan;

import com.typesafe.config.Config;
import java.util.List;

/**
 * Everything every node must agree on for one run, read once from the resolved configuration and sent to
 * every role at the start.
 */
public record RunPlan(long runId, int trainers, int shards, int globalBatch, int microBatch, long steps, long seed,
        boolean async, int staleness, double lr, double weightDecay, double beta1, double beta2, double eps,
        String lrSchedule, long warmupSteps, double clipGradNorm, double lossScale, String objective,
        int datasetSize, boolean dynamicLossScale, int lossScaleGrowthInterval) {

    public RunPlan {
        if (trainers < 1 || globalBatch < trainers) {
            throw new IllegalArgumentException("train.global-batch (" + globalBatch + ") must be at least train.trainers ("
                    + trainers + ")");
        }
        if (microBatch < 1 || steps < 1 || shards < 1 || staleness < 0) {
            throw new IllegalArgumentException("train.micro-batch, train.steps, train.shards must be >= 1 and "
                    + "train.staleness >= 0");
        }
        if (!(lossScale > 0) || Double.isInfinite(lossScale)) {
            throw new IllegalArgumentException("train.loss-scale must be positive and finite, got " + lossScale);
        }
        if (dynamicLossScale && async) {
            throw new IllegalArgumentException("train.loss-scale-dynamic needs train.mode = sync (a trainer running "
                    + "ahead would not know the scale of its step yet)");
        }
        if (lossScaleGrowthInterval < 1) {
            throw new IllegalArgumentException("train.loss-scale-growth-interval must be >= 1, got "
                    + lossScaleGrowthInterval);
        }
    }

    public static RunPlan from(Config c) {
        Config t = c.getConfig("train");
        List<Double> betas = t.getDoubleList("betas");
        if (betas.size() != 2) {
            throw new IllegalArgumentException("train.betas must be [beta1, beta2], got " + betas);
        }
        String mode = t.getString("mode");
        if (!mode.equals("sync") && !mode.equals("async")) {
            throw new IllegalArgumentException("train.mode must be sync or async, got " + mode);
        }
        long seed = t.getLong("seed");
        return new RunPlan(runIdOf(c.getString("run.name"), seed), t.getInt("trainers"), t.getInt("shards"),
                t.getInt("global-batch"), t.getInt("micro-batch"), t.getLong("steps"), seed, mode.equals("async"),
                mode.equals("async") ? t.getInt("staleness") : 0, t.getDouble("lr"), t.getDouble("weight-decay"),
                betas.get(0), betas.get(1), t.getDouble("eps"), t.getString("lr-schedule"), t.getLong("warmup-steps"),
                t.getDouble("clip-grad-norm"), t.getDouble("loss-scale"), t.getString("objective"),
                t.getInt(t.getString("objective") + ".dataset-size"), t.getBoolean("loss-scale-dynamic"),
                t.getInt("loss-scale-growth-interval"));
    }

    /** A run id in every chunk header, so chunks of another run on the same streams are rejected. */
    static long runIdOf(String name, long seed) {
        return org.un2clip.conf.KeyedRandom.mix(name.hashCode() * 31L + seed);
    }

    /**
     * The global-norm clip coefficient of a step with gradient norm {@code norm}: torch's
     * {@code clip_grad_norm_}, max_norm / (norm + 1e-6) clamped to 1; 1 when clipping is off.
     */
    public double clipCoefficient(double norm) {
        return clipGradNorm > 0 ? Math.min(1.0, clipGradNorm / (norm + 1e-6)) : 1.0;
    }

    public LrSchedule schedule() {
        return new LrSchedule(lrSchedule, lr, warmupSteps, steps);
    }

    public SampleAssignment assignment() {
        return new SamplerAssignment(seed, datasetSize, globalBatch, trainers);
    }

    public RunPlan withTrainers(int w) {
        return new RunPlan(runId, w, shards, globalBatch, microBatch, steps, seed, async, staleness, lr, weightDecay,
                beta1, beta2, eps, lrSchedule, warmupSteps, clipGradNorm, lossScale, objective, datasetSize,
                dynamicLossScale, lossScaleGrowthInterval);
    }

    public RunPlan withSteps(long n) {
        return new RunPlan(runId, trainers, shards, globalBatch, microBatch, n, seed, async, staleness, lr, weightDecay,
                beta1, beta2, eps, lrSchedule, warmupSteps, clipGradNorm, lossScale, objective, datasetSize,
                dynamicLossScale, lossScaleGrowthInterval);
    }
}
