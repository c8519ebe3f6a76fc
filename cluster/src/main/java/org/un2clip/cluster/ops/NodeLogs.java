package org.un2clip.cluster.ops;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * A node's whole log in a run folder: {@code logs/NODE.log} and every file it was rotated into, oldest first.
 * Logs rotate under a long run: bin/un2clip-cluster keeps a restarted run's logs as {@code NODE.log.restart-N}
 * and a replaced node's as {@code NODE.log.YYYYMMDD-HHMMSS}, and a logback rolling appender makes
 * {@code NODE.log.1}, {@code NODE.2026-12-06.0.log}, {@code NODE-3.log.gz} and the like. Counting a line in
 * the live file alone would lose what was rotated away (a count could even go down), so the soak counts in
 * all of them. Rotated files are read once (gzip ones decompressed) and kept while their size and time stay.
 */
final class NodeLogs {
    private final Path dir;
    private final String node;
    /** What follows the node's name in one of its files: ".log[.anything]" or "./-" and a number or date, then ".log[.gz]". */
    private final Pattern rotated;
    private final Map<Path, Cached> cache = new HashMap<>();

    private record Cached(FileTime time, long size, String text) {}

    NodeLogs(Path logsDir, String node) {
        this.dir = logsDir;
        this.node = node;
        this.rotated = Pattern.compile(Pattern.quote(node) + "(\\.log(\\..+)?|[.-][0-9][^/]*\\.log(\\.gz)?)");
    }

    /** The node's log files, oldest first (by modification time; the live NODE.log last). */
    List<Path> files() throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        Path live = dir.resolve(node + ".log");
        try (Stream<Path> all = Files.list(dir)) {
            return all.filter(p -> rotated.matcher(p.getFileName().toString()).matches() && Files.isRegularFile(p))
                    .sorted(Comparator.<Path, Boolean>comparing(live::equals).thenComparing(NodeLogs::modified))
                    .toList();
        }
    }

    /** Every file's text, oldest first; "" when there is none yet. */
    String read() throws IOException {
        StringBuilder text = new StringBuilder();
        Path live = dir.resolve(node + ".log");
        for (Path f : files()) {
            try {
                text.append(f.equals(live) ? Files.readString(f) : rotatedText(f));
            } catch (java.nio.file.NoSuchFileException e) {
                // Rotated away (renamed) between the listing and the read: the next read sees it under its new name.
            }
        }
        return text.toString();
    }

    private String rotatedText(Path f) throws IOException {
        FileTime time = Files.getLastModifiedTime(f);
        long size = Files.size(f);
        Cached c = cache.get(f);
        if (c == null || !c.time().equals(time) || c.size() != size) {
            try (InputStream in = f.getFileName().toString().endsWith(".gz")
                    ? new GZIPInputStream(Files.newInputStream(f)) : Files.newInputStream(f)) {
                c = new Cached(time, size, new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            cache.put(f, c);
        }
        return c.text();
    }

    private static FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return FileTime.fromMillis(Long.MAX_VALUE);    // gone meanwhile: read() skips it
        }
    }
}
