package org.un2clip.data.source;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.un2clip.data.BadRecordException;
import org.un2clip.data.SkipReason;

/**
 * A folder of images (searched recursively, ordered by relative path), with optional captions: a captions
 * file of rows {@code path<TAB>caption} (.tsv) or {@code path,caption} (.csv, quoted as RFC 4180) whose paths
 * are relative to the folder, or a {@code name.txt} beside {@code name.jpg}. A file named in the captions
 * file wins over a sidecar .txt. A header row whose first field is path/file/filename/image is skipped.
 */
public final class ImageFolderSource implements SampleSource {
    public static final List<String> CAPTION_FILE_NAMES = List.of("captions.tsv", "captions.csv");

    private final Path root;
    private final List<String> files;
    private final Map<String, byte[]> captions;

    private ImageFolderSource(Path root, List<String> files, Map<String, byte[]> captions) {
        this.root = root;
        this.files = files;
        this.captions = captions;
    }

    /** Opens a folder; {@code captionsFile} may be null (then captions.tsv/.csv in the folder, if present). */
    public static ImageFolderSource open(Path root, Path captionsFile) {
        if (!Files.isDirectory(root)) {
            throw new DataSourceException("not a folder: " + root);
        }
        List<String> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(Files::isRegularFile)
                    .map(p -> root.relativize(p).toString().replace('\\', '/'))
                    .filter(rel -> ImageExtensions.isImage(ImageExtensions.extensionOf(rel)))
                    .sorted()
                    .forEach(files::add);
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new DataSourceException("cannot list folder " + root + ": " + e.getMessage(), e);
        }
        Path cf = captionsFile;
        if (cf == null) {
            for (String name : CAPTION_FILE_NAMES) {
                if (Files.isRegularFile(root.resolve(name))) {
                    cf = root.resolve(name);
                    break;
                }
            }
        }
        return new ImageFolderSource(root, List.copyOf(files), cf == null ? Map.of() : readCaptions(cf));
    }

    static Map<String, byte[]> readCaptions(Path file) {
        byte[] data;
        try {
            data = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new DataSourceException("cannot read captions file " + file + ": " + e.getMessage(), e);
        }
        byte delimiter = file.getFileName().toString().toLowerCase().endsWith(".csv") ? (byte) ',' : (byte) '\t';
        Map<String, byte[]> out = new HashMap<>();
        List<List<byte[]>> rows = Csv.parse(data, delimiter);
        for (int r = 0; r < rows.size(); r++) {
            List<byte[]> row = rows.get(r);
            String path = new String(row.get(0), StandardCharsets.UTF_8).trim().replace('\\', '/');
            if (r == 0 && List.of("path", "file", "filename", "image").contains(path.toLowerCase())) {
                continue;
            }
            if (row.size() < 2) {
                throw new DataSourceException("captions file " + file + " row " + (r + 1) + ": expected path and caption");
            }
            out.put(path.startsWith("./") ? path.substring(2) : path, row.get(1));
        }
        return out;
    }

    @Override
    public int size() {
        return files.size();
    }

    @Override
    public SampleLocation location(int index) {
        return new SampleLocation(root.toString(), files.get(index));
    }

    @Override
    public RawRecord read(int index) throws BadRecordException {
        String rel = files.get(index);
        try {
            byte[] image = Files.readAllBytes(root.resolve(rel));
            byte[] caption = captions.get(rel);
            if (caption == null) {
                caption = sidecar(rel);
            }
            return new RawRecord(root.toString(), rel, ImageExtensions.extensionOf(rel), image, caption, null);
        } catch (NoSuchFileException e) {
            throw new BadRecordException(SkipReason.UNREADABLE, "file vanished: " + rel, e);
        } catch (IOException e) {
            throw new BadRecordException(SkipReason.UNREADABLE, e.getMessage(), e);
        }
    }

    private byte[] sidecar(String rel) throws IOException {
        int dot = rel.lastIndexOf('.');
        Path txt = root.resolve(rel.substring(0, dot) + ".txt");
        return Files.isRegularFile(txt) ? Files.readAllBytes(txt) : null;
    }

    @Override
    public void close() {
        // Files are opened per read.
    }
}
