package org.un2clip.cluster.demo;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.un2clip.actors.objective.demo.DemoSettings;
import org.un2clip.actors.objective.demo.DemoStage;

/**
 * Runs one training stage of the demo: the stage's step function over the world's training scenes, AdamW on the
 * flat parameter vector. Both runners read every setting from the same training-run configuration
 * ({@link #config}), so the same settings give the same bits on either.
 */
public interface StageRunner extends AutoCloseable {

    /**
     * @param seed keys the sample order (epoch permutations)
     * @param dir  the stage's folder; the training run's folder is {@code dir/run}
     */
    record Plan(String stage, DemoSettings.Training training, long seed, Path dir) {}

    /**
     * The trained flat parameters, the loss of every step, the steps whose update was skipped (non-finite
     * gradient), the wall time, where it ran ({@link DemoSettings#RUNTIME} or {@link DemoSettings#IN_PROCESS})
     * and over how many trainer ranks.
     */
    record Trained(float[] parameters, List<Double> losses, int skippedSteps, double seconds, String ranOn, int trainers) {}

    Trained train(Plan plan, DemoStage stage) throws IOException;

    /** Ends what the runner keeps between stages (the runtime's local cluster). */
    @Override
    default void close() {
    }

    /**
     * The stage as a training run of the runtime: the demo's whole configuration (the trainers rebuild the stage
     * from demo { }) with train { } set from the stage — objective demo-stage, global batch = the stage's batch
     * split over demo.trainers ranks (one micro-batch each), AdamW betas 0.9/0.999, eps 1e-8, linear warm-up,
     * demo.clip-grad-norm, one gradient shard (the tiny models are < 1 M floats, and one shard keeps the global
     * norm's summation order fixed), a checkpoint only at the end.
     */
    static Config config(Config root, Plan plan, DemoStage stage) {
        DemoSettings s = stage.settings();
        DemoSettings.Training t = plan.training();
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("run.dir", plan.dir().resolve("run").toAbsolutePath().toString());
        o.put("run.name", "demo-" + plan.stage());
        o.put("train.objective", DemoStage.OBJECTIVE);
        o.put("train.demo-stage.spec", stage.specFile().toAbsolutePath().toString());
        o.put("train.demo-stage.dataset-size", s.trainImages());
        o.put("train.trainers", s.trainers());
        o.put("train.shards", 1);
        o.put("train.global-batch", t.batch());
        o.put("train.micro-batch", (t.batch() + s.trainers() - 1) / s.trainers());
        o.put("train.steps", t.steps());
        o.put("train.seed", plan.seed());
        o.put("train.mode", "sync");
        o.put("train.lr", t.lr());
        o.put("train.weight-decay", t.weightDecay());
        o.put("train.betas", List.of(0.9, 0.999));
        o.put("train.eps", 1e-8);
        o.put("train.lr-schedule", t.warmup() > 0 ? "linear-warmup" : "constant");
        o.put("train.warmup-steps", t.warmup());
        o.put("train.clip-grad-norm", root.getDouble("demo.clip-grad-norm"));
        o.put("train.loss-scale", 1.0);
        o.put("train.threads-per-trainer", root.getInt("demo.threads"));
        o.put("checkpoint.every-steps", 0);
        o.put("checkpoint.every-time", "0s");
        o.put("checkpoint.keep", 1);
        // The demo shares a 2-core box: a step or a heartbeat can wait seconds for a core. With the production stall
        // floor (2 s) and Pekko's heartbeat pauses (3 s cluster, 10 s watch) healthy trainers were declared stalled
        // or unreachable and dropped at load 30, so the demo calls a step stalled after a minute and a node
        // unreachable after 30 s of silence (every node of the local cluster reads these from the run's config).
        o.put("train.stall-floor", "60s");
        o.put("membership.failure-detector.acceptable-heartbeat-pause", "30s");
        o.put("pekko.remote.watch-failure-detector.acceptable-heartbeat-pause", "30s");
        // nobody operates a demo stage: no control endpoint, no Prometheus endpoint
        o.put("control.enabled", false);
        o.put("metrics.enabled", false);
        return ConfigFactory.parseMap(o).withFallback(root).resolve();
    }

    /** A stage whose loss went non-finite, or that skipped too many updates, fails loudly. */
    static void check(String stage, List<Double> losses, int skipped) {
        for (int i = 0; i < losses.size(); i++) {
            if (!Double.isFinite(losses.get(i))) {
                throw new IllegalStateException(stage + ": loss is " + losses.get(i) + " at step " + (i + 1) + " (lower the learning rate)");
            }
        }
        if (skipped > Math.max(3, losses.size() / 20)) {
            throw new IllegalStateException(stage + ": " + skipped + " of " + losses.size() + " steps had a non-finite gradient");
        }
    }
}
