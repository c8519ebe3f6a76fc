package org.un2clip.actors.objective.demo;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.un2clip.model.clip.Activation;
import org.un2clip.model.clip.ClipModel;
import org.un2clip.model.clip.ClipTextConfig;
import org.un2clip.model.clip.ClipVisionConfig;
import org.un2clip.model.io.WeightFiles;
import org.un2clip.model.io.WeightSource;
import org.un2clip.model.nn.Initializer;
import org.un2clip.model.nn.ParameterTable;
import org.un2clip.model.unclip.AutoencoderKL;
import org.un2clip.model.unclip.UNetConfig;
import org.un2clip.model.unclip.UNetModel;
import org.un2clip.model.unclip.VaeConfig;

/** The demo's three models at miniature size, freshly initialised from the seed, and their weight files. */
public final class TinyModels {
    private static final int QUERY_SLICE = 4096;

    private TinyModels() {
    }

    public static ClipModel clip(NDManager m, DemoSettings s, int vocabSize) {
        DemoSettings.Clip c = s.clip();
        ClipModel clip = ClipModel.create(
                new ClipVisionConfig(c.width(), c.layers(), c.heads(), c.patch(), s.imageSize(), c.embedDim(), Activation.QUICK_GELU),
                new ClipTextConfig(c.contextLength(), vocabSize, c.textWidth(), c.textLayers(), c.textHeads(), c.embedDim(),
                        Activation.QUICK_GELU), m);
        Initializer.initialize(clip.vision().params(), s.seed(), 1, n -> false);
        Initializer.initialize(clip.text().params(), s.seed(), 2, n -> false);
        return clip;
    }

    /** {@code levels} levels of constant width (2^(levels-1)× downsampling), attention only in the mid block. */
    public static AutoencoderKL vae(NDManager m, DemoSettings s) {
        DemoSettings.Vae v = s.vae();
        List<Integer> mult = java.util.Collections.nCopies(v.levels(), 1);
        AutoencoderKL vae = new AutoencoderKL(m, new VaeConfig(s.imageSize(), 3, 3, v.channels(), mult, 1, List.of(),
                v.latentChannels(), true, v.latentChannels()), true, QUERY_SLICE);
        Initializer.initialize(vae.encoderParameters(), s.seed(), 3, n -> false);
        Initializer.initialize(vae.decoderParameters(), s.seed(), 4, n -> false);
        return vae;
    }

    public static int latentSide(DemoSettings s) {
        int f = 1 << (s.vae().levels() - 1);
        if (s.imageSize() % f != 0 || s.imageSize() / f < 4) {
            throw new org.un2clip.conf.ConfigException("demo: image-size " + s.imageSize() + " does not make a latent of at least 4 px with "
                    + s.vae().levels() + " VAE levels");
        }
        return s.imageSize() / f;
    }

    /**
     * An ldm UNet on the latent: two levels, one res block each, a cross-attention transformer at the lower level
     * (context = the tiny CLIP text tower's empty prompt), ADM input y = [noised embedding, level embedding] (2·D),
     * as Stable unCLIP. Residual branches start at zero (ldm's zero_module).
     */
    public static UNetModel unet(NDManager m, DemoSettings s) {
        DemoSettings.Generator g = s.generator();
        UNetConfig cfg = new UNetConfig(latentSide(s), s.vae().latentChannels(), s.vae().latentChannels(), g.channels(),
                List.of(1, 2), 1, List.of(2), -1, g.heads(), 1, s.clip().textWidth(), 2 * s.clip().embedDim());
        UNetModel unet = new UNetModel(m, cfg, QUERY_SLICE);
        Initializer.initialize(unet.parameters(), s.seed(), 5,
                n -> n.contains("out_layers.3.") || n.contains("proj_out.") || n.startsWith("out.2."));
        return unet;
    }

    public static void save(ParameterTable table, Path file, Map<String, String> metadata) throws IOException {
        java.nio.file.Files.createDirectories(file.getParent());
        table.write(file, n -> n, metadata);
    }

    public static void load(ParameterTable table, Path file) {
        try (WeightSource w = WeightFiles.open(file)) {
            table.load(file.toString(), w, true);
        }
    }

    public static float[] flat(ParameterTable table) {
        float[] out = new float[Math.toIntExact(table.parameterCount())];
        table.copyTo(FloatBuffer.wrap(out));
        return out;
    }

    /** Installs consecutive slices of {@code flat} into the tables, in order; returns the floats used. */
    public static int install(float[] flat, ParameterTable... tables) {
        FloatBuffer b = FloatBuffer.wrap(flat);
        for (ParameterTable t : tables) {
            t.copyFrom(b);
        }
        return b.position();
    }
}
