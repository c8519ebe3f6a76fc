package org.un2clip.data;

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
    /** One measured layout. */
    public record Result(String layout, int threads, int images, double seconds) {
        public double imagesPerSecond() {
            return images / seconds;
        }

        public double imagesPerSecondPerThread() {
            return imagesPerSecond() / threads;
        }
    }

    private DecodeBenchmark() {
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

    public static Result run(String layout, List<PixelView> views, byte[] jpeg, int images, int threads, ImageDecoder decoder)
            throws Exception {
        ImagePreprocessor pre = new ImagePreprocessor(views);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            // Warm-up: JIT the decode and resize paths before timing.
            runOnce(pool, pre, decoder, jpeg, Math.max(threads, images / 5), threads);
            long t0 = System.nanoTime();
            runOnce(pool, pre, decoder, jpeg, images, threads);
            return new Result(layout, threads, images, (System.nanoTime() - t0) / 1e9);
        } finally {
            pool.shutdownNow();
        }
    }

    private static void runOnce(ExecutorService pool, ImagePreprocessor pre, ImageDecoder decoder, byte[] jpeg, int images, int threads)
            throws Exception {
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int share = images / threads + (t < images % threads ? 1 : 0);
            Callable<Void> task = () -> {
                float[][] out = new float[pre.views().size()][];
                for (int v = 0; v < out.length; v++) {
                    out[v] = new float[pre.views().get(v).length()];
                }
                for (int i = 0; i < share; i++) {
                    pre.apply(decoder.decode(jpeg, "jpg"), out, 0);
                }
                return null;
            };
            fs.add(pool.submit(task));
        }
        for (Future<?> f : fs) {
            f.get();
        }
    }

    public static byte[] testJpeg(int width, int height) {
        return ImageEncoder.jpeg(photoLike(width, height, 1), 0.9f);
    }
}
