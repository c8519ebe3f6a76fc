package org.un2clip.cluster.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.un2clip.model.io.ReadThroughputBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", description = "Benchmark programs (numbers for the README, not tests).",
        subcommands = {BenchCommand.Weights.class, BenchClipCommand.class, BenchStepCommand.class})
final class BenchCommand {

    @Command(name = "weights", description = "safetensors read throughput into float tensors vs a raw sequential read.")
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
                System.out.printf("file %d MB: raw sequential read %.2f GB/s, safetensors → float[] %.2f GB/s (%.0f%% of raw)%n",
                        r.bytes() >> 20, r.rawGBps(), r.tensorGBps(), 100 * r.ratio());
            } finally {
                Files.deleteIfExists(file);
            }
            return 0;
        }
    }
}
