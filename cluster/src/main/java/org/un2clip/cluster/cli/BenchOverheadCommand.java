package org.un2clip.cluster.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.un2clip.actors.BareLoop;
import org.un2clip.actors.InProcessRun;
import org.un2clip.conf.Un2clipConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "overhead", description = {
        "Time per step of the runtime (W = 1: coordinator, shards, trainer, Aeron, checkpoints at the end) vs a",
        "bare loop of the same step function and AdamW in one thread. Median of the steps after warm-up."})
final class BenchOverheadCommand implements Callable<Integer> {
    @Option(names = "--set", description = "Configuration overrides (e.g. train.toy.dim=1000000).")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--cluster", description = "Time `train` with a real trainer JVM instead of the in-process run.")
    boolean cluster;

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("un2clip-bench");
        List<String> o = new ArrayList<>(List.of("train.trainers=1", "train.steps=30", "train.toy.dim=1000000",
                "train.global-batch=32", "train.micro-batch=32", "run.dir=" + dir));
        o.addAll(overrides);
        Config c = Un2clipConfig.load(Optional.empty(), o);
        long steps = c.getLong("train.steps");
        long[] bare = new long[(int) steps];
        BareLoop.run(c, bare);
        if (cluster) {
            Main.run(withSets(List.of("train"), o).toArray(String[]::new));
        } else {
            InProcessRun.run(c, false, null);
        }
        ObjectMapper json = new ObjectMapper();
        List<String> lines = Files.readAllLines(dir.resolve("metrics.jsonl"));
        long[] runtime = lines.stream().mapToLong(l -> {
            try {
                return (long) (json.readTree(l).get("step_s").asDouble() * 1e9);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).toArray();
        double b = median(bare) / 1e6;
        double r = median(runtime) / 1e6;
        System.out.printf("overhead (%s, %d params, batch %d): bare loop %.2f ms/step, runtime %.2f ms/step, "
                + "overhead %.1f%%%n", cluster ? "trainer JVM" : "in-process", c.getInt("train.toy.dim"),
                c.getInt("train.global-batch"), b, r, 100 * (r - b) / b);
        return 0;
    }

    private static List<String> withSets(List<String> head, List<String> sets) {
        List<String> out = new ArrayList<>(head);
        for (String s : sets) {
            out.add("--set");
            out.add(s);
        }
        return out;
    }

    private static double median(long[] xs) {
        long[] tail = Arrays.copyOfRange(xs, Math.min(3, xs.length - 1), xs.length);
        Arrays.sort(tail);
        return tail[tail.length / 2];
    }
}
