package org.un2clip.cluster.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The report's PNG plots (XChart, headless): loss, images/s, step time per rank, time per phase. */
public final class ReportPlots {
    private static final int WIDTH = 900;
    private static final int HEIGHT = 420;

    /** A written plot: its file name (in the report folder) and caption. */
    public record Plot(String file, String caption) {}

    private ReportPlots() {}

    public static List<Plot> write(List<StepRecord> records, Path dir) {
        System.setProperty("java.awt.headless", "true");
        List<Plot> plots = new ArrayList<>();
        XYChart loss = chart("Loss", "loss");
        series(loss, "loss", records, StepRecord::loss);
        // Losses fall by orders of magnitude: a log axis keeps the late steps readable.
        boolean positive = records.stream().mapToDouble(StepRecord::loss).filter(Double::isFinite).allMatch(v -> v > 0);
        loss.getStyler().setYAxisLogarithmic(positive);
        plots.add(save(loss, dir, "loss.png", "Loss per step"));

        XYChart rate = chart("Throughput", "images/s");
        series(rate, "images/s", records, StepRecord::imagesPerSecond);
        plots.add(save(rate, dir, "images_per_s.png", "Images per second"));

        XYChart ranks = chart("Step time per rank", "seconds");
        Set<Integer> rankIds = new java.util.TreeSet<>();
        records.forEach(r -> rankIds.addAll(r.rankStepSeconds().keySet()));
        for (int rank : rankIds) {
            series(ranks, "rank " + rank, records, r -> r.rankStepSeconds().getOrDefault(rank, Double.NaN));
        }
        // Without per-rank times the runtime's global step time is the best there is.
        String rankCaption = "Step time per rank";
        if (rankIds.isEmpty()) {
            series(ranks, "global step", records, StepRecord::stepSeconds);
            rankCaption = "Step time (metrics.jsonl has no per-rank times: global step time shown)";
        }
        plots.add(save(ranks, dir, "step_time_per_rank.png", rankCaption));

        XYChart phases = chart("Time per phase", "seconds");
        Set<String> names = new LinkedHashSet<>();
        records.forEach(r -> names.addAll(r.phaseSeconds().keySet()));
        for (String phase : names) {
            series(phases, phase, records, r -> r.phaseSeconds().getOrDefault(phase, Double.NaN));
        }
        if (names.isEmpty()) {
            series(phases, "step", records, StepRecord::stepSeconds);
        }
        plots.add(save(phases, dir, "time_per_phase.png", names.isEmpty()
                ? "Time per phase (metrics.jsonl has no phase times: step time shown)" : "Time per phase"));
        return plots;
    }

    private static XYChart chart(String title, String yTitle) {
        XYChart c = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle("step")
                .yAxisTitle(yTitle).build();
        c.getStyler().setMarkerSize(0);
        c.getStyler().setLegendVisible(true);
        return c;
    }

    /** Adds the finite points of one quantity (XChart rejects NaN). */
    private static void series(XYChart chart, String name, List<StepRecord> records, ToDoubleFunction<StepRecord> y) {
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (StepRecord r : records) {
            double v = y.applyAsDouble(r);
            if (Double.isFinite(v)) {
                xs.add((double) r.step());
                ys.add(v);
            }
        }
        if (xs.isEmpty()) {
            xs.add(0.0);
            ys.add(0.0);
            name = name + " (no data)";
        }
        chart.addSeries(name, xs, ys).setMarker(SeriesMarkers.NONE);
    }

    private static Plot save(XYChart chart, Path dir, String file, String caption) {
        try {
            BitmapEncoder.saveBitmap(chart, dir.resolve(file).toString(), BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(file) + ": " + e.getMessage(), e);
        }
        return new Plot(file, caption);
    }
}
