package org.un2clip.cluster.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.un2clip.actors.InProcessRun;
import org.un2clip.actors.checkpoint.CheckpointStore;
import org.un2clip.actors.coordinator.RunResult;
import org.un2clip.actors.coordinator.RunSettings;
import org.un2clip.actors.plan.RunPlan;
import org.un2clip.cluster.node.LocalRun;
import org.un2clip.conf.Un2clipConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "train", description = {
        "Train on this machine: a coordinator/aggregator process (this one) and train.trainers trainer JVMs on",
        "127.0.0.1, joined in a Pekko Cluster, tensors over Aeron. Writes run.dir: metrics.jsonl, checkpoints/,",
        "logs/, encoder.safetensors."})
final class TrainCommand implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "CONFIG", description = "A HOCON file or preset name.")
    String config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a configuration key (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--resume", description = "Continue from the newest complete checkpoint in run.dir.")
    boolean resume;

    @Option(names = "--in-process", description = "Run every role in this JVM (no child JVMs, no cluster).")
    boolean inProcess;

    @Override
    public Integer call() throws Exception {
        Config c = Un2clipConfig.load(Optional.ofNullable(config), overrides);
        RunPlan.from(c);     // a bad train { } section fails before anything starts
        RunSettings settings = RunSettings.from(c);
        Files.createDirectories(settings.runDir());
        Path resolved = settings.runDir().resolve("resolved.conf");
        Files.writeString(resolved, c.root().render(ConfigRenderOptions.concise().setFormatted(true)));
        Optional<CheckpointStore.Restore> restored = Optional.empty();
        if (resume) {
            restored = Optional.of(InProcessRun.restore(settings));
            if (restored.get().state().isEmpty()) {
                throw new Main.UserError("--resume: no complete checkpoint in " + settings.checkpoints());
            }
            System.out.println("resuming from step " + restored.get().state().get().step() + " ("
                    + restored.get().checkpoint() + ")");
        }
        long t0 = System.nanoTime();
        if (inProcess) {
            report(InProcessRun.run(c, resume, System.out), settings, t0);
        } else {
            runCluster(c, settings, restored, resolved, t0);
        }
        return 0;
    }

    private static void report(RunResult result, RunSettings settings, long t0) {
        System.out.printf("done: %d steps, final loss %.6f, %.1f s; encoder: %s%n", result.steps(), result.lastLoss(),
                (System.nanoTime() - t0) / 1e9, settings.runDir().resolve("encoder.safetensors"));
        System.out.flush();
    }

    /** Runs the cluster; reports as soon as the result is in (leaving the cluster takes a few seconds more). */
    private static void runCluster(Config c, RunSettings settings, Optional<CheckpointStore.Restore> restored, Path resolved,
            long t0) throws Exception {
        try {
            LocalRun.run(c, resolved, restored, System.out, r -> report(r, settings, t0));
        } catch (LocalRun.Failed e) {
            throw new Main.UserError(e.getMessage());
        }
    }
}
