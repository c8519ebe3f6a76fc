package org.un2clip.cluster.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** index.html of a report: the summary table, the plots and the run's configuration. */
public final class ReportPage {
    private ReportPage() {}

    public static Path write(Path dir, String runName, RunSummary s, List<ReportPlots.Plot> plots, String configName,
            String configText) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>un2clip report: ")
                .append(escape(runName)).append("</title>\n<style>body{font-family:sans-serif;margin:2em}"
                        + "td{padding:2px 12px}pre{background:#f4f4f4;padding:1em}</style></head><body>\n");
        h.append("<h1>un2clip run ").append(escape(runName)).append("</h1>\n<h2>Summary</h2>\n<table>\n");
        row(h, "steps recorded", s.steps() + " (steps " + s.firstStep() + " to " + s.lastStep() + ")");
        row(h, "loss first / last / min", num(s.firstLoss()) + " / " + num(s.lastLoss()) + " / " + num(s.minLoss()));
        row(h, "mean images/s", String.format(Locale.ROOT, "%.2f", s.meanImagesPerSecond()));
        row(h, "mean step time", String.format(Locale.ROOT, "%.4f s", s.meanStepSeconds()));
        row(h, "time in steps", String.format(Locale.ROOT, "%.1f s", s.wallSeconds()));
        row(h, "bytes moved", String.format(Locale.ROOT, "%,d", s.bytes()));
        row(h, "skipped steps (non-finite gradients)", Integer.toString(s.skippedSteps()));
        h.append("</table>\n<h2>Plots</h2>\n");
        for (ReportPlots.Plot p : plots) {
            h.append("<figure><img src=\"").append(escape(p.file())).append("\" alt=\"").append(escape(p.caption()))
                    .append("\"><figcaption>").append(escape(p.caption())).append("</figcaption></figure>\n");
        }
        h.append("<h2>Configuration</h2>\n");
        if (configText == null) {
            h.append("<p>No configuration file found in the run folder.</p>\n");
        } else {
            h.append("<p>").append(escape(configName)).append("</p>\n<pre>").append(escape(configText))
                    .append("</pre>\n");
        }
        h.append("</body></html>\n");
        Path file = dir.resolve("index.html");
        try {
            Files.writeString(file, h, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
        return file;
    }

    private static void row(StringBuilder h, String name, String value) {
        h.append("<tr><td>").append(escape(name)).append("</td><td>").append(escape(value)).append("</td></tr>\n");
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.6g", v);
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
