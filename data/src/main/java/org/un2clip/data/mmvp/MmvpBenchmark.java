package org.un2clip.data.mmvp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.un2clip.data.source.Csv;
import org.un2clip.data.source.DataSourceException;

/**
 * The MMVP-VLM files: {@code Questions.csv} (rows {@code qid, type, statement}, an optional header) read two
 * rows at a time, and the image of row qid at {@code <images>/<type>/<qid>.jpg} (.jpeg/.png accepted), where
 * {@code <images>} is the folder's {@code MLLM_VLM Images} subfolder if it has one, else the folder itself.
 * Both rows of a pair use the first row's type for the folder, as the upstream script does.
 */
public record MmvpBenchmark(Path folder, List<MmvpPair> pairs) {
    private static final String[] EXTENSIONS = {".jpg", ".jpeg", ".png"};

    public static MmvpBenchmark load(Path folder) {
        Path csv = folder.resolve("Questions.csv");
        byte[] data;
        try {
            data = Files.readAllBytes(csv);
        } catch (IOException e) {
            throw new DataSourceException("cannot read " + csv + ": " + e.getMessage(), e);
        }
        Path images = Files.isDirectory(folder.resolve("MLLM_VLM Images")) ? folder.resolve("MLLM_VLM Images") : folder;
        List<String[]> rows = new ArrayList<>();
        List<List<byte[]>> parsed = Csv.parse(data, (byte) ',');
        for (int i = 0; i < parsed.size(); i++) {
            List<byte[]> r = parsed.get(i);
            String first = new String(r.get(0), StandardCharsets.UTF_8).trim();
            if (i == 0 && !first.matches("\\d+")) {
                continue;
            }
            if (r.size() == 1 && r.get(0).length == 0) {
                continue; // a blank line
            }
            if (r.size() != 3) {
                // upstream unpacks exactly three columns; a statement with an unquoted comma would be cut short
                throw new DataSourceException(csv + " line " + (i + 1) + ": expected 3 columns (qid, type, statement), got " + r.size());
            }
            rows.add(new String[] {first, new String(r.get(1), StandardCharsets.UTF_8).trim(),
                new String(r.get(2), StandardCharsets.UTF_8).trim(), String.valueOf(i + 1)});
        }
        if (rows.isEmpty()) {
            throw new DataSourceException(csv + ": no statements (expected rows qid, type, statement after the header)");
        }
        if (rows.size() % 2 != 0) {
            throw new DataSourceException(csv + ": " + rows.size() + " statements, not an even number (rows pair up)");
        }
        List<MmvpPair> pairs = new ArrayList<>();
        for (int i = 0; i < rows.size(); i += 2) {
            String[] a = rows.get(i);
            String[] b = rows.get(i + 1);
            int q1 = qid(csv, a);
            int q2 = qid(csv, b);
            pairs.add(new MmvpPair(a[1], q1, a[2], image(images, a[1], q1), q2, b[2], image(images, a[1], q2)));
        }
        return new MmvpBenchmark(folder, List.copyOf(pairs));
    }

    private static int qid(Path csv, String[] row) {
        try {
            return Integer.parseInt(row[0]);
        } catch (NumberFormatException e) {
            throw new DataSourceException(csv + " line " + row[3] + ": qid '" + row[0] + "' is not a number");
        }
    }

    private static Path image(Path images, String type, int qid) {
        for (String ext : EXTENSIONS) {
            Path p = images.resolve(type).resolve(qid + ext);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new DataSourceException("missing image for qid " + qid + ": " + images.resolve(type).resolve(qid + ".jpg"));
    }
}
