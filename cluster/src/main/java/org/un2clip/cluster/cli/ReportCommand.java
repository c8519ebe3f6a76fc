package org.un2clip.cluster.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.un2clip.cluster.report.MetricsJsonl;
import org.un2clip.cluster.report.ReportPage;
import org.un2clip.cluster.report.ReportPlots;
import org.un2clip.cluster.report.RunSummary;
import org.un2clip.cluster.report.StepRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "report", description = {
        "Plot a run: reads RUN_DIR/metrics.jsonl and writes loss, images/s, step time per rank and time per",
        "phase as PNG plus an index.html with the summary and the run's configuration."})
final class ReportCommand implements Callable<Integer> {
    /** Where runs keep their configuration, in order of preference. */
    static final List<String> CONFIG_FILES = List.of("config.conf", "resolved.conf", "run.conf");

    @Parameters(paramLabel = "RUN_DIR", description = "The run folder.")
    Path runDir;

    @Option(names = "--out", paramLabel = "DIR", description = "Report folder (default: RUN_DIR/report).")
    Path out;

    @Override
    public Integer call() throws IOException {
        Path metrics = runDir.resolve("metrics.jsonl");
        if (!Files.isRegularFile(metrics)) {
            throw new Main.UserError(metrics + " does not exist (is " + runDir + " a run folder?)");
        }
        List<StepRecord> records;
        RunSummary summary;
        try {
            records = MetricsJsonl.read(metrics);
            summary = RunSummary.of(records);
        } catch (IllegalArgumentException e) {
            throw new Main.UserError(e.getMessage().startsWith(metrics.toString()) ? e.getMessage()
                    : metrics + ": " + e.getMessage());
        }
        Path dir = out != null ? out : runDir.resolve("report");
        Files.createDirectories(dir);
        List<ReportPlots.Plot> plots = ReportPlots.write(records, dir);
        String configName = null;
        String configText = null;
        for (String name : CONFIG_FILES) {
            if (Files.isRegularFile(runDir.resolve(name))) {
                configName = runDir.resolve(name).toString();
                configText = Files.readString(runDir.resolve(name), StandardCharsets.UTF_8);
                break;
            }
        }
        Path page = ReportPage.write(dir, runDir.toAbsolutePath().normalize().getFileName().toString(), summary,
                plots, configName, configText);
        System.out.printf(Locale.ROOT, "%d steps, loss %.6g -> %.6g, %.2f images/s mean%n", summary.steps(),
                summary.firstLoss(), summary.lastLoss(), summary.meanImagesPerSecond());
        System.out.println("report: " + page);
        return 0;
    }
}
