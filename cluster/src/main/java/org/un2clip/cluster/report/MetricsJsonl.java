package org.un2clip.cluster.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a run's metrics.jsonl as the runtime writes it: {@code step, loss, lr, images_per_s, step_s, bytes,
 * skipped}, per-phase times as {@code <phase>_s} fields (data_s, compute_s, send_s, wait_s) or a
 * {@code phases} object, and per-rank step times as {@code rank_step_s} (an array indexed by rank or an
 * object keyed by rank) when present. Unknown fields are ignored, so the runtime may add more.
 */
public final class MetricsJsonl {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Fields ending in "_s" that are not a phase's seconds. */
    private static final java.util.Set<String> NOT_PHASES = java.util.Set.of("step_s", "rank_step_s", "images_per_s");

    private MetricsJsonl() {}

    /** @throws IllegalArgumentException naming the file and line of a malformed record */
    public static List<StepRecord> read(Path file) {
        List<StepRecord> records = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = in.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    records.add(parse(JSON.readTree(line)));
                } catch (JsonProcessingException | IllegalArgumentException e) {
                    String why = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
                    throw new IllegalArgumentException(file + " line " + number + ": " + why, e);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return records;
    }

    /**
     * The last {@code n} records of a metrics file that is being appended to, reading only its tail (a
     * partly written last line is skipped). Empty when the file does not exist yet.
     */
    public static List<StepRecord> tail(Path file, int n) {
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
            long size = ch.size();
            int window = (int) Math.min(size, 2048L * Math.max(n, 1));
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(window);
            ch.read(buf, size - window);
            String text = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
            String[] lines = text.split("\n", -1);
            List<StepRecord> out = new ArrayList<>();
            // The first line may be cut by the window, the last one by a concurrent writer.
            int from = window == size ? 0 : 1;
            for (int i = from; i < lines.length - 1; i++) {
                if (!lines[i].isBlank()) {
                    try {
                        out.add(parse(JSON.readTree(lines[i])));
                    } catch (JsonProcessingException | IllegalArgumentException e) {
                        throw new IllegalArgumentException(file + ": bad record near the end: " + e.getMessage(), e);
                    }
                }
            }
            return out.subList(Math.max(0, out.size() - n), out.size());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    static StepRecord parse(JsonNode o) {
        if (!o.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        Map<String, Double> phases = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (f.getKey().endsWith("_s") && !NOT_PHASES.contains(f.getKey()) && f.getValue().isNumber()) {
                phases.put(f.getKey().substring(0, f.getKey().length() - 2), f.getValue().asDouble());
            }
        }
        if (o.has("phases")) {
            o.get("phases").fields().forEachRemaining(f -> phases.put(f.getKey(), number(f.getValue(), "phases")));
        }
        Map<Integer, Double> ranks = new TreeMap<>();
        JsonNode r = o.get("rank_step_s");
        if (r != null && r.isArray()) {
            for (int i = 0; i < r.size(); i++) {
                ranks.put(i, number(r.get(i), "rank_step_s"));
            }
        } else if (r != null && r.isObject()) {
            r.fields().forEachRemaining(f -> {
                try {
                    ranks.put(Integer.parseInt(f.getKey()), number(f.getValue(), "rank_step_s"));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("rank_step_s: '" + f.getKey() + "' is not a rank");
                }
            });
        }
        return new StepRecord(required(o, "step").asLong(), number(required(o, "loss"), "loss"),
                number(required(o, "lr"), "lr"), o.has("images_per_s") ? number(o.get("images_per_s"),
                "images_per_s") : Double.NaN, o.has("step_s") ? number(o.get("step_s"), "step_s") : Double.NaN,
                phases, o.path("bytes").asLong(0), ranks, o.path("skipped").asBoolean(false));
    }

    private static JsonNode required(JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("missing field '" + field + "'");
        }
        return v;
    }

    /** Numbers, and the strings "NaN"/"Infinity" Jackson writes for non-finite doubles. */
    private static double number(JsonNode v, String field) {
        if (v.isNumber()) {
            return v.asDouble();
        }
        if (v.isTextual()) {
            try {
                return Double.parseDouble(v.asText());
            } catch (NumberFormatException ignored) {
                // Reported below.
            }
        }
        throw new IllegalArgumentException("field '" + field + "' is not a number: " + v);
    }
}
