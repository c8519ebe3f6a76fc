package org.un2clip.cluster.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.un2clip.model.io.TensorInfo;
import org.un2clip.model.io.WeightFiles;
import org.un2clip.model.io.WeightSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "weights", description = "Inspect weight files.", subcommands = WeightsCommand.Info.class)
final class WeightsCommand {

    @Command(name = "info", description = "List tensors, dtypes, shapes, the parameter count and per-prefix totals "
            + "of a .safetensors file, a sharded index or a model folder.")
    static final class Info implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "FILE")
        Path file;

        @Option(names = "--depth", defaultValue = "2", description = "Dotted name components per prefix total (default ${DEFAULT-VALUE}).")
        int depth;

        @Option(names = "--summary", description = "Only the totals, not every tensor.")
        boolean summary;

        @Override
        public Integer call() {
            try (WeightSource w = WeightFiles.open(file)) {
                long total = 0;
                long bytes = 0;
                Map<String, long[]> perPrefix = new TreeMap<>();
                for (String name : w.names()) {
                    TensorInfo t = w.info(name);
                    if (!summary) {
                        System.out.printf("%-80s %-5s %s%n", name, t.dtype(), t.shapeString());
                    }
                    total += t.elementCount();
                    bytes += t.byteLength();
                    long[] acc = perPrefix.computeIfAbsent(prefix(name, depth), k -> new long[2]);
                    acc[0] += 1;
                    acc[1] += t.elementCount();
                }
                System.out.println("-- per prefix (tensors, parameters)");
                perPrefix.forEach((k, v) -> System.out.printf("%-60s %6d %,16d%n", k, v[0], v[1]));
                System.out.printf("tensors: %d, parameters: %,d, bytes: %,d%n", w.names().size(), total, bytes);
                if (!w.metadata().isEmpty()) {
                    System.out.println("metadata keys: " + w.metadata().keySet());
                }
            }
            return 0;
        }

        static String prefix(String name, int depth) {
            String[] parts = name.split("\\.");
            return String.join(".", java.util.Arrays.copyOf(parts, Math.min(depth, Math.max(1, parts.length - 1))));
        }
    }
}
