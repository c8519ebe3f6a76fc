package org.un2clip.model.objective;

import ai.djl.ndarray.NDManager;
import java.io.PrintStream;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.un2clip.conf.KeyedRandom;
import org.un2clip.model.clip.Activation;
import org.un2clip.model.clip.ClipVision;
import org.un2clip.model.clip.ClipVisionConfig;
import org.un2clip.model.golden.GoldenSet;
import org.un2clip.model.objective.golden.E2eSuite;
import org.un2clip.model.step.TrainingBatch;
import org.un2clip.model.unclip.AutoencoderKL;
import org.un2clip.model.unclip.DiffusionSchedule;
import org.un2clip.model.unclip.Diffusion;
import org.un2clip.model.unclip.NoiseAugmentor;
import org.un2clip.model.unclip.UNetConfig;
import org.un2clip.model.unclip.UNetModel;
import org.un2clip.model.unclip.VaeConfig;

/**
 * Times the full un²CLIP training step (VAE encode, encoder forward, augmentation, UNet forward, staged backward,
 * AdamW over the flat vector) on random images, and prints a per-phase breakdown and
 * {@code step_ms median=X p10=Y p90=Z}.
 */
public final class StepBenchmark {

    /** Which parts to build: the golden set's own (weights from the set) or a larger random-weight configuration. */
    public enum Scale { PUBLIC, LARGER }

    public record Settings(int iters, int warmup, int batch, String frozenDtype, Scale scale, int querySlice) {}

    private StepBenchmark() {}

    public static double[] run(GoldenSet set, Settings s, PrintStream out) {
        try (NDManager m = NDManager.newBaseManager()) {
            Built b = build(m, set, s);
            ObjectiveStep step = new ObjectiveStep(m, b.objective, b.context, new long[] {b.contextLength, b.contextDim});
            int n = Math.toIntExact(step.parameterCount());
            float[] params = new float[n];
            step.initialParameters(FloatBuffer.wrap(params));
            float[] grads = new float[n];
            AdamW adamw = new AdamW(new AdamW.Hyper(1e-5, 0.9, 0.999, 1e-8, 0.01));
            AdamW.State state = new AdamW.State(n);
            out.printf("bench step: %s config, image %d px, batch %d, frozen %s, encoder %,d params, UNet %,d, VAE encoder %,d%n",
                    s.scale().name().toLowerCase(), b.imageSize, s.batch(), s.frozenDtype(), n,
                    b.objective.unet().parameters().parameterCount(), b.objective.vae().encoderParameters().parameterCount());
            List<long[]> phases = new ArrayList<>();
            long rssAfterWarmup = -1;
            List<Double> stepMs = new ArrayList<>();
            for (int it = 0; it < s.warmup() + s.iters(); it++) {
                TrainingBatch batch = randomBatch(it, s.batch(), b.imageSize);
                long start = System.nanoTime();
                long[] p = Phase.newTimes();
                FloatBuffer in = FloatBuffer.wrap(params);
                for (var t : b.objective.trainable()) {
                    t.copyFrom(in);
                }
                b.objective.zeroGradients();
                Un2clipObjective.Result r = step.run(batch, true);
                FloatBuffer g = FloatBuffer.wrap(grads);
                for (var t : b.objective.trainable()) {
                    t.gradientsTo(g);
                }
                long t0 = System.nanoTime();
                adamw.step(params, grads, 0, state);
                long end = System.nanoTime();
                for (int i = 0; i < p.length; i++) {
                    p[i] += r.phaseNanos()[i];
                }
                p[Phase.OPTIMIZER.ordinal()] += end - t0;
                if (!Double.isFinite(r.loss())) {
                    throw new IllegalStateException("benchmark step " + it + " produced loss " + r.loss());
                }
                if (it == s.warmup() - 1 || s.warmup() == 0 && it == 0) {
                    rssAfterWarmup = residentKiB();
                }
                if (it >= s.warmup()) {
                    phases.add(p);
                    stepMs.add((end - start) / 1e6);
                }
            }
            double[] total = percentiles(stepMs);
            double sumOfMedians = 0;
            double[] medians = new double[Phase.values().length];
            for (Phase ph : Phase.values()) {
                List<Double> v = new ArrayList<>();
                for (long[] p : phases) {
                    v.add(p[ph.ordinal()] / 1e6);
                }
                medians[ph.ordinal()] = percentiles(v)[0];
                sumOfMedians += medians[ph.ordinal()];
            }
            double other = Math.max(0, total[0] - sumOfMedians);
            for (Phase ph : Phase.values()) {
                out.printf("  %-16s %10.1f ms  %5.1f%%%n", ph.name().toLowerCase(), medians[ph.ordinal()],
                        100 * medians[ph.ordinal()] / total[0]);
            }
            out.printf("  %-16s %10.1f ms  %5.1f%%%n", "other (copies)", other, 100 * other / total[0]);
            long rssEnd = residentKiB();
            if (rssAfterWarmup > 0 && rssEnd > 0) {
                out.printf("rss: %.0f MiB after warm-up, %.0f MiB after %d steps (%+.2f MiB/step)%n", rssAfterWarmup / 1024.0,
                        rssEnd / 1024.0, s.iters(), (rssEnd - rssAfterWarmup) / 1024.0 / s.iters());
            }
            out.printf("step_ms median=%.1f p10=%.1f p90=%.1f%n", total[0], total[1], total[2]);
            return total;
        }
    }

