package org.un2clip.data.synth;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.un2clip.data.image.ImageEncoder;
import org.un2clip.data.image.RgbImage;
import org.un2clip.data.tar.TarWriter;

/**
 * Writes the miniature world as WebDataset shards, as img2dataset lays them out: {@code synth-00000.tar}
 * holding, per sample, {@code KEY.png}, {@code KEY.txt} (the coarse caption) and {@code KEY.json} (all
 * attributes and the fine caption). Sample i is a pure function of (seed, i); shards are written to a
 * temporary name and renamed, so the folder never holds half a shard. Same arguments → same bytes.
 */
public final class SynthDatasetWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SynthDatasetWriter() {
    }

    /** Writes {@code images} samples into {@code out} and returns the shard paths. */
    public static List<Path> write(Path out, int images, long seed, int size, int shardSize) throws IOException {
        if (images <= 0 || shardSize <= 0) {
            throw new IllegalArgumentException("images and shard size must be positive: " + images + ", " + shardSize);
        }
        Files.createDirectories(out);
        List<Path> shards = new ArrayList<>();
        for (int first = 0, shard = 0; first < images; first += shardSize, shard++) {
            Path path = out.resolve(String.format("synth-%05d.tar", shard));
            Path tmp = out.resolve(path.getFileName() + ".tmp");
            try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16);
                 TarWriter tar = new TarWriter(os)) {
                for (int i = first; i < Math.min(images, first + shardSize); i++) {
                    writeSample(tar, seed, i, size);
                }
            }
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            shards.add(path);
        }
        return shards;
    }

    private static void writeSample(TarWriter tar, long seed, int index, int size) throws IOException {
        Scene scene = SceneSampler.datasetScene(seed, index);
        RgbImage img = SceneRenderer.render(scene, size);
        String key = String.format("%09d", index);
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("key", key);
        meta.put("caption", SceneCaptions.coarse(scene));
        meta.put("fine_caption", SceneCaptions.fine(scene));
        meta.put("width", size);
        meta.put("height", size);
        meta.put("seed", seed);
        meta.put("index", index);
        meta.put("attributes", scene.attributes());
        tar.add(key + ".png", ImageEncoder.png(img));
        tar.add(key + ".txt", SceneCaptions.coarse(scene).getBytes(StandardCharsets.UTF_8));
        tar.add(key + ".json", JSON.writeValueAsBytes(meta));
    }
}
