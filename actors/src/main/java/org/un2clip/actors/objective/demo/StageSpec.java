package org.un2clip.actors.objective.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/**
 * What a process needs, beside the {@code demo { }} configuration, to rebuild one training stage of the demo
 * ({@code spec.json} in the stage's folder, written before the stage trains): which stage, the tiny CLIP's
 * vocabulary (BPE ids), the frozen parts' weight files, and the numbers earlier stages measured. The miniature
 * world itself is regenerated from the configuration (seed, sizes), so no image travels.
 *
 * @param stage        {@link #CLIP}, {@link #VAE}, {@link #GENERATOR} or {@link #UN2CLIP}
 * @param vocabulary   the tiny CLIP's vocabulary as increasing OpenAI BPE ids ({@link Vocabulary#bpeIds()})
 * @param weights      frozen or starting weights by role ({@link #VISION}, {@link #VAE_ENCODER}, {@link #VAE_DECODER},
 *                     {@link #UNET}): safetensors files in the tables' own naming
 * @param scaleFactor  the VAE latents' scale factor (generator, un2clip)
 * @param embeddingMean the image embeddings' mean and std over the training images (the noise augmentor's
 *                     normalisation; generator, un2clip)
 * @param context      the empty prompt's penultimate text-tower states (the UNet's constant cross-attention
 *                     context; generator, un2clip)
 * @param projector    un2clip: "none", "random" or "identity"
 * @param trainGenerator un2clip: the UNet trains too (ablation)
 * @param drawSeed     un2clip: the seed of the fine-tuning draws (and of the sample order)
 */
public record StageSpec(String stage, int[] vocabulary, Map<String, String> weights, float scaleFactor,
                        float[] embeddingMean, float[] embeddingStd, float[] context, String projector,
                        boolean trainGenerator, long drawSeed) {
    public static final String CLIP = "clip";
    public static final String VAE = "vae";
    public static final String GENERATOR = "generator";
    public static final String UN2CLIP = "un2clip";
    public static final String VISION = "vision";
    public static final String VAE_ENCODER = "vae-encoder";
    public static final String VAE_DECODER = "vae-decoder";
    public static final String UNET = "unet";
    public static final String FILE = "spec.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public StageSpec {
        if (!List.of(CLIP, VAE, GENERATOR, UN2CLIP).contains(stage)) {
            throw new IllegalArgumentException("stage spec: unknown stage '" + stage + "' (known: clip, vae, generator, un2clip)");
        }
        weights = weights == null ? Map.of() : Map.copyOf(weights);
    }

    public static StageSpec clip(int[] vocabulary) {
        return new StageSpec(CLIP, vocabulary, Map.of(), 0, null, null, null, "none", false, 0);
    }

    public static StageSpec vae(int[] vocabulary) {
        return new StageSpec(VAE, vocabulary, Map.of(), 0, null, null, null, "none", false, 0);
    }

    /** The stage's file of weights of {@code role}; a clear error when the spec lacks it. */
    Path weight(Path specFile, String role) {
        String f = weights.get(role);
        if (f == null) {
            throw new IllegalArgumentException(specFile + ": the " + stage + " stage needs weights '" + role + "' (has " + weights.keySet() + ")");
        }
        return Path.of(f);
    }

    /** Writes {@code dir/spec.json} (atomically) and returns its path. */
    public Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path tmp = dir.resolve(FILE + ".tmp");
        JSON.writeValue(tmp.toFile(), this);
        return Files.move(tmp, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    public static StageSpec read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("stage spec " + file + " does not exist (train.demo-stage.spec)");
        }
        try {
            return JSON.readValue(file.toFile(), StageSpec.class);
        } catch (IOException e) {
            throw new UncheckedIOException("stage spec " + file + " is not readable: " + e.getMessage(), e);
        }
    }
}
