package org.un2clip.model.golden;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.un2clip.model.io.SafeTensorsFile;
import org.un2clip.model.io.WeightFileException;
import org.un2clip.model.io.WeightSource;

/**
 * A golden directory: {@code manifest.json} (config, every tensor's role and tolerance), the upstream
 * weights and the golden tensors. Everything a suite builds comes from here; no shape is hard-coded.
 */
public final class GoldenSet implements AutoCloseable {
    private final Path dir;
    private final JsonNode manifest;
    private final Map<String, GoldenEntry> entries;
    private final WeightSource weights;
    private final WeightSource golden;

    private GoldenSet(Path dir, JsonNode manifest, Map<String, GoldenEntry> entries, WeightSource weights, WeightSource golden) {
        this.dir = dir;
        this.manifest = manifest;
        this.entries = entries;
        this.weights = weights;
        this.golden = golden;
    }

    public static GoldenSet open(Path dir) {
        JsonNode manifest = readManifest(dir);
        Path manifestFile = dir.resolve("manifest.json");
        JsonNode files = manifest.path("files");
        Path weightsFile = dir.resolve(files.path("weights").asText("weights.safetensors"));
        Path goldenFile = dir.resolve(files.path("golden").asText("golden.safetensors"));
        Map<String, GoldenEntry> entries = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = manifest.path("golden").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode n = e.getValue();
            long[] shape = new long[n.path("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = n.path("shape").get(i).asLong();
            }
            Double givenGrads = n.has("atol_given_golden_grads") ? n.get("atol_given_golden_grads").asDouble() : null;
            entries.put(e.getKey(), new GoldenEntry(e.getKey(), n.path("role").asText(), shape,
                    n.path("atol").asDouble(0), givenGrads, n.path("meaning").asText("")));
        }
        if (entries.isEmpty()) {
            throw new WeightFileException(manifestFile, null, "manifest lists no golden tensors");
        }
        WeightSource weights = SafeTensorsFile.open(weightsFile);
        WeightSource golden;
        try {
            golden = SafeTensorsFile.open(goldenFile);
        } catch (RuntimeException e) {
            weights.close();
            throw e;
        }
        return new GoldenSet(dir, manifest, Collections.unmodifiableMap(entries), weights, golden);
    }

    /** {@code dir/manifest.json}, parsed; a missing or unreadable one is an error naming the file. */
    public static JsonNode readManifest(Path dir) {
        Path manifestFile = dir.resolve("manifest.json");
        if (!Files.isRegularFile(manifestFile)) {
            throw new WeightFileException(manifestFile, null, "no manifest.json in " + dir);
        }
        try {
            return new ObjectMapper().readTree(manifestFile.toFile());
        } catch (IOException e) {
            throw new WeightFileException(manifestFile, null, "not readable JSON: " + e.getMessage(), e);
        }
    }

    public Path dir() {
        return dir;
    }

    /** The whole manifest. */
    public JsonNode manifest() {
        return manifest;
    }

    /** {@code manifest.config}: the model configuration every suite builds from. */
    public JsonNode config() {
        return manifest.path("config");
    }

    public Map<String, GoldenEntry> entries() {
        return entries;
    }

    /** Upstream weights under their upstream names. */
    public WeightSource weights() {
        return weights;
    }

    /** Golden inputs, outputs and intermediates. */
    public WeightSource golden() {
        return golden;
    }

    public float[] floats(String name) {
        return golden.readFloats(name);
    }

    public long[] longs(String name) {
        return golden.readLongs(name);
    }

    public long[] shape(String name) {
        return golden.info(name).shape();
    }

    @Override
    public void close() {
        weights.close();
        golden.close();
    }
}
