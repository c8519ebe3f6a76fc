package org.un2clip.model.clip;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Measures the vision tower on this machine: forward and forward+backward time per batch, the achieved GFLOP/s
 * against the analytic FLOP count, the same as a fraction of what DJL's plain matMul reaches on the tower's own
 * GEMM shapes, and the peak resident memory. Random weights (the numbers do not depend on their values).
 */
public final class ClipBenchmark {
    /**
     * One measured configuration. Throughputs use the best iteration (this machine's CPUs are shared, so the
     * best time is the least disturbed one); the median is reported beside it.
     */
    public record Result(String mode, int batch, double bestSeconds, double medianSeconds, double gflop,
                         double matmulGflops, long peakRssBytes) {
        public double gflops() {
            return gflop / bestSeconds;
        }

        public double ratio() {
            return gflops() / matmulGflops;
        }

        public String line() {
            return String.format("%-16s batch %2d  best %8.3f s  median %8.3f s  %7.1f GFLOP  %6.1f GFLOP/s  "
                    + "matmul %6.1f GFLOP/s  ratio %.2f  peak RSS %,d MiB", mode, batch, bestSeconds, medianSeconds,
                    gflop, gflops(), matmulGflops, ratio(), peakRssBytes >> 20);
        }
    }

    private static final double MATMUL_SECONDS = 1.0;

    private final ClipVisionConfig config;
    private final int iterations;
    private final PrintStream log;

    public ClipBenchmark(ClipVisionConfig config, int iterations, PrintStream log) {
        if (iterations < 1) {
            throw new IllegalArgumentException("iterations must be at least 1, got " + iterations);
        }
        this.config = config;
        this.iterations = iterations;
        this.log = log;
    }

    /** Forward FLOPs for one image (a multiply-add counts 2): patch conv, 24·N·W² + 4·N²·W per block, proj. */
    public static double forwardFlops(ClipVisionConfig c) {
        double n = c.tokens();
        double w = c.width();
        double patches = (double) c.grid() * c.grid();
        double conv = 2 * patches * w * 3 * c.patch() * c.patch();
        double block = 24 * n * w * w + 4 * n * n * w;
        return conv + c.layers() * block + 2 * w * c.outputDim();
    }

    public List<Result> run(int[] batches, boolean backward) {
        List<Result> results = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager(); ClipVision vision = ClipVision.create(config, manager)) {
            long t0 = System.nanoTime();
            randomise(vision);
            // The random init leaves ~1 GB of float[] garbage; collect it now, not concurrently with the timed runs.
            System.gc();
            log.printf("random %s weights: %,d parameters in %.1f s; torch threads: %s%n", config,
                    vision.params().parameterCount(), (System.nanoTime() - t0) / 1e9,
                    System.getProperty("ai.djl.pytorch.num_threads", "default (cores)"));
            for (int b : batches) {
                for (boolean withBackward : backward ? new boolean[] {false, true} : new boolean[] {false}) {
                    // The matmul baseline is measured right before each run, so both see the same machine load.
                    double matmul = matmulGflops(manager, b);
                    results.add(measure(vision, manager, b, withBackward, matmul));
                    log.println(results.get(results.size() - 1).line());
                }
            }
        }
        return results;
    }

    private Result measure(ClipVision vision, NDManager manager, int batch, boolean backward, double matmulGflops) {
        vision.params().setTrainable(backward);
        resetPeakRss();
        int r = config.resolution();
        double[] seconds = new double[iterations];
        for (int i = -1; i < iterations; i++) {        // i = −1: warm-up, not timed
            try (NDManager step = manager.newSubManager()) {
                NDArray pixels = step.randomNormal(0, 1, new Shape(batch, 3, r, r), DataType.FLOAT32);
                long start = System.nanoTime();
                if (backward) {
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray loss = vision.encode(pixels).sum();
                        gc.backward(loss);
                    }
                } else {
                    vision.encode(pixels).toFloatArray();
                }
                if (i >= 0) {
                    seconds[i] = (System.nanoTime() - start) / 1e9;
                }
            }
        }
        Arrays.sort(seconds);
        double gflop = forwardFlops(config) * batch * (backward ? 3 : 1) / 1e9;
        double median = iterations % 2 == 1 ? seconds[iterations / 2]
                : (seconds[iterations / 2 - 1] + seconds[iterations / 2]) / 2;
        return new Result(backward ? "forward+backward" : "forward", batch, seconds[0], median,
                gflop, matmulGflops, peakRss());
    }

    /**
     * DJL matMul throughput on the tower's GEMMs at this batch: (B·N, W)×(W, 3W), (W, W), (W, 4W), (4W, W), each
     * repeated for about {@link #MATMUL_SECONDS} after a warm-up; FLOPs over the sum of each shape's best time.
     */
    private double matmulGflops(NDManager manager, int batch) {
        long rows = (long) batch * config.tokens();
        long w = config.width();
        long[][] shapes = {{rows, w, 3 * w}, {rows, w, w}, {rows, w, 4 * w}, {rows, 4 * w, w}};
        double flops = 0;
        double seconds = 0;
        try (NDManager m = manager.newSubManager()) {
            for (long[] s : shapes) {
                NDArray a = m.randomNormal(0, 1, new Shape(s[0], s[1]), DataType.FLOAT32);
                NDArray b = m.randomNormal(0, 1, new Shape(s[1], s[2]), DataType.FLOAT32);
                a.matMul(b).close();                    // warm-up
                long start = System.nanoTime();
                long best = Long.MAX_VALUE;
                do {
                    long t = System.nanoTime();
                    a.matMul(b).close();                // PyTorch CPU ops are synchronous: the product is done here
                    best = Math.min(best, System.nanoTime() - t);
                } while (System.nanoTime() - start < MATMUL_SECONDS * 1e9);
                seconds += best / 1e9;
                flops += 2.0 * s[0] * s[1] * s[2];
            }
        }
        return flops / seconds / 1e9;
    }

    private void randomise(ClipVision vision) {
        SplittableRandom rnd = new SplittableRandom(1);
        vision.params().arrays().forEach((name, a) -> {
            float[] v = new float[Math.toIntExact(a.size())];
            boolean gain = name.endsWith(".weight") && a.getShape().dimension() == 1;
            for (int i = 0; i < v.length; i++) {
                v[i] = gain ? 1f : (float) (0.04 * (rnd.nextDouble() - 0.5));
            }
            a.set(FloatBuffer.wrap(v));
        });
    }

    /** Resets the kernel's peak-RSS counter (VmHWM) for this process; harmless where unsupported. */
    private static void resetPeakRss() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException | UnsupportedOperationException | SecurityException ignored) {
            // Then the peak covers the whole run so far.
        }
    }

    /** VmHWM from /proc/self/status, in bytes (0 where there is no /proc). */
    public static long peakRss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException ignored) {
            // Not Linux: no peak to report.
        }
        return 0;
    }
}