    private record Built(Un2clipObjective objective, float[] context, long contextLength, long contextDim, int imageSize) {}

    private static Built build(NDManager m, GoldenSet set, Settings s) {
        int contextLength = set.config().path("context_len").asInt(77);
        if (s.scale() == Scale.PUBLIC) {
            Un2clipObjective o = E2eSuite.objective(m, set, ObjectiveOptions.defaults(), s.querySlice(), s.frozenDtype());
            int ctxDim = o.unet().config().contextDim();
            return new Built(o, randomContext(contextLength * ctxDim), contextLength, ctxDim, set.config().path("image_size").asInt());
        }
        // larger: 64 px images, a 3-level UNet of width 64 with 2 res blocks, a 4-layer ViT of width 128
        int image = 64;
        ClipVision encoder = ClipVision.create(new ClipVisionConfig(128, 4, 4, 8, 32, 64, Activation.QUICK_GELU), m);
        RandomWeights.fill(encoder.params(), 1, 0.02f);
        VaeConfig vaeConfig = new VaeConfig(image, 3, 3, 64, List.of(1, 2, 2), 1, List.of(), 4, true, 4);
        AutoencoderKL vae = new AutoencoderKL(m, vaeConfig, false, s.querySlice());
        RandomWeights.fill(vae.encoderParameters(), 2, 0.02f);
        UNetConfig unetConfig = new UNetConfig(16, 4, 4, 64, List.of(1, 2, 2), 2, List.of(1, 2), 32, -1, 1, 64, 128);
        UNetModel unet = new UNetModel(m, unetConfig, s.querySlice());
        RandomWeights.fill(unet.parameters(), 3, 0.02f);
        float[] mean = new float[64];
        float[] std = new float[64];
        Arrays.fill(std, 1f);
        Un2clipObjective o = new Un2clipObjective(m, encoder, vae, unet, NoiseAugmentor.standard(1000, mean, std, 64),
                new Diffusion(DiffusionSchedule.scaledLinear(0.00085, 0.012, 1000)), 0.18215f, ObjectiveOptions.defaults(),
                s.frozenDtype());
        return new Built(o, randomContext(contextLength * 64), contextLength, 64, image);
    }

    private static float[] randomContext(int n) {
        float[] c = new float[n];
        KeyedRandom.of(7, 0, 0, KeyedRandom.Purpose.OTHER).fillGaussian(c, 0, n);
        return c;
    }

    private static TrainingBatch randomBatch(int iteration, int batch, int size) {
        long[] ids = new long[batch];
        float[] px = new float[batch * 3 * size * size];
        KeyedRandom r = KeyedRandom.of(11, iteration, 0, KeyedRandom.Purpose.OTHER);
        for (int i = 0; i < batch; i++) {
            ids[i] = (long) iteration * batch + i;
        }
        for (int i = 0; i < px.length; i++) {
            px[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return new TrainingBatch(0, ids, px, new long[] {batch, 3, size, size});
    }

    /**
     * Resident set size of this process in KiB (Linux /proc), or -1 where unavailable, after a GC: parameter installs
     * go through direct buffers that only a GC returns, so without it RSS growth is not a leak signal.
     */
    static long residentKiB() {
        System.gc();
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** {median, p10, p90} of the values (nearest rank). */
    static double[] percentiles(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return new double[] {rank(v, 0.5), rank(v, 0.1), rank(v, 0.9)};
    }

    private static double rank(double[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
}
