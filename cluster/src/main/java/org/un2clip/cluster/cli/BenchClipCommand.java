package org.un2clip.cluster.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.un2clip.model.clip.ClipBenchmark;
import org.un2clip.model.clip.ClipVisionConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "clip", description = {
        "CLIP vision tower forward and forward+backward with random weights: seconds per batch, GFLOP/s against the",
        "analytic FLOP count, the ratio to DJL's matMul GFLOP/s on the same GEMM shapes, and peak RSS."})
final class BenchClipCommand implements Callable<Integer> {

    @Option(names = "--model", defaultValue = "ViT-L-14", description = "Preset: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).",
            completionCandidates = Presets.class)
    String model;

    @Option(names = "--batch", split = ",", defaultValue = "1,8", description = "Batch sizes (default ${DEFAULT-VALUE}).")
    int[] batches;

    @Option(names = "--iters", defaultValue = "3", description = "Timed iterations per measurement, after one warm-up (default ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--no-backward", description = "Only the forward pass.")
    boolean noBackward;

    @Override
    public Integer call() {
        ClipVisionConfig config;
        try {
            config = ClipVisionConfig.preset(model);
        } catch (IllegalArgumentException e) {
            throw new Main.UserError(e.getMessage());
        }
        System.out.printf("analytic forward FLOPs per image: %.2f GFLOP (forward+backward counted as 3x)%n",
                ClipBenchmark.forwardFlops(config) / 1e9);
        new ClipBenchmark(config, iterations, System.out).run(batches, !noBackward);
        return 0;
    }

    static final class Presets implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return List.copyOf(ClipVisionConfig.presets().keySet()).iterator();
        }
    }
}
