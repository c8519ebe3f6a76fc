package org.un2clip.actors.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.un2clip.model.io.SafeTensorsFile;
import org.un2clip.model.io.SafeTensorsWriter;

/**
 * Checkpoints in {@code <run>/checkpoints/step-NNNNNNNN/}: optimizer.safetensors (master, exp_avg,
 * exp_avg_sq), coordinator.json, config.conf, and manifest.json with each file's size and CRC32C.
 * A checkpoint is written into a temporary folder, every file and the folder fsynced, the manifest last,
 * then renamed into place; only the last {@code keep} are kept. Loading takes the newest checkpoint whose
 * manifest checks out and falls back past damaged ones, saying why.
 */
public final class CheckpointStore {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String MANIFEST = "manifest.json";
    static final String OPTIMIZER = "optimizer.safetensors";
    static final String COORDINATOR = "coordinator.json";
    static final String CONFIG = "config.conf";

    private final Path root;
    private final int keep;

    public CheckpointStore(Path root, int keep) {
        if (keep < 1) {
            throw new IllegalArgumentException("checkpoint.keep must be >= 1: " + keep);
        }
        this.root = root;
        this.keep = keep;
    }

    public Path root() {
        return root;
    }

    public static String folderName(long step) {
        return String.format("step-%08d", step);
    }

    /** Writes one checkpoint (blocking; the Checkpointer calls it off the training path). */
    public Path write(TrainingState s, String resolvedConfig) throws IOException {
        Files.createDirectories(root);
        Path finalDir = root.resolve(folderName(s.step()));
        Path tmp = root.resolve(".tmp-" + folderName(s.step()) + "-" + ProcessHandle.current().pid());
        deleteTree(tmp);
        Files.createDirectories(tmp);
        new SafeTensorsWriter().metadata("adam_step", Long.toString(s.adamStep()))
                .add("master", new long[] {s.master().length}, s.master())
                .add("exp_avg", new long[] {s.expAvg().length}, s.expAvg())
                .add("exp_avg_sq", new long[] {s.expAvgSq().length}, s.expAvgSq())
                .write(tmp.resolve(OPTIMIZER));
        ObjectNode coord = JSON.createObjectNode();
        coord.put("step", s.step()).put("adam_step", s.adamStep()).put("seed", s.seed()).put("epoch", s.epoch())
                .put("offset", s.offset()).put("loss_scale", s.lossScale())
                .put("loss_scale_good_steps", s.lossScaleGoodSteps());
        if (!Double.isNaN(s.lrOverride())) {
            coord.put("lr_override", s.lrOverride());
        }
        writeSynced(tmp.resolve(COORDINATOR), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(coord));
        writeSynced(tmp.resolve(CONFIG), resolvedConfig.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("step", s.step());
        ObjectNode files = manifest.putObject("files");
        for (String f : List.of(OPTIMIZER, COORDINATOR, CONFIG)) {
            files.putObject(f).put("bytes", Files.size(tmp.resolve(f))).put("crc32c", crc32c(tmp.resolve(f)));
        }
        writeSynced(tmp.resolve(MANIFEST), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
        fsyncDirectory(tmp);
        deleteTree(finalDir);
        try {
            Files.move(tmp, finalDir, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot rename " + tmp + " atomically into place: " + e.getMessage(), e);
        }
        fsyncDirectory(root);
        prune();
        return finalDir;
    }

    /** Complete checkpoints, newest first. */
    public List<Path> list() throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(p -> p.getFileName().toString().matches("step-\\d{8}") && Files.isDirectory(p))
                    .sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed()).toList();
        }
    }

    /** The newest checkpoint that verifies, falling back past damaged ones (each logged with its reason). */
    public Optional<TrainingState> loadNewest() throws IOException {
        return restore().state();
    }

    /** A newer checkpoint that {@link #restore()} passed over, and why (missing file, size, CRC32C, parse). */
    public record Damaged(Path checkpoint, String reason) {}

