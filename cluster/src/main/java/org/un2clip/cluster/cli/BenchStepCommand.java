package org.un2clip.cluster.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.un2clip.model.golden.GoldenSet;
import org.un2clip.model.objective.StepBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bench step}: the un2CLIP training step, per phase. */
@Command(name = "step", description = {
        "Time the full un2CLIP training step (VAE encode, encoder forward, noise augmentation, UNet forward,",
        "backward, AdamW) on random images, with parts built from a golden manifest. Prints the per-phase",
        "breakdown and, last, step_ms median=X p10=Y p90=Z."})
final class BenchStepCommand implements Callable<Integer> {
    @Option(names = "--golden", paramLabel = "DIR", description = "Golden directory (default: the shipped public set).")
    Path golden;

    @Option(names = "--iters", defaultValue = "10", description = "Timed steps (default ${DEFAULT-VALUE}).")
    int iters;

    @Option(names = "--warmup", defaultValue = "2", description = "Untimed steps first (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--batch", defaultValue = "2", description = "Images per step (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--frozen-dtype", defaultValue = "f32", description = "f32 or f16 for the frozen VAE (default ${DEFAULT-VALUE}).")
    String frozenDtype;

    @Option(names = "--scale", defaultValue = "public",
            description = "public: the golden set's parts and weights; larger: 64 px, wider UNet/VAE/ViT with random weights.")
    String scale;

    @Option(names = "--query-slice", defaultValue = "1024", description = "Attention query slice (default ${DEFAULT-VALUE}).")
    int querySlice;

    @Override
    public Integer call() {
        if (iters < 1 || batch < 1 || warmup < 0) {
            throw new Main.UserError("bench step: --iters and --batch must be >= 1, --warmup >= 0");
        }
        StepBenchmark.Scale s = switch (scale) {
            case "public" -> StepBenchmark.Scale.PUBLIC;
            case "larger" -> StepBenchmark.Scale.LARGER;
            default -> throw new Main.UserError("bench step: --scale must be public or larger, got '" + scale + "'");
        };
        try (GoldenSet set = GoldenSet.open(golden != null ? golden : ShippedGolden.publicSet())) {
            StepBenchmark.run(set, new StepBenchmark.Settings(iters, warmup, batch, frozenDtype, s, querySlice), System.out);
        }
        return 0;
    }
}
