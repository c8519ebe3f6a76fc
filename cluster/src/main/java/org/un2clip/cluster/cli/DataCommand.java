package org.un2clip.cluster.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.un2clip.data.DataSettings;
import org.un2clip.data.DatasetVerifier;
import org.un2clip.data.SkipLedger;
import org.un2clip.data.SkipReason;
import org.un2clip.data.SkippedRecord;
import org.un2clip.data.source.DataSourceException;
import org.un2clip.data.synth.PairBenchmarkWriter;
import org.un2clip.data.synth.SynthDatasetWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "data", description = "Datasets: verify shards and folders, write the miniature world and its pair benchmark.",
        subcommands = {DataCommand.Verify.class, DataCommand.Synth.class, DataCommand.Pairs.class})
final class DataCommand {

    @Command(name = "verify", description = {
            "Scan WebDataset shards (files, brace patterns, folders of .tar) and image folders as training reads them;",
            "print counts per reason, the bad records, and last `records: N ok, M bad`.",
            "Exit 0 when the scan ran (with --strict: only when nothing is bad), 1 for bad records under --strict,",
            "2 when a path cannot be read at all."})
    static final class Verify implements Callable<Integer> {
        @Parameters(arity = "1..*", paramLabel = "PATH")
        List<String> paths;

        @Option(names = "--strict", description = "Exit 1 if any record is bad.")
        boolean strict;

        @Option(names = "--captions-required", description = "Count samples without a caption as bad.")
        boolean captionsRequired;

        @Mixin
        DataConfigOptions config;

        @Override
        public Integer call() throws InterruptedException {
            DataSettings s = config.settings();
            SkipLedger ledger = new SkipLedger(s.keepBadRecords(), false);
            DatasetVerifier.Report report;
            try {
                report = DatasetVerifier.verify(paths, s.decoder(), captionsRequired || s.captionsRequired(),
                        Runtime.getRuntime().availableProcessors(), ledger);
            } catch (DataSourceException e) {
                throw new Main.UserError(e.getMessage());
            }
            Map<SkipReason, Long> counts = ledger.counts();
            if (!counts.isEmpty()) {
                System.out.println("-- bad records per reason");
                counts.forEach((k, v) -> System.out.printf("  %-40s %d%n", k.label(), v));
                System.out.println("-- bad records" + (ledger.records().size() < report.bad() ? " (first " + ledger.records().size() + ")" : ""));
                for (SkippedRecord r : ledger.records()) {
                    System.out.println("  " + r);
                }
            }
            System.out.printf("records: %d ok, %d bad%n", report.ok(), report.bad());
            return strict && report.bad() > 0 ? 1 : 0;
        }
    }

    @Command(name = "synth", description = "Write the miniature world as WebDataset shards (PNG, coarse caption .txt, attributes .json).")
    static final class Synth implements Callable<Integer> {
        @Option(names = "--out", required = true, paramLabel = "DIR")
        Path out;

        @Option(names = "--images", required = true, paramLabel = "N")
        int images;

        @Option(names = "--seed", defaultValue = "0", paramLabel = "S")
        long seed;

        @Option(names = "--size", paramLabel = "PX", description = "Image side (default: data.synth.image-size).")
        Integer size;

        @Mixin
        DataConfigOptions config;

        @Override
        public Integer call() throws Exception {
            DataSettings s = config.settings();
            requirePositive(images, "--images");
            int side = size != null ? size : s.synthImageSize();
            requirePositive(side, "--size");
            List<Path> shards = SynthDatasetWriter.write(out, images, seed, side, s.synthShardSize());
            System.out.printf("wrote %d images (%dx%d, seed %d) in %d shards under %s%n", images, side, side, seed, shards.size(), out);
            return 0;
        }
    }

    @Command(name = "pairs", description = "Write the miniature pair benchmark in MMVP-VLM's layout (Questions.csv + one folder per pattern).")
    static final class Pairs implements Callable<Integer> {
        @Option(names = "--out", required = true, paramLabel = "DIR")
        Path out;

        @Option(names = "--pairs-per-pattern", defaultValue = "15", paramLabel = "K")
        int pairsPerPattern;

        @Option(names = "--seed", defaultValue = "0", paramLabel = "S")
        long seed;

        @Option(names = "--size", paramLabel = "PX", description = "Image side (default: data.synth.image-size).")
        Integer size;

        @Option(names = "--format", defaultValue = "PNG", description = "PNG (lossless) or JPG (as MMVP-VLM ships).")
        PairBenchmarkWriter.Format format;

        @Mixin
        DataConfigOptions config;

        @Override
        public Integer call() throws Exception {
            DataSettings s = config.settings();
            requirePositive(pairsPerPattern, "--pairs-per-pattern");
            int side = size != null ? size : s.synthImageSize();
            requirePositive(side, "--size");
            PairBenchmarkWriter.write(out, pairsPerPattern, seed, side, format);
            System.out.printf("wrote %d pairs (%d per pattern, seed %d) under %s%n", 9 * pairsPerPattern, pairsPerPattern, seed, out);
            return 0;
        }
    }

    static void requirePositive(int v, String option) {
        if (v <= 0) {
            throw new Main.UserError(option + " must be positive, got " + v);
        }
    }
}
