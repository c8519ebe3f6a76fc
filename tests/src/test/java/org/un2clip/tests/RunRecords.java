package org.un2clip.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What the drills read from a run folder: metrics.jsonl lines and the sample accounting. */
final class RunRecords {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RunRecords() {}

    /** Lines of a file that may not exist yet. */
    static long lines(Path file) throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        long n = 0;
        for (byte b : Files.readAllBytes(file)) {
            n += b == '\n' ? 1 : 0;
        }
        return n;
    }

    /**
     * Every step trained once, in order, each with {@code batch} samples; per epoch exactly {@code dataset}
     * samples; the encoder was written. Returns the longest step (s).
     */
    static double assertExactSampleAccounting(Path dir, long steps, int batch, int dataset) throws IOException {
        List<String> records = Files.readAllLines(dir.resolve("metrics.jsonl"));
        assertThat(records).hasSize((int) steps);
        Map<Long, Long> perEpoch = new TreeMap<>();
        double longest = 0;
        for (int i = 0; i < records.size(); i++) {
            JsonNode r = JSON.readTree(records.get(i));
            assertThat(r.get("step").asLong()).isEqualTo(i);
            assertThat(r.get("samples").asInt()).as("samples of step %d", i).isEqualTo(batch);
            perEpoch.merge(r.get("epoch").asLong(), r.get("samples").asLong(), Long::sum);
            longest = Math.max(longest, r.get("step_s").asDouble());
        }
        assertThat(perEpoch).hasSize((int) (steps * batch / dataset));
        assertThat(perEpoch.values()).allSatisfy(n -> assertThat(n).isEqualTo(dataset));
        assertThat(dir.resolve("encoder.safetensors")).exists();
        return longest;
    }
}
