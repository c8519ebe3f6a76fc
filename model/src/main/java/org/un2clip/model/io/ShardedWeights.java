package org.un2clip.model.io;

import java.nio.ByteBuffer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A Hugging Face sharded checkpoint: {@code *.safetensors.index.json} with a {@code weight_map}
 * from tensor name to shard file. Shards are opened on first use.
 */
public final class ShardedWeights implements WeightSource {
    private final Path index;
    private final Map<String, Path> weightMap = new LinkedHashMap<>();
    private final Map<Path, SafeTensorsFile> open = new LinkedHashMap<>();
    private final Map<String, String> metadata;

    public ShardedWeights(Path index) {
        this.index = index;
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(index.toFile());
        } catch (IOException e) {
            throw new WeightFileException(index, null, "index is not readable JSON: " + e.getMessage(), e);
        }
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject()) {
            throw new WeightFileException(index, null, "index has no 'weight_map' object");
        }
        Path dir = index.toAbsolutePath().getParent();
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new WeightFileException(index, e.getKey(), "weight_map value is not a file name");
            }
            Path shard = dir.resolve(e.getValue().textValue()).normalize();
            if (!shard.startsWith(dir)) {
                throw new WeightFileException(index, e.getKey(), "shard " + e.getValue() + " lies outside " + dir);
            }
            weightMap.put(e.getKey(), shard);
        }
        Map<String, String> meta = new LinkedHashMap<>();
        JsonNode m = root.get("metadata");
        if (m != null && m.isObject()) {
            m.fields().forEachRemaining(f -> meta.put(f.getKey(), f.getValue().asText()));
        }
        this.metadata = Collections.unmodifiableMap(meta);
    }

    private SafeTensorsFile shardOf(String name) {
        Path shard = weightMap.get(name);
        if (shard == null) {
            throw new WeightFileException(index, name, "not in the weight_map");
        }
        SafeTensorsFile file;
        synchronized (open) {     // tensors are read from several threads at once (readFloats of a map)
            file = open.computeIfAbsent(shard, SafeTensorsFile::open);
        }
        if (file.info(name) == null) {
            throw new WeightFileException(shard, name, "listed in " + index.getFileName() + " but absent from the shard");
        }
        return file;
    }

    @Override
    public Set<String> names() {
        return Collections.unmodifiableSet(weightMap.keySet());
    }

    @Override
    public TensorInfo info(String name) {
        return weightMap.containsKey(name) ? shardOf(name).info(name) : null;
    }

    @Override
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public float[] readFloats(String name) {
        return shardOf(name).readFloats(name);
    }

    @Override
    public void readFloats(String name, ByteBuffer destination) {
        shardOf(name).readFloats(name, destination);
    }

    @Override
    public long[] readLongs(String name) {
        return shardOf(name).readLongs(name);
    }

    @Override
    public void close() {
        open.values().forEach(SafeTensorsFile::close);
        open.clear();
    }
}
