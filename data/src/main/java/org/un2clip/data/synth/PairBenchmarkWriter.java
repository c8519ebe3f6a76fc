package org.un2clip.data.synth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.un2clip.conf.KeyedRandom;
import org.un2clip.data.image.ImageEncoder;
import org.un2clip.data.image.RgbImage;

/**
 * Writes the miniature pair benchmark in MMVP-VLM's file layout: {@code Questions.csv} with rows
 * {@code qid,type,statement} (two rows per pair, qid counted from 1 across patterns, the odd row's image
 * first) and {@code MLLM_VLM Images/<type>/<qid>.<ext>}. Pair j of pattern p is a pure function of
 * (seed, p, j), so the same arguments give byte-identical files.
 */
public final class PairBenchmarkWriter {
    public static final String IMAGES_FOLDER = "MLLM_VLM Images";
    public static final String QUESTIONS = "Questions.csv";

    /** Image encoding of the pair benchmark. */
    public enum Format { PNG, JPG }

    private PairBenchmarkWriter() {
    }

    public static void write(Path out, int pairsPerPattern, long seed, int size, Format format) throws IOException {
        if (pairsPerPattern <= 0) {
            throw new IllegalArgumentException("pairs per pattern must be positive: " + pairsPerPattern);
        }
        StringBuilder csv = new StringBuilder("Question ID,Type,Statement\n");
        int qid = 1;
        for (Pattern p : Pattern.values()) {
            Path dir = out.resolve(IMAGES_FOLDER).resolve(p.folder());
            Files.createDirectories(dir);
            for (int j = 0; j < pairsPerPattern; j++) {
                Scene[] pair = p.pair(KeyedRandom.of(seed, 1 + p.ordinal(), j, KeyedRandom.Purpose.SYNTH_SCENE));
                for (Scene s : pair) {
                    RgbImage img = SceneRenderer.render(s, size);
                    byte[] bytes = format == Format.PNG ? ImageEncoder.png(img) : ImageEncoder.jpeg(img, 0.95f);
                    Files.write(dir.resolve(qid + (format == Format.PNG ? ".png" : ".jpg")), bytes);
                    csv.append(qid).append(',').append(quote(p.folder())).append(',')
                            .append(quote(SceneCaptions.description(s))).append('\n');
                    qid++;
                }
            }
        }
        Files.write(out.resolve(QUESTIONS), csv.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static String quote(String s) {
        return s.indexOf(',') >= 0 || s.indexOf('"') >= 0 ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }
}
