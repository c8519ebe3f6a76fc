package org.un2clip.cluster.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.un2clip.data.DataSettings;
import org.un2clip.data.DecodeBenchmark;
import org.un2clip.model.io.ReadThroughputBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "bench", description = "Benchmark programs that measure the speed goals (numbers for the README, not tests).",
        subcommands = {BenchCommand.Weights.class, BenchClipCommand.class, BenchStepCommand.class, BenchCommand.Data.class,
                BenchLinkCommand.class, BenchShardCommand.class, BenchOverheadCommand.class})
final class BenchCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "weights", description = "safetensors read throughput into float tensors (parameter storage, fresh float[]) vs a raw sequential read.")
    static final class Weights implements Callable<Integer> {
        @Option(names = "--size-mb", defaultValue = "1024", description = "File size (default ${DEFAULT-VALUE} MB).")
        long sizeMb;

        @Option(names = "--repeats", defaultValue = "5")
        int repeats;

        @Option(names = "--dir", description = "Where to write the file (default: a temporary folder).")
        Path dir;

        @Override
        public Integer call() throws Exception {
            Path folder = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("un2clip-bench");
            Path file = folder.resolve("bench.safetensors");
            try {
                ReadThroughputBench.writeFile(file, sizeMb << 20);
                ReadThroughputBench.Result r = ReadThroughputBench.run(file, repeats, System.out::println);
                System.out.printf("file %d MB: raw sequential read %.2f GB/s; safetensors into parameter storage %.2f GB/s"
                                + " (%.0f%% of raw; goal 80%%); into fresh float[] %.2f GB/s (%.0f%% of raw)%n",
                        r.bytes() >> 20, r.rawGBps(), r.storageGBps(), 100 * r.storageRatio(), r.arraysGBps(), 100 * r.arraysRatio());
            } finally {
                Files.deleteIfExists(file);
            }
            return 0;
        }
    }

    @Command(name = "data", description = {
            "Decode + preprocess throughput of a photo-like JPEG (default 500x375): OpenAI CLIP 224 crop, the 768 VAE crop,",
            "and the un²CLIP training layout (768 VAE + Stability CLIP 224 from it); images/s in total and per thread,",
            "and images per CPU-second of the decode threads (the per-core rate, also on a busy machine)."})
    static final class Data implements Callable<Integer> {
        @Option(names = "--images", defaultValue = "200", description = "Images per measurement (default ${DEFAULT-VALUE}).")
        int images;

        @Option(names = "--threads", split = ",", defaultValue = "1", description = "Thread counts to measure (default ${DEFAULT-VALUE}).")
        List<Integer> threads;

        @Option(names = "--width", defaultValue = "500")
        int width;

        @Option(names = "--height", defaultValue = "375")
        int height;

        @Mixin
        DataConfigOptions config;

        @Override
        public Integer call() throws Exception {
            DataSettings s = config.settings();
            DataCommand.requirePositive(images, "--images");
            byte[] jpeg = DecodeBenchmark.testJpeg(width, height);
            System.out.printf("input: %dx%d JPEG, %d bytes; %d cores%n", width, height, jpeg.length, Runtime.getRuntime().availableProcessors());
            System.out.printf("%-32s %8s %8s %10s %16s %16s%n", "layout", "threads", "images", "images/s", "images/s/thread",
                    "images/cpu-s");
            for (int t : threads) {
                DataCommand.requirePositive(t, "--threads");
                for (DecodeBenchmark.Layout l : DecodeBenchmark.standardLayouts(s.trainingViews())) {
                    DecodeBenchmark.Result r = DecodeBenchmark.run(l, jpeg, images, t, s.decoder());
                    System.out.printf("%-32s %8d %8d %10.1f %16.1f %16.1f%n", r.layout(), t, r.images(), r.imagesPerSecond(),
                            r.imagesPerSecondPerThread(), r.imagesPerCpuSecond());
                }
            }
            return 0;
        }
    }
}
