package org.un2clip.model.clip;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.un2clip.model.io.WeightSource;

/** What the config inference of both CLIP towers reads from a checkpoint: stored configs, shapes, block counts. */
final class CheckpointShapes {
    private CheckpointShapes() {}

    /** The config this project stored under metadata {@code key}, or null when the file has none. */
    static <T> T stored(WeightSource checkpoint, String key, Function<JsonNode, T> parse) {
        String stored = checkpoint.metadata().get(key);
        if (stored == null) {
            return null;
        }
        try {
            return parse.apply(new ObjectMapper().readTree(stored));
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable " + key + " metadata: " + e.getMessage(), e);
        }
    }

    static long[] shape(WeightSource source, String name, String what) {
        if (!source.contains(name)) {
            throw new IllegalArgumentException(what + " has no " + name);
        }
        return source.info(name).shape();
    }

    /** 1 + the largest block index N among names {@code <prefix>N.*}; 0 when there is none. */
    static int blocks(WeightSource source, String prefix) {
        Pattern block = Pattern.compile(Pattern.quote(prefix) + "(\\d+)\\..*");
        int layers = 0;
        for (String name : source.names()) {
            Matcher m = block.matcher(name);
            if (m.matches()) {
                layers = Math.max(layers, Integer.parseInt(m.group(1)) + 1);
            }
        }
        return layers;
    }
}
