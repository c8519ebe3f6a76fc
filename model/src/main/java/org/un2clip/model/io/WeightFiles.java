package org.un2clip.model.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Opens whatever a user points at: a .safetensors file, a sharded index, or a model folder. */
public final class WeightFiles {
    private static final List<String> FOLDER_CANDIDATES = List.of(
            "model.safetensors", "diffusion_pytorch_model.safetensors", "open_clip_model.safetensors");

    private WeightFiles() {}

    public static WeightSource open(Path path) {
        if (Files.isDirectory(path)) {
            for (String candidate : FOLDER_CANDIDATES) {
                Path file = path.resolve(candidate);
                if (Files.isRegularFile(file)) {
                    return SafeTensorsFile.open(file);
                }
                Path index = path.resolve(candidate + ".index.json");
                if (Files.isRegularFile(index)) {
                    return new ShardedWeights(index);
                }
            }
            try (Stream<Path> files = Files.list(path)) {
                List<Path> all = files.filter(p -> p.toString().endsWith(".safetensors")).sorted().toList();
                if (all.size() == 1) {
                    return SafeTensorsFile.open(all.get(0));
                }
                throw new WeightFileException(path, null, all.isEmpty()
                        ? "folder holds no .safetensors file"
                        : "folder holds several .safetensors files and no index: name one of " + all);
            } catch (IOException e) {
                throw new WeightFileException(path, null, "cannot list folder: " + e, e);
            }
        }
        if (path.getFileName().toString().endsWith(".index.json")) {
            return new ShardedWeights(path);
        }
        if (!Files.exists(path)) {
            throw new WeightFileException(path, null, "no such file or folder");
        }
        return SafeTensorsFile.open(path);
    }
}
