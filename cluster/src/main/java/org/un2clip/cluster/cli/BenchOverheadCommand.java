package org.un2clip.cluster.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.un2clip.actors.BareLoop;
import org.un2clip.actors.InProcessRun;
import org.un2clip.cluster.node.LocalRun;
import org.un2clip.conf.Un2clipConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "overhead", description = {
        "Time per step of the runtime (W = 1: coordinator, shards, trainer, Aeron, checkpoints at the end) vs a",
        "bare loop of the same step function and AdamW in one thread. Two measures: wall time (median of the",
        "steps after warm-up; only meaningful on a quiet machine) and CPU time per step (this process and the",
        "trainer JVMs it waited for, from /proc/self/stat; a long and a short run are subtracted, so start-up,",
        "JIT and the final checkpoint cancel out; robust to other load on the machine)."})
final class BenchOverheadCommand implements Callable<Integer> {
    @Option(names = "--config", description = "A configuration file or preset (e.g. tiny: the DJL un²CLIP objective).")
    String config;

    @Option(names = "--set", description = "Configuration overrides (e.g. train.toy.dim=1000000).")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--cluster", description = "Time `train` with a real trainer JVM instead of the in-process run.")
    boolean cluster;

    @Option(names = "--steps", defaultValue = "30", description = "Steps of the long runs (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--short-steps", defaultValue = "10", description = "Steps of the short runs (default ${DEFAULT-VALUE}).")
    int shortSteps;

    @Option(names = "--warm-up-steps", defaultValue = "20", description = {
            "Steps left out of the wall-time medians (default ${DEFAULT-VALUE}): a fresh trainer JVM compiles its hot",
            "Java (tensor wrappers, accumulation) during its first steps, a one-time cost of a run, not a per-step one."})
    int warmUpSteps;

    @Option(names = "--rounds", defaultValue = "2",
            description = "Bare/runtime alternations, each reported, then the median of their overheads.")
    int rounds;

    @Override
    public Integer call() throws Exception {
        if (shortSteps < 1 || steps <= shortSteps) {
            throw new Main.UserError("--steps must exceed --short-steps (>= 1)");
        }
        if (warmUpSteps < 0 || warmUpSteps > steps - 10) {
            throw new Main.UserError("--warm-up-steps must leave at least 10 of the --steps timed, got " + warmUpSteps);
        }
        Path dir = Files.createTempDirectory("un2clip-bench");
        List<String> base = new ArrayList<>(List.of("train.trainers=1", "train.steps=" + steps,
                "checkpoint.every-steps=0"));
        if (config == null) {   // the toy default: 1 M parameters, batch 32 in one micro-batch
            base.addAll(List.of("train.toy.dim=1000000", "train.global-batch=32", "train.micro-batch=32"));
        }
        base.addAll(overrides);
        base.add("train.trainers=1");
        Config c = Un2clipConfig.load(Optional.ofNullable(config), base);
        // The bare loop gets the intra-op threads a lone trainer JVM gets, so both run the same math.
        int threads = LocalRun.threadsPerTrainer(c, 1, Runtime.getRuntime().availableProcessors());
        TorchThreads.set(threads);
        double[] overheads = new double[rounds];
        double[] overheadsWithData = new double[rounds];
        double[] cpuOverheads = new double[rounds];
        long[] bare = new long[steps];
        long[] bareWithData = new long[steps];
        Path longRun = dir.resolve("long");
        runtime(base, dir.resolve("warm-up"), shortSteps);    // class loading, JIT, first driver start: untimed
        for (int round = 1; round <= rounds; round++) {
            BareLoop.run(c, bare);
            BareLoop.run(c, bareWithData, true);
            // CPU per step: (long − short) / (steps − shortSteps), bare loop (data included) and runtime alike.
            double t0 = processCpuSeconds();
            BareLoop.run(withSteps(c, shortSteps), null, true);
            double t1 = processCpuSeconds();
            BareLoop.run(c, null, true);
            double t2 = processCpuSeconds();
            double cpuBare = ((t2 - t1) - (t1 - t0)) / (steps - shortSteps);
            Path shortRun = dir.resolve("short-" + round);
            double r0 = processCpuSeconds();
            runtime(base, shortRun, shortSteps);
            double r1 = processCpuSeconds();
            deleteTree(longRun);
            runtime(base, longRun, steps);
            double r2 = processCpuSeconds();
            double cpuRuntime = ((r2 - r1) - (r1 - r0)) / (steps - shortSteps);
            Overhead o = report(round, c, threads, bare, bareWithData, longRun, cpuBare, cpuRuntime);
            overheads[round - 1] = o.vsBare();
            overheadsWithData[round - 1] = o.vsBareWithData();
            cpuOverheads[round - 1] = o.cpu();
        }
        if (rounds > 1) {
            // This machine's speed drifts by ±10 % over tens of seconds (shared cores): one round can land on either
            // side of the goal by chance; the median of the rounds' overheads is the number to quote.
            System.out.printf("median of %d rounds: overhead vs bare %.1f%%, vs bare with data %.1f%%, CPU %+.1f%%%n",
                    rounds, Stats.median(overheads), Stats.median(overheadsWithData), Stats.median(cpuOverheads));
        }
        deleteTree(dir);
        return 0;
    }