    /**
     * What a resume found: the state of the newest checkpoint that verifies (empty when none does), its folder
     * (null when none), and the newer checkpoints skipped as damaged, newest first. The console's status and
     * the log show both, so a silent fall-back to an older step cannot go unnoticed.
     */
    public record Restore(Optional<TrainingState> state, Path checkpoint, List<Damaged> skipped) {
        public Restore {
            skipped = List.copyOf(skipped);
        }

        /** A run that did not resume. */
        public static Restore none() {
            return new Restore(Optional.empty(), null, List.of());
        }
    }

    /** Loads the newest checkpoint that verifies, falling back past damaged ones; logs each and the one used. */
    public Restore restore() throws IOException {
        List<Damaged> skipped = new ArrayList<>();
        for (Path dir : list()) {
            try {
                TrainingState state = load(dir);
                if (skipped.isEmpty()) {
                    LOG.info("resuming from checkpoint {} (step {})", dir, state.step());
                } else {
                    LOG.warn("resuming from checkpoint {} (step {}) after skipping {} damaged newer checkpoint(s): {}",
                            dir, state.step(), skipped.size(), skipped.stream().map(d -> d.checkpoint()
                                    .getFileName().toString()).toList());
                }
                return new Restore(Optional.of(state), dir, skipped);
            } catch (IOException | RuntimeException e) {
                LOG.warn("checkpoint {} is damaged, falling back to an older one: {}", dir, e.getMessage());
                skipped.add(new Damaged(dir, String.valueOf(e.getMessage())));
            }
        }
        if (!skipped.isEmpty()) {
            LOG.error("no checkpoint in {} verifies: all {} are damaged", root, skipped.size());
        }
        return new Restore(Optional.empty(), null, skipped);
    }

    /** Loads and verifies one checkpoint folder. */
    public TrainingState load(Path dir) throws IOException {
        Path manifestFile = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(manifestFile)) {
            throw new IOException("no " + MANIFEST);
        }
        JsonNode manifest = JSON.readTree(manifestFile.toFile());
        for (Map.Entry<String, JsonNode> f : manifest.get("files").properties()) {
            Path file = dir.resolve(f.getKey());
            if (!Files.isRegularFile(file)) {
                throw new IOException(f.getKey() + " is missing");
            }
            if (Files.size(file) != f.getValue().get("bytes").asLong()) {
                throw new IOException(f.getKey() + " has " + Files.size(file) + " bytes, manifest says "
                        + f.getValue().get("bytes").asLong());
            }
            if (crc32c(file) != f.getValue().get("crc32c").asLong()) {
                throw new IOException(f.getKey() + " fails its CRC32C check");
            }
        }
        JsonNode c = JSON.readTree(dir.resolve(COORDINATOR).toFile());
        try (SafeTensorsFile opt = SafeTensorsFile.open(dir.resolve(OPTIMIZER))) {
            return new TrainingState(c.get("step").asLong(), c.get("adam_step").asLong(), c.get("seed").asLong(),
                    c.get("epoch").asLong(), c.get("offset").asLong(), c.get("loss_scale").asDouble(),
                    opt.readFloats("master"), opt.readFloats("exp_avg"), opt.readFloats("exp_avg_sq"),
                    c.has("lr_override") ? c.get("lr_override").asDouble() : Double.NaN,
                    c.has("loss_scale_good_steps") ? c.get("loss_scale_good_steps").asInt() : 0);
        }
    }

    private void prune() throws IOException {
        List<Path> all = list();
        for (int i = keep; i < all.size(); i++) {
            deleteTree(all.get(i));
        }
    }

    static long crc32c(Path file) throws IOException {
        CRC32C crc = new CRC32C();
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                crc.update(buf, 0, n);
            }
        }
        return crc.getValue();
    }

    private static void writeSynced(Path file, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(bytes));
            ch.force(true);
        }
    }

    private static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }
}
