package org.un2clip.cluster.demo;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import org.un2clip.actors.objective.demo.TinyModels;
import org.un2clip.actors.objective.demo.Vocabulary;
import org.un2clip.model.clip.ClipModel;
import org.un2clip.model.clip.ClipTextConfig;
import org.un2clip.model.clip.ClipTokenizer;
import org.un2clip.model.clip.ClipVisionFormat;
import org.un2clip.model.clip.ClipWeights;
import org.un2clip.model.eval.UnclipGenerator;

/**
 * The demo's models in the formats real checkpoints come in, so {@code eval mmvp} and {@code reconstruct} run on
 * them as on any other: the tiny CLIP as an OpenAI state dict, the frozen generator as a generator folder.
 */
final class DemoExports {
    static final String DIR = "export";
    private static final String TOKENS = "token_embedding.weight";

    private DemoExports() {
    }

    /**
     * The tiny CLIP as an OpenAI CLIP state dict over the full BPE vocabulary: row k of its compact token table goes
     * to row {@code bpeIds[k]}, the other rows are zero. The compact map is monotone, so for every text the demo uses
     * the OpenAI tokenizer's ids give bit-identical text embeddings (same rows, same end-of-text position).
     */
    static void clip(Path file, ClipModel clip, Vocabulary vocab) throws IOException {
        ClipTextConfig t = clip.text().config();
        int vocabSize = ClipTokenizer.openAi().vocabSize();
        try (NDManager m = NDManager.newBaseManager();
             ClipModel full = ClipModel.create(clip.vision().config(), new ClipTextConfig(t.contextLength(), vocabSize, t.width(),
                     t.layers(), t.heads(), t.outputDim(), t.activation()), m)) {
            TinyModels.install(TinyModels.flat(clip.vision().params()), full.vision().params());
            clip.text().params().arrays().forEach((name, a) -> full.text().params().set(name,
                    name.equals(TOKENS) ? scatter(a.toFloatArray(), vocab.bpeIds(), vocabSize, t.width()) : a.toFloatArray()));
            full.setLogitScale(clip.logitScale());
            java.nio.file.Files.createDirectories(file.getParent());
            ClipWeights.exportModel(full, file, ClipVisionFormat.OPENAI);
        }
    }

    private static float[] scatter(float[] compact, int[] bpeIds, int vocabSize, int width) {
        float[] out = new float[vocabSize * width];
        for (int k = 0; k < bpeIds.length; k++) {
            System.arraycopy(compact, k * width, out, bpeIds[k] * width, width);
        }
        return out;
    }

    /** The frozen generator (UNet, VAE, augmentor statistics, empty-prompt context) with the original encoder. */
    static void generator(Path dir, UnclipGenerator.Parts parts) throws IOException {
        UnclipGenerator.write(dir, parts);
    }
}
