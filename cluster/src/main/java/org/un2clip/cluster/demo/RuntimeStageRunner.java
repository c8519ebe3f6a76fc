package org.un2clip.cluster.demo;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.un2clip.actors.coordinator.RunResult;
import org.un2clip.actors.objective.demo.DemoSettings;
import org.un2clip.actors.objective.demo.DemoStage;
import org.un2clip.cluster.node.LocalRun;
import org.un2clip.cluster.report.MetricsJsonl;
import org.un2clip.cluster.report.StepRecord;

/**
 * Each stage as a training run on the distributed runtime, as {@code un2clip train} runs one: this JVM is the
 * coordinator/aggregator and {@code demo.trainers} trainer JVMs rebuild the stage from the configuration and its
 * {@code spec.json} ({@code train.objective = demo-stage}). The run folder {@code <stage>/run} holds
 * {@code resolved.conf}, {@code metrics.jsonl} (the loss curve; {@code ranks} = the trainer ranks each step summed),
 * the final checkpoint and {@code encoder.safetensors} (the stage's flat trained vector); the trained parameters
 * come back from the coordinator (the final checkpoint's master vector).
 *
 * <p>One local cluster serves every stage ({@link LocalRun.Session}): the trainer JVMs start, load the engine and
 * join once (≈ 15–20 s on this 2-core box, more than a quick stage's training); each stage is a new Coordinator in
 * the same coordinator node, whose configuration the trainers fetch to rebuild the stage. Their logs are in
 * {@code logDir/trainer-R.log}.
 */
public final class RuntimeStageRunner implements StageRunner {
    private final Config root;
    private final PrintStream log;
    private final LocalRun.Session session;

    /** @param logDir where the trainer JVMs log ({@code trainer-R.log}) */
    public RuntimeStageRunner(Config root, PrintStream log, Path logDir) {
        this.root = root;
        this.log = log;
        this.session = new LocalRun.Session(logDir, log);
    }

    @Override
    public Trained train(Plan plan, DemoStage stage) throws IOException {
        Config c = StageRunner.config(root, plan, stage);
        Path run = Path.of(c.getString("run.dir"));
        deleteTree(run);     // a stage reruns from scratch (its configuration changed, or it was killed)
        Files.createDirectories(run);
        Path resolved = run.resolve("resolved.conf");
        Files.writeString(resolved, c.root().render(ConfigRenderOptions.concise().setFormatted(true)));
        int trainers = c.getInt("train.trainers");
        log.printf("  %-10s on the runtime: %d trainer JVMs, run folder %s%n", plan.stage(), trainers, run);
        long start = System.nanoTime();
        RunResult result;
        try {
            try {
                result = session.run(c, resolved);
            } catch (LocalRun.Failed e) {
                if (!e.beforeBegin()) {
                    throw e;
                }
                // Seen at load 30 on 2 cores: a trainer JVM's cluster join kept timing out. No step ran, and the
                // failed session is closed: one more try on a new local cluster.
                log.printf("  %-10s the local cluster did not come up (%s); retrying on a new one%n", plan.stage(), e.getMessage());
                result = session.run(c, resolved);
            }
        } catch (LocalRun.Failed e) {
            throw new IllegalStateException(plan.stage() + " on the runtime: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(plan.stage() + ": interrupted", e);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        List<StepRecord> steps = MetricsJsonl.read(run.resolve("metrics.jsonl"));
        if (steps.size() != plan.training().steps() || result.steps() != plan.training().steps()) {
            throw new IllegalStateException(plan.stage() + " on the runtime: " + steps.size() + " steps in " + run.resolve("metrics.jsonl")
                    + ", " + result.steps() + " run, expected " + plan.training().steps());
        }
        List<Double> losses = new ArrayList<>();
        int skipped = 0;
        for (StepRecord s : steps) {
            losses.add(s.loss());
            skipped += s.skipped() ? 1 : 0;
        }
        StageRunner.check(plan.stage(), losses, skipped);
        return new Trained(result.parameters(), losses, skipped, seconds, DemoSettings.RUNTIME, trainers);
    }

    @Override
    public void close() {
        session.close();
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
