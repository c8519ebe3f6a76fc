package org.un2clip.cluster.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.un2clip.actors.plan.RunPlan;
import org.un2clip.cluster.ops.Soak;
import org.un2clip.cluster.ops.SoakReport;
import org.un2clip.conf.Un2clipConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "soak", description = {
        "Soak test (not for CI): trains CONFIG (default: the tiny preset, many steps, a small epoch) on a local",
        "cluster under bin/un2clip-cluster supervision and injects a fault every few minutes from a seeded",
        "schedule: trainer SIGKILL + replacement, trainer SIGSTOP/SIGCONT, coordinator SIGKILL (automatic",
        "restart), damaged newest checkpoint + coordinator SIGKILL. Then stops the run and writes",
        "RUN_DIR/soak-report.json and soak-report.md. Exit 0 when every fault was recovered and no sample lost."})
final class SoakCommand implements Callable<Integer> {
    /** What the soak trains unless told otherwise: long enough, small epochs (so many complete ones), frequent checkpoints. */
    static final List<String> DEFAULTS = List.of("train.steps=1000000", "train.un2clip.dataset-size=128",
            "checkpoint.every-steps=5", "checkpoint.keep=3");

    @Option(names = "--minutes", paramLabel = "M", description = "How long to inject faults (default 30).")
    double minutes = 30;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the fault schedule (default 1).")
    long seed = 1;

    @Option(names = "--fault-every", paramLabel = "SEC", description = "Mean seconds between faults (default 180).")
    double faultEvery = 180;

    @Option(names = "--run-dir", paramLabel = "DIR", description = "Run folder (default runs/soak-SEED).")
    Path runDir;

    @Option(names = "--config", paramLabel = "CONFIG", description = "Preset or HOCON file (default tiny).")
    String config = "tiny";

    @Option(names = "--trainers", paramLabel = "N", description = "Trainer JVMs (default 2).")
    int trainers = 2;

    @Option(names = "--recover-within", paramLabel = "SEC", description = "Per fault (default 600).")
    long recoverWithin = 600;

    @Option(names = "--settle", paramLabel = "SEC", description = {
            "Normal training between a recovery and the next fault (default 30): a late fault waits for it."})
    double settle = 30;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a configuration key (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (minutes <= 0 || faultEvery <= 0 || trainers < 1) {
            throw new Main.UserError("--minutes, --fault-every and --trainers must be positive");
        }
        List<String> sets = new ArrayList<>(DEFAULTS);
        sets.addAll(overrides);
        List<String> withTrainers = new ArrayList<>(sets);
        withTrainers.add("train.trainers=" + trainers);
        RunPlan plan = RunPlan.from(Un2clipConfig.load(Optional.of(config), withTrainers));   // validates early
        Path root = Path.of(System.getProperty("un2clip.root", "."));
        Path dir = (runDir != null ? runDir : Path.of("runs", "soak-" + seed)).toAbsolutePath();
        // Enough restarts for every fault to be a coordinator kill.
        int maxRestarts = Soak.schedule(seed, minutes, faultEvery, trainers).size() + 1;
        SoakReport report = new Soak(new Soak.Settings(root, dir, config, sets, trainers, seed, minutes, faultEvery,
                settle, Duration.ofSeconds(recoverWithin), maxRestarts, plan.datasetSize(), plan.globalBatch()), System.out)
                .run();
        System.out.println(report.passed() ? "soak PASSED" : "soak FAILED");
        return report.passed() ? 0 : 1;
    }
}
