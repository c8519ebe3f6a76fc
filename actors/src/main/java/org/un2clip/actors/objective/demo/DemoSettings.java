package org.un2clip.actors.objective.demo;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import java.nio.file.Path;
import java.util.List;

/** The {@code demo { }} section of the configuration (documented in conf/defaults.conf). */
public record DemoSettings(Path dir, long seed, int imageSize, int trainImages, int heldoutImages, int pairsPerPattern,
                           Clip clip, Training clipTraining, Vae vae, Training vaeTraining, Generator generator,
                           Training generatorTraining, Training un2clip, List<Long> un2clipSeeds, boolean ablations,
                           int ddimSteps, int reconstructions, String runner, int trainers, Config raw) {
    /** {@code demo.runner}: every training stage on the distributed runtime (a local cluster per stage). */
    public static final String RUNTIME = "runtime";
    /** {@code demo.runner}: the runtime's arithmetic in this JVM (fast unit tests of the pipeline logic). */
    public static final String IN_PROCESS = "in-process";


    /** The tiny CLIP's shape (vision and text towers). */
    public record Clip(int width, int layers, int heads, int patch, int embedDim, int textWidth, int textLayers,
                       int textHeads, int contextLength, double fineCaptionFraction) {}

    /** @param levels resolution levels of the autoencoder: the latent is 2^(levels-1) times smaller than the image */
    public record Vae(int channels, int levels, int latentChannels, double klWeight) {}

    public record Generator(int channels, int heads) {}

    /** One training stage: steps, global batch, AdamW learning rate, linear warm-up steps, weight decay. */
    public record Training(int steps, int batch, double lr, int warmup, double weightDecay) {
        static Training of(Config c) {
            return new Training(positive(c, "steps"), positive(c, "batch"), c.getDouble("lr"), c.getInt("warmup"),
                    c.getDouble("weight-decay"));
        }
    }

    public static DemoSettings from(Config root) {
        Config d = root.getConfig("demo");
        Config c = d.getConfig("clip");
        Config v = d.getConfig("vae");
        Config g = d.getConfig("generator");
        return new DemoSettings(Path.of(d.getString("dir")), d.getLong("seed"), positive(d, "image-size"),
                positive(d, "train-images"), positive(d, "heldout-images"), positive(d, "pairs-per-pattern"),
                new Clip(positive(c, "width"), positive(c, "layers"), positive(c, "heads"), positive(c, "patch"),
                        positive(c, "embed-dim"), positive(c, "text-width"), positive(c, "text-layers"),
                        positive(c, "text-heads"), positive(c, "context-length"), c.getInt("fine-caption-percent") / 100.0),
                Training.of(c.getConfig("train")),
                new Vae(positive(v, "channels"), positive(v, "levels"), positive(v, "latent-channels"), v.getDouble("kl-weight")),
                Training.of(v.getConfig("train")),
                new Generator(positive(g, "channels"), positive(g, "heads")), Training.of(g.getConfig("train")),
                Training.of(d.getConfig("un2clip")), d.getLongList("un2clip.seeds"), d.getBoolean("ablations"),
                positive(d, "ddim-steps"), d.getInt("reconstructions"), runner(d), positive(d, "trainers"), d);
    }

    private static String runner(Config d) {
        String r = d.getString("runner");
        if (!r.equals(RUNTIME) && !r.equals(IN_PROCESS)) {
            throw new org.un2clip.conf.ConfigException("demo.runner must be " + RUNTIME + " or " + IN_PROCESS + ", got '" + r + "'");
        }
        return r;
    }

    private static int positive(Config c, String key) {
        int v = c.getInt(key);
        if (v <= 0) {
            throw new org.un2clip.conf.ConfigException("demo: " + key + " must be positive, got " + v);
        }
        return v;
    }

    /** The rendered keys a stage depends on (its resume fingerprint covers them and every earlier stage's). */
    public String render(String... keys) {
        StringBuilder b = new StringBuilder();
        for (String k : keys) {
            b.append(k).append('=').append(raw.getValue(k).render(ConfigRenderOptions.concise())).append(';');
        }
        return b.toString();
    }
}
