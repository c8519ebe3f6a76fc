package org.un2clip.actors.coordinator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** metrics.jsonl (one JSON object per step) and the progress line on the console. */
final class MetricsLog implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final BufferedWriter out;
    private final PrintStream console;
    private final long totalSteps;
    private long lastPrintNs;

    MetricsLog(Path file, PrintStream console, long totalSteps) {
        try {
            Files.createDirectories(file.getParent());
            this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + file + ": " + e.getMessage(), e);
        }
        this.console = console;
        this.totalSteps = totalSteps;
    }

    void step(long step, long epoch, double loss, double lr, int images, double seconds, double[] phaseSeconds, long bytes,
            double clipCoefficient, boolean skipped, int ranks, double lossScale) {
        ObjectNode o = JSON.createObjectNode();
        // epoch + samples: the sample accounting (per epoch, the samples trained must equal the dataset size).
        o.put("step", step).put("epoch", epoch).put("samples", images).put("loss", loss).put("lr", lr).put("images_per_s", images / seconds)
                .put("step_s", seconds).put("data_s", phaseSeconds[0]).put("compute_s", phaseSeconds[1])
                .put("send_s", phaseSeconds[2]).put("wait_s", phaseSeconds[3]).put("bytes", bytes)
                .put("clip", clipCoefficient).put("skipped", skipped).put("ranks", ranks).put("loss_scale", lossScale);
        try {
            out.write(o.toString());
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to metrics.jsonl: " + e.getMessage(), e);
        }
        long now = System.nanoTime();
        if (console != null && (now - lastPrintNs > 500_000_000L || step + 1 == totalSteps)) {
            lastPrintNs = now;
            double eta = seconds * (totalSteps - step - 1);
            console.printf("step %d/%d  loss %.6f  lr %.3g  %.1f img/s  ETA %.0fs%n", step + 1, totalSteps, loss, lr,
                    images / seconds, eta);
        }
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException ignored) {
            // Everything was flushed line by line.
        }
    }
}
