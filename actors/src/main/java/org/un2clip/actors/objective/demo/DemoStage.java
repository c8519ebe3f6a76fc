package org.un2clip.actors.objective.demo;

import ai.djl.ndarray.NDManager;
import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.file.Path;
import org.un2clip.actors.objective.Objectives;
import org.un2clip.actors.objective.OwnedStepFunction;
import org.un2clip.conf.ConfigException;
import org.un2clip.model.clip.ClipModel;
import org.un2clip.model.clip.ClipVision;
import org.un2clip.model.io.SafeTensorsWriter;
import org.un2clip.model.objective.AutoencoderObjective;
import org.un2clip.model.objective.ContrastiveObjective;
import org.un2clip.model.objective.ObjectiveOptions;
import org.un2clip.model.objective.ObjectiveStep;
import org.un2clip.model.objective.Un2clipObjective;
import org.un2clip.model.step.StepFunction;
import org.un2clip.model.step.TrainingBatch;
import org.un2clip.model.unclip.AutoencoderKL;
import org.un2clip.model.unclip.Diffusion;
import org.un2clip.model.unclip.DiffusionSchedule;
import org.un2clip.model.unclip.NoiseAugmentor;
import org.un2clip.model.unclip.UNetModel;

/**
 * One training stage of the demo as the runtime trains it ({@code train.objective = demo-stage}): every process —
 * the coordinator (initial parameters) and each trainer JVM — rebuilds the stage's step function from the
 * {@code demo { }} configuration and the stage's {@link StageSpec} ({@code train.demo-stage.spec}): the tiny models
 * freshly initialised from the seed, the frozen parts loaded from the spec's weight files, the training images
 * rendered from the world's seed. The in-process runner builds the same object, so both run the same code.
 *
 * <ul>
 *   <li>clip: CLIP's symmetric InfoNCE on the scenes' captions (vision tower, text tower, logit scale);</li>
 *   <li>vae: the KL autoencoder (encoder, decoder);</li>
 *   <li>generator: the unCLIP UNet on the frozen CLIP's image embeddings (Stable unCLIP's recipe);</li>
 *   <li>un2clip: the image encoder against the frozen generator (plus projector / UNet in the ablations).</li>
 * </ul>
 */
public final class DemoStage implements Objectives {
    public static final String OBJECTIVE = "demo-stage";
    private final DemoSettings settings;
    private final StageSpec spec;
    private final Path specFile;
    private MiniatureImages images;

    public DemoStage(DemoSettings settings, StageSpec spec, Path specFile) {
        this.settings = settings;
        this.spec = spec;
        this.specFile = specFile;
    }

    /** From a resolved configuration: {@code demo { }} and {@code train.demo-stage { spec, dataset-size }}. */
    public static DemoStage of(Config root) {
        String file = root.getString("train.demo-stage.spec");
        if (file.isEmpty()) {
            throw new ConfigException("train.objective = " + OBJECTIVE + " needs train.demo-stage.spec (a stage's spec.json)");
        }
        DemoSettings s = DemoSettings.from(root);
        int size = root.getInt("train.demo-stage.dataset-size");
        if (size != s.trainImages()) {
            throw new ConfigException("train.demo-stage.dataset-size (" + size + ") must equal demo.train-images (" + s.trainImages() + ")");
        }
        Path spec = Path.of(file);
        return new DemoStage(s, StageSpec.read(spec), spec);
    }

    public StageSpec spec() {
        return spec;
    }

    public Path specFile() {
        return specFile;
    }

    public DemoSettings settings() {
        return settings;
    }

    /** Samples per epoch: the world's training scenes. */
    public int size() {
        return settings.trainImages();
    }

