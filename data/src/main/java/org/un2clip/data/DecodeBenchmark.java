package org.un2clip.data;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.un2clip.conf.KeyedRandom;
import org.un2clip.data.image.ImageDecoder;
import org.un2clip.data.image.ImageEncoder;
import org.un2clip.data.image.RgbImage;
import org.un2clip.data.preprocess.ImagePreprocessor;
import org.un2clip.data.preprocess.PixelView;

/**
 * Decode + preprocess throughput on a photo-like JPEG (smooth gradients, texture, edges; default 500×375,
 * quality 90, the size of a typical CC3M image), per layout: images per second in total and per thread.
 */
public final class DecodeBenchmark {
    /**
     * One measured layout: wall-clock time, and the CPU time the worker threads used. Images per CPU-second
     * is the per-core throughput even on a machine shared with other work (where wall time is inflated).
     */
    public record Result(String layout, int threads, int images, double seconds, double cpuSeconds) {
        public double imagesPerSecond() {
            return images / seconds;
        }

        public double imagesPerSecondPerThread() {
            return imagesPerSecond() / threads;
        }

        public double imagesPerCpuSecond() {
            return images / cpuSeconds;
        }
    }

    /** A named list of views to produce per image. */
    public record Layout(String name, List<PixelView> views) {
    }

    private DecodeBenchmark() {
    }

    /** The measured layouts: the 224 CLIP crop, the 768 VAE crop, and the un²CLIP training pair (768 + 224 from it). */
    public static List<Layout> standardLayouts(List<PixelView> trainingViews) {
        return List.of(new Layout("decode+clip224", List.of(new PixelView.OpenAiClip(224))),
                new Layout("decode+vae768", List.of(new PixelView.Vae(768))),
                new Layout("decode+train(vae768+clip224)", trainingViews));
    }

    /** A deterministic photo-like test image. */
    public static RgbImage photoLike(int width, int height, long seed) {
        KeyedRandom r = KeyedRandom.of(seed, 0, 0, KeyedRandom.Purpose.OTHER);
        byte[] rgb = new byte[width * height * 3];
        double cx = width * (0.3 + 0.4 * r.nextDouble());
        double cy = height * (0.3 + 0.4 * r.nextDouble());
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double d = Math.hypot(x - cx, y - cy);
                boolean disc = d < Math.min(width, height) * 0.25;
                int i = (y * width + x) * 3;
                for (int c = 0; c < 3; c++) {
                    double v = disc ? 200 - 60 * c + 20 * Math.sin(x * 0.2 + c) : 40 + 150.0 * x / width + 30 * c * y / height;
                    v += 12 * Math.sin(x * 0.05 * (c + 1)) * Math.cos(y * 0.07) + 8 * (r.nextDouble() - 0.5);
                    rgb[i + c] = (byte) Math.max(0, Math.min(255, (int) Math.round(v)));
                }
            }
        }
        return new RgbImage(width, height, rgb);
    }

    public static Result run(Layout layout, byte[] jpeg, int images, int threads, ImageDecoder decoder) throws Exception {
        ImagePreprocessor pre = new ImagePreprocessor(layout.views());
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            // Warm-up: JIT the decode and resize paths before timing.
            runOnce(pool, pre, decoder, jpeg, Math.max(threads, images / 5), threads);
            long t0 = System.nanoTime();
            long cpuNanos = runOnce(pool, pre, decoder, jpeg, images, threads);
            return new Result(layout.name(), threads, images, (System.nanoTime() - t0) / 1e9, cpuNanos / 1e9);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Runs the images on the threads; returns the CPU nanoseconds the threads used. */
    private static long runOnce(ExecutorService pool, ImagePreprocessor pre, ImageDecoder decoder, byte[] jpeg, int images, int threads)
            throws Exception {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        List<Future<Long>> fs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int share = images / threads + (t < images % threads ? 1 : 0);
            Callable<Long> task = () -> {
                long cpu0 = mx.getCurrentThreadCpuTime();
                float[][] out = new float[pre.views().size()][];
                for (int v = 0; v < out.length; v++) {
                    out[v] = new float[pre.views().get(v).length()];
                }
                for (int i = 0; i < share; i++) {
                    pre.apply(decoder.decode(jpeg, "jpg"), out, 0);
                }
                return mx.getCurrentThreadCpuTime() - cpu0;
            };
            fs.add(pool.submit(task));
        }
        long cpu = 0;
        for (Future<Long> f : fs) {
            cpu += f.get();
        }
        return cpu;
    }

    public static byte[] testJpeg(int width, int height) {
        return ImageEncoder.jpeg(photoLike(width, height, 1), 0.9f);
    }
}
