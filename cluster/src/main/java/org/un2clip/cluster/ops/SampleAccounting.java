package org.un2clip.cluster.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The sample accounting of a run from its {@code metrics.jsonl} (one line per trained step, with epoch and
 * samples). A coordinator restart resumes from a checkpoint, so the steps after it are trained again and
 * appear twice: the later attempt is the one the parameters kept (the earlier one was rolled back with its
 * process), so per step the last line counts and the earlier ones are "redone".
 *
 * @param lines           metrics lines read
 * @param steps           distinct steps
 * @param redone          lines of steps that were trained again after a restart (lines - steps)
 * @param missing         steps in [0, last step] with no line
 * @param samplesPerEpoch per epoch, samples of the kept attempts (the last epoch may be incomplete)
 */
public record SampleAccounting(long lines, long steps, long redone, List<Long> missing,
        Map<Long, Long> samplesPerEpoch) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public SampleAccounting {
        missing = List.copyOf(missing);
        samplesPerEpoch = Map.copyOf(samplesPerEpoch);
    }

    /** Reads {@code metrics.jsonl}; a line that does not parse is an error naming the file and line. */
    public static SampleAccounting of(Path metrics) throws IOException {
        TreeMap<Long, long[]> lastAttempt = new TreeMap<>();     // step -> {epoch, samples}
        long lines = 0;
        for (String line : Files.readAllLines(metrics)) {
            if (line.isBlank()) {
                continue;
            }
            lines++;
            JsonNode r;
            try {
                r = JSON.readTree(line);
            } catch (IOException e) {
                throw new IOException(metrics + " line " + lines + " is not JSON: " + e.getMessage(), e);
            }
            if (!r.has("step") || !r.has("epoch") || !r.has("samples")) {
                throw new IOException(metrics + " line " + lines + " lacks step, epoch or samples: " + line);
            }
            lastAttempt.put(r.get("step").asLong(), new long[] {r.get("epoch").asLong(), r.get("samples").asLong()});
        }
        List<Long> missing = new ArrayList<>();
        TreeMap<Long, Long> perEpoch = new TreeMap<>();
        if (!lastAttempt.isEmpty()) {
            for (long s = 0; s <= lastAttempt.lastKey(); s++) {
                long[] a = lastAttempt.get(s);
                if (a == null) {
                    missing.add(s);
                } else {
                    perEpoch.merge(a[0], a[1], Long::sum);
                }
            }
        }
        return new SampleAccounting(lines, lastAttempt.size(), lines - lastAttempt.size(), missing, perEpoch);
    }

    /** Epochs (all but the newest, which may be in progress) whose sample count is not {@code datasetSize}. */
    public Map<Long, Long> wrongEpochs(long datasetSize) {
        TreeMap<Long, Long> wrong = new TreeMap<>();
        TreeMap<Long, Long> sorted = new TreeMap<>(samplesPerEpoch);
        if (!sorted.isEmpty()) {
            sorted.remove(sorted.lastKey());
        }
        sorted.forEach((epoch, n) -> {
            if (n != datasetSize) {
                wrong.put(epoch, n);
            }
        });
        return wrong;
    }

    /** Complete epochs (all but the newest). */
    public long completeEpochs() {
        return Math.max(0, samplesPerEpoch.size() - 1);
    }
}