    @Override
    public StepFunction create() {
        NDManager m = NDManager.newBaseManager();
        try {
            return new OwnedStepFunction(build(m), m);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    private StepFunction build(NDManager m) {
        DemoSettings s = settings;
        if (spec.stage().equals(StageSpec.VAE)) {
            return new AutoencoderObjective(m, TinyModels.vae(m, s), s.seed(), s.vae().klWeight());
        }
        ClipModel clip = TinyModels.clip(m, s, spec.vocabulary().length);
        if (spec.stage().equals(StageSpec.CLIP)) {
            return new ContrastiveObjective(m, clip);
        }
        TinyModels.load(clip.vision().params(), spec.weight(specFile, StageSpec.VISION));
        AutoencoderKL vae = TinyModels.vae(m, s);
        TinyModels.load(vae.encoderParameters(), spec.weight(specFile, StageSpec.VAE_ENCODER));
        TinyModels.load(vae.decoderParameters(), spec.weight(specFile, StageSpec.VAE_DECODER));
        UNetModel unet = TinyModels.unet(m, s);
        ObjectiveOptions options;
        if (spec.stage().equals(StageSpec.GENERATOR)) {
            options = ObjectiveOptions.generatorTraining(s.seed());
        } else {
            TinyModels.load(unet.parameters(), spec.weight(specFile, StageSpec.UNET));
            options = un2clipOptions(spec.drawSeed(), spec.projector(), spec.trainGenerator());
        }
        if (spec.embeddingMean() == null || spec.embeddingStd() == null || spec.context() == null || !(spec.scaleFactor() > 0)) {
            throw new IllegalArgumentException(specFile + ": the " + spec.stage() + " stage needs scaleFactor, embeddingMean, "
                    + "embeddingStd and context");
        }
        return unclip(m, s, clip.vision(), vae, unet, augmentor(spec.embeddingMean(), spec.embeddingStd()), spec.scaleFactor(),
                spec.context(), options);
    }

    /** The unCLIP objective (generator training, un²CLIP, the held-out diffusion loss) on these tiny models. */
    public static ObjectiveStep unclip(NDManager m, DemoSettings s, ClipVision vision, AutoencoderKL vae, UNetModel unet,
                                       NoiseAugmentor augmentor, float scaleFactor, float[] context, ObjectiveOptions options) {
        return new ObjectiveStep(m, new Un2clipObjective(m, vision, vae, unet, augmentor, diffusion(), scaleFactor, options), context,
                contextShape(s));
    }

    /** The empty-prompt context's shape: (context length, text width). */
    public static long[] contextShape(DemoSettings s) {
        return new long[] {s.clip().contextLength(), s.clip().textWidth()};
    }

    /** Stable unCLIP's noise augmentation, normalising embeddings with the encoder's data statistics. */
    public static NoiseAugmentor augmentor(float[] mean, float[] std) {
        return NoiseAugmentor.standard(1000, mean, std, mean.length);
    }

    /** The generator's diffusion: Stable Diffusion's scaled-linear betas from LINEAR_START to LINEAR_END over TIMESTEPS. */
    public static final double LINEAR_START = 0.00085;
    public static final double LINEAR_END = 0.012;
    public static final int TIMESTEPS = 1000;

    public static Diffusion diffusion() {
        return new Diffusion(DiffusionSchedule.scaledLinear(LINEAR_START, LINEAR_END, TIMESTEPS));
    }

    /** The paper's un²CLIP recipe: noise level 0, no conditioning dropout, t ~ U[0, 1000), posterior mean. */
    public static ObjectiveOptions un2clipOptions(long seed, String projector, boolean trainGenerator) {
        return new ObjectiveOptions(seed, 0, 0, 0, 1000, false, projector, true, trainGenerator, false);
    }

    @Override
    public TrainingBatch batch(long epoch, long[] sampleIds) {
        return images().batch(epoch, sampleIds, spec.stage().equals(StageSpec.CLIP));
    }

    /** The training scenes, rendered on first use (the coordinator never asks for batches). */
    private synchronized MiniatureImages images() {
        if (images == null) {
            Vocabulary vocab = spec.stage().equals(StageSpec.CLIP)
                    ? Vocabulary.fromBpeIds(spec.vocabulary(), settings.clip().contextLength()) : null;
            images = new MiniatureImages(settings.seed(), settings.trainImages(), settings.imageSize(), vocab,
                    settings.clip().fineCaptionFraction());
        }
        return images;
    }

    /** The stage's trained flat vector (its tables in the step function's order), as one tensor. */
    @Override
    public void writeEncoder(float[] flat, Path file, String format) throws IOException {
        if (!format.equals("openai") && !format.equals("hf")) {
            throw new IllegalArgumentException("export format must be openai or hf, got " + format);
        }
        new SafeTensorsWriter().metadata("format", "pt").metadata("objective", OBJECTIVE).metadata("stage", spec.stage())
                .add("parameters", new long[] {flat.length}, flat).write(file);
    }
}
