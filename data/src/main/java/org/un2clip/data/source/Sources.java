package org.un2clip.data.source;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.un2clip.data.SkipLedger;

/**
 * Opens what users name as data: a shard file ({@code x.tar}), a brace pattern of shards, a folder of
 * shards (every top-level .tar, sorted), or a folder of images. Shards are indexed (headers only) here;
 * their contents are read later, lazily, sample by sample.
 */
public final class Sources {
    private Sources() {
    }

    public static SampleSource open(List<String> specs, SkipLedger ledger) {
        return open(specs, null, ledger);
    }

    /** As {@link #open(List, SkipLedger)}, with a captions file for image folders (null: look in the folder). */
    public static SampleSource open(List<String> specs, Path captionsFile, SkipLedger ledger) {
        if (specs.isEmpty()) {
            throw new DataSourceException("no data paths given (data.paths)");
        }
        List<SampleSource> parts = new ArrayList<>();
        try {
            for (String spec : specs) {
                parts.addAll(openOne(spec, captionsFile, ledger));
            }
        } catch (RuntimeException e) {
            parts.forEach(SampleSource::close);
            throw e;
        }
        return parts.size() == 1 ? parts.get(0) : new ConcatSource(parts);
    }

    static List<SampleSource> openOne(String spec, Path captionsFile, SkipLedger ledger) {
        List<String> expanded;
        try {
            expanded = ShardPatterns.expand(spec);
        } catch (IllegalArgumentException e) {
            throw new DataSourceException(e.getMessage(), e);
        }
        List<SampleSource> out = new ArrayList<>();
        for (String s : expanded) {
            Path p = Path.of(s);
            if (Files.isDirectory(p)) {
                List<Path> shards = shardsIn(p);
                if (shards.isEmpty()) {
                    out.add(ImageFolderSource.open(p, captionsFile));
                } else {
                    shards.forEach(shard -> out.add(new WebDatasetSource(ShardIndex.scan(shard, ledger))));
                }
            } else if (Files.isRegularFile(p) && s.toLowerCase().endsWith(".tar")) {
                out.add(new WebDatasetSource(ShardIndex.scan(p, ledger)));
            } else if (!Files.exists(p)) {
                throw new DataSourceException("no such file or folder: " + s);
            } else {
                throw new DataSourceException("not a .tar shard or a folder: " + s);
            }
        }
        return out;
    }

    private static List<Path> shardsIn(Path dir) {
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(f -> Files.isRegularFile(f) && f.getFileName().toString().toLowerCase().endsWith(".tar"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new DataSourceException("cannot list folder " + dir + ": " + e.getMessage(), e);
        }
    }
}
