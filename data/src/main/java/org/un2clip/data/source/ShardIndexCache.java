package org.un2clip.data.source;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.un2clip.data.SkipReason;
import org.un2clip.data.SkippedRecord;

/**
 * Shard indexes stored in a folder, so that a rank (or a second run) opens a dataset without reading every
 * shard's headers again. An entry is keyed by the shard's absolute path, size and modification time: a
 * shard that changed is scanned afresh. A damaged or unreadable cache file is ignored (and rewritten).
 */
public final class ShardIndexCache {
    private static final Logger LOG = LoggerFactory.getLogger(ShardIndexCache.class);
    private static final int MAGIC = 0x55324958; // "U2IX"
    private static final int VERSION = 1;

    private final Path dir;

    public ShardIndexCache(Path dir) {
        this.dir = dir;
    }

    /** The cached index of this exact shard file, or null. */
    ShardIndex load(Path shard) {
        Path file;
        try {
            file = fileFor(shard);
        } catch (IOException e) {
            return null;
        }
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            if (in.readInt() != MAGIC || in.readInt() != VERSION) {
                return null;
            }
            int n = in.readInt();
            List<ShardIndex.Entry> entries = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                entries.add(new ShardIndex.Entry(in.readUTF(), in.readUTF(), member(in), member(in), member(in)));
            }
            int m = in.readInt();
            List<SkippedRecord> skipped = new ArrayList<>(m);
            for (int i = 0; i < m; i++) {
                skipped.add(new SkippedRecord(shard.toString(), in.readUTF(), SkipReason.valueOf(in.readUTF()), in.readUTF()));
            }
            return new ShardIndex(shard, entries, skipped);
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("ignoring damaged shard index cache {}: {}", file, e.toString());
            return null;
        }
    }

    /** Stores an index (atomically: temporary file, then rename). Failure to write only costs a later rescan. */
    void save(ShardIndex index) {
        try {
            Files.createDirectories(dir);
            Path file = fileFor(index.shard());
            Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp)))) {
                out.writeInt(MAGIC);
                out.writeInt(VERSION);
                out.writeInt(index.entries().size());
                for (ShardIndex.Entry e : index.entries()) {
                    out.writeUTF(e.key());
                    out.writeUTF(e.imageExt());
                    member(out, e.image());
                    member(out, e.caption());
                    member(out, e.json());
                }
                out.writeInt(index.skipped().size());
                for (SkippedRecord r : index.skipped()) {
                    out.writeUTF(r.key());
                    out.writeUTF(r.reason().name());
                    out.writeUTF(r.detail() == null ? "" : truncate(r.detail()));
                }
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.warn("cannot write shard index cache in {}: {}", dir, e.toString());
        }
    }

    Path fileFor(Path shard) throws IOException {
        Path abs = shard.toAbsolutePath().normalize();
        String id = abs + "|" + Files.size(abs) + "|" + Files.getLastModifiedTime(abs).toMillis();
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
            return dir.resolve(abs.getFileName() + "-" + HexFormat.of().formatHex(digest, 0, 8) + ".idx");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static ShardIndex.Member member(DataInputStream in) throws IOException {
        return new ShardIndex.Member(in.readLong(), in.readInt());
    }

    private static void member(DataOutputStream out, ShardIndex.Member m) throws IOException {
        out.writeLong(m.offset());
        out.writeInt(m.length());
    }

    private static String truncate(String s) {
        return s.length() > 1000 ? s.substring(0, 1000) : s;
    }
}