    /** One round's overheads, in percent. */
    private record Overhead(double vsBare, double vsBareWithData, double cpu) {}

    /** One round's wall-time medians (steps after the warm-up) and CPU per step. */
    private Overhead report(int round, Config c, int threads, long[] bare, long[] bareWithData, Path longRun, double cpuBare,
            double cpuRuntime) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<String> lines = Files.readAllLines(longRun.resolve("metrics.jsonl"));
        double b = median(bare) / 1e6;
        double bd = median(bareWithData) / 1e6;
        double r = median(column(json, lines, "step_s")) / 1e6;
        double rc = median(column(json, lines, "compute_s")) / 1e6;
        Overhead o = new Overhead(100 * (r - b) / b, 100 * (r - bd) / bd, 100 * (cpuRuntime - cpuBare) / cpuBare);
        String what = c.getString("train.objective").equals("toy") ? "toy, " + c.getInt("train.toy.dim") + " params"
                : c.getString("train.objective");
        System.out.printf("round %d/%d overhead (%s, %s, batch %d, %d intra-op threads, steps %d..%d, load %s): wall: bare "
                + "loop %.2f ms/step (%.2f with data); runtime %.2f ms/step, of which step function %.2f; overhead vs "
                + "bare %.1f%% (vs bare with data %.1f%%); time outside the step function %.1f%%%n", round, rounds,
                cluster ? "trainer JVM" : "in-process", what, c.getInt("train.global-batch"), threads, warmUpSteps,
                steps - 1, loadAverage(), b, bd, r, rc, o.vsBare(), o.vsBareWithData(), 100 * (r - rc) / rc);
        System.out.printf("round %d/%d overhead CPU per step (data included in both): bare loop %.1f ms, runtime %.1f ms: "
                + "%+.1f%%%n", round, rounds, cpuBare * 1e3, cpuRuntime * 1e3, o.cpu());
        return o;
    }

    private void runtime(List<String> base, Path runDir, int n) throws Exception {
        List<String> o = new ArrayList<>(base);
        o.add("run.dir=" + runDir);
        o.add("train.steps=" + n);
        if (cluster) {
            List<String> args = new ArrayList<>(List.of("train"));
            if (config != null) {
                args.add(config);
            }
            for (String s : o) {
                args.add("--set");
                args.add(s);
            }
            if (Main.run(args.toArray(String[]::new)) != 0) {
                throw new IllegalStateException("train failed");
            }
            // A child's CPU time reaches cutime when it has been reaped: wait until every trainer JVM is gone.
            for (ProcessHandle child : ProcessHandle.current().children().toList()) {
                child.onExit().get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
        } else {
            InProcessRun.run(Un2clipConfig.load(Optional.ofNullable(config), o), false, null);
        }
    }

    private static Config withSteps(Config c, int n) {
        return c.withValue("train.steps", com.typesafe.config.ConfigValueFactory.fromAnyRef(n));
    }

    /** utime + stime + cutime + cstime of this process: its threads and the child JVMs it waited for. */
    static double processCpuSeconds() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // Fields 14..17 of proc(5), counted from "state" (field 3) at index 0.
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
        return ticks / 100.0;   // USER_HZ is 100 on Linux
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var files = Files.walk(p)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }

    private static long[] column(ObjectMapper json, List<String> lines, String key) {
        return lines.stream().mapToLong(l -> {
            try {
                return (long) (json.readTree(l).get(key).asDouble() * 1e9);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).toArray();
    }

    private double median(long[] xs) {
        long[] tail = Arrays.copyOfRange(xs, warmUpSteps, xs.length);
        Arrays.sort(tail);
        return tail[tail.length / 2];
    }
}
