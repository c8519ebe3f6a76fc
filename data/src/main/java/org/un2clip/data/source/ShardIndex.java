package org.un2clip.data.source;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.un2clip.data.SkipLedger;
import org.un2clip.data.SkipReason;
import org.un2clip.data.tar.TarEntry;
import org.un2clip.data.tar.TarFormatException;
import org.un2clip.data.tar.TarPaths;
import org.un2clip.data.tar.TarReader;

/**
 * Where each sample of one WebDataset shard lies: for every key, the offset and length of its image,
 * caption (.txt) and metadata (.json) members. Built by reading headers only (contents are skipped with
 * seeks), so a rank later reads exactly the bytes of the samples it was given.
 *
 * <p>Grouping follows WebDataset: a member's key is its path up to the first dot of its file name, the rest
 * is its extension; consecutive members with the same key form one sample. Members that point outside the
 * shard, keys without an image, and the sample the shard breaks in (truncated or corrupt tar) are skipped and
 * counted in the ledger.
 */
public final class ShardIndex {
    /** A member's place in the shard file; length -1 means absent. */
    public record Member(long offset, int length) {
        static final Member NONE = new Member(-1, -1);

        public boolean present() {
            return length >= 0;
        }
    }

    /** One indexed sample. */
    public record Entry(String key, String imageExt, Member image, Member caption, Member json) {
    }

    private final Path shard;
    private final List<Entry> entries;

    private ShardIndex(Path shard, List<Entry> entries) {
        this.shard = shard;
        this.entries = List.copyOf(entries);
    }

    public Path shard() {
        return shard;
    }

    public List<Entry> entries() {
        return entries;
    }

    /** Scans a shard file's headers. A file that cannot be opened at all raises {@link DataSourceException}. */
    public static ShardIndex scan(Path shard, SkipLedger ledger) {
        InputStream in;
        try {
            in = new BufferedInputStream(Files.newInputStream(shard), 1 << 16);
        } catch (IOException e) {
            throw new DataSourceException("cannot open shard " + shard + ": " + e.getMessage(), e);
        }
        try (TarReader tar = new TarReader(in)) {
            return scan(shard, tar, ledger);
        } catch (IOException e) {
            throw new DataSourceException("cannot read shard " + shard + ": " + e.getMessage(), e);
        }
    }

    static ShardIndex scan(Path shard, TarReader tar, SkipLedger ledger) {
        String source = shard.toString();
        List<Entry> out = new ArrayList<>();
        Group group = null;
        try {
            TarEntry e;
            while ((e = tar.next()) != null) {
                if (!e.isRegularFile()) {
                    continue;
                }
                if (!TarPaths.isSafe(e.name())) {
                    ledger.skip(source, e.name(), SkipReason.UNSAFE_PATH, "member " + e.name());
                    continue;
                }
                String[] keyExt = keyAndExtension(e.name());
                if (keyExt == null) {
                    continue;
                }
                if (group == null || !group.key.equals(keyExt[0])) {
                    if (group != null) {
                        group.finish(source, out, ledger);
                    }
                    group = new Group(keyExt[0]);
                }
                if (e.size() > Integer.MAX_VALUE - 16) {
                    ledger.skip(source, keyExt[0], SkipReason.UNREADABLE, "member " + e.name() + " is too large: " + e.size() + " bytes");
                    group.broken = true;
                    continue;
                }
                group.members.putIfAbsent(keyExt[1].toLowerCase(Locale.ROOT), new Member(e.dataOffset(), (int) e.size()));
            }
            if (group != null) {
                group.finish(source, out, ledger);
            }
        } catch (TarFormatException e) {
            String key = group != null ? group.key : e.member() != null ? e.member() : "(header at end)";
            ledger.skip(source, key, e.truncated() ? SkipReason.TRUNCATED_TAR : SkipReason.CORRUPT_TAR, e.getMessage());
        } catch (IOException e) {
            String key = group != null ? group.key : "(shard)";
            ledger.skip(source, key, SkipReason.UNREADABLE, e.getMessage());
        }
        return new ShardIndex(shard, out);
    }

    /** WebDataset's split: key = directory + file name up to its first dot; extension = the rest. */
    static String[] keyAndExtension(String path) {
        int slash = path.lastIndexOf('/');
        int dot = path.indexOf('.', slash + 1);
        if (dot <= slash + 1 || dot == path.length() - 1) {
            return null;
        }
        return new String[] {path.substring(0, dot), path.substring(dot + 1)};
    }

    private static final class Group {
        final String key;
        final Map<String, Member> members = new LinkedHashMap<>();
        boolean broken;

        Group(String key) {
            this.key = key;
        }

        void finish(String source, List<Entry> out, SkipLedger ledger) {
            if (broken) {
                return;
            }
            for (String ext : ImageExtensions.ALL) {
                Member image = members.get(ext);
                if (image != null) {
                    out.add(new Entry(key, ext, image, members.getOrDefault("txt", Member.NONE),
                            members.getOrDefault("json", Member.NONE)));
                    return;
                }
            }
            ledger.skip(source, key, SkipReason.MISSING_IMAGE, "members " + members.keySet());
        }
    }
}
