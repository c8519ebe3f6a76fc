package org.un2clip.cluster.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A finished stage's {@code stage.json}: the fingerprint of the configuration it was made from (its keys and every
 * earlier stage's), its wall time, its loss curve and small results. A stage whose record exists with the same
 * fingerprint is skipped on the next run; the record is written last, atomically, so a killed stage reruns.
 *
 * @param ranOn    where the stage ran: "runtime" (a training run on a local cluster) or "in-process" (this JVM)
 * @param trainers the trainer ranks its training steps were split over (0: not a training stage)
 */
public record StageRecord(String stage, String fingerprint, double seconds, String ranOn, int trainers, List<Double> losses,
                          Map<String, Object> results) {
    static final String FILE = "stage.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    static Optional<StageRecord> read(Path dir, String fingerprint) throws IOException {
        Path f = dir.resolve(FILE);
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        StageRecord r;
        try {
            r = JSON.readValue(f.toFile(), StageRecord.class);
        } catch (IOException e) {
            return Optional.empty(); // unreadable (half-written by an older version): redo the stage
        }
        return r.fingerprint().equals(fingerprint) ? Optional.of(r) : Optional.empty();
    }

    void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path tmp = dir.resolve(FILE + ".tmp");
        JSON.writeValue(tmp.toFile(), this);
        Files.move(tmp, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** SHA-256 of the previous stage's fingerprint and this stage's rendered keys. */
    static String fingerprint(String previous, String keys) {
        try {
            byte[] h = java.security.MessageDigest.getInstance("SHA-256")
                    .digest((previous + "|" + keys).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(h, 0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
