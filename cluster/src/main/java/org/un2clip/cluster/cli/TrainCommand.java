package org.un2clip.cluster.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.un2clip.actors.InProcessRun;
import org.un2clip.actors.checkpoint.CheckpointStore;
import org.un2clip.actors.coordinator.RunResult;
import org.un2clip.actors.coordinator.RunSettings;
import org.un2clip.actors.plan.RunPlan;
import org.un2clip.cluster.node.CoordinatorNode;
import org.un2clip.cluster.node.LocalCluster;
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
        RunPlan plan = RunPlan.from(c);
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
            runCluster(c, plan, settings, restored, resolved, t0);
        }
        return 0;
    }

    private static void report(RunResult result, RunSettings settings, long t0) {
        System.out.printf("done: %d steps, final loss %.6f, %.1f s; encoder: %s%n", result.steps(), result.lastLoss(),
                (System.nanoTime() - t0) / 1e9, settings.runDir().resolve("encoder.safetensors"));
        System.out.flush();
    }

    /** Runs the cluster; reports as soon as the result is in (leaving the cluster takes a few seconds more). */
    private static void runCluster(Config c, RunPlan plan, RunSettings settings,
            Optional<CheckpointStore.Restore> restored, Path resolved, long t0) throws Exception {
        int threads = c.getInt("train.threads-per-trainer");
        if (threads <= 0) {
            threads = Math.max(1, Runtime.getRuntime().availableProcessors() / plan.trainers());
        }
        boolean ipc = c.getString("transport.media").equals("ipc");
        long joinDeadline = System.nanoTime() + c.getDuration("cluster.join-timeout").toNanos();
        try (CoordinatorNode node = new CoordinatorNode(c, List.of(), restored, System.out);
             LocalCluster children = new LocalCluster()) {
            for (int r = 0; r < plan.trainers(); r++) {
                children.startTrainer(r, resolved, node.clusterAddress(), ipc ? node.aeronDirectory() : null, threads,
                        settings.runDir().resolve("logs"));
            }
            while (true) {
                try {
                    report(node.done().get(1, TimeUnit.SECONDS), settings, t0);
                    return;
                } catch (TimeoutException e) {
                    int failed = children.failedChild();
                    if (failed >= 0 && !node.begun()) {
                        children.destroyAll();
                        throw new Main.UserError("trainer " + failed + " exited with an error; see "
                                + settings.runDir().resolve("logs/trainer-" + failed + ".log"));
                    }
                    // Once the run began a lost trainer is the coordinator's call: it re-plans over the others.
                    if (System.nanoTime() > joinDeadline && !node.begun()) {
                        children.destroyAll();
                        throw new Main.UserError("the trainers did not all join within cluster.join-timeout; see "
                                + settings.runDir().resolve("logs"));
                    }
                } catch (ExecutionException e) {
                    throw new Main.UserError("training failed: " + e.getCause().getMessage());
                }
            }
        }
    }
}
