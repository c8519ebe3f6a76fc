package org.un2clip.model.objective;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import org.un2clip.conf.KeyedRandom;
import org.un2clip.model.clip.ClipVision;
import org.un2clip.model.nn.Linear;
import org.un2clip.model.nn.ParameterTable;
import org.un2clip.model.nn.Taps;
import org.un2clip.model.unclip.AutoencoderKL;
import org.un2clip.model.unclip.Diffusion;
import org.un2clip.model.unclip.NoiseAugmentor;
import org.un2clip.model.unclip.UNetModel;

/**
 * The un²CLIP objective (METHOD.md): a frozen Stable unCLIP generator scores the trainable CLIP encoder's embedding
 * by its v-prediction loss on the image.
 * <pre>
 *   z0  = 0.18215 · VAE(x).mean            e = E(preprocess(x))           y = aug(e, level) (zeroed if dropped)
 *   x_t = √ᾱ_t z0 + √(1−ᾱ_t) ε              v = √ᾱ_t ε − √(1−ᾱ_t) z0      loss = mse(UNet(x_t, t, context, y), v)
 * </pre>
 * Backward runs in three stages through leaf copies of y and e: loss → dL/dy, then y → dL/de, then e → encoder
 * parameters. The chain rule is the same as one pass (each stage hands on exactly the upstream gradient), the frozen
 * parts record no gradient, and dL/dy and dL/de come out as by-products (golden {@code grad_y}, {@code grad_clip_embedding}).
 */
public final class Un2clipObjective {
    private final ClipVision encoder;
    private final ParameterTable projectorParams;
    private final Linear projector;
    private final AutoencoderKL vae;
    private final UNetModel unet;
    private final NoiseAugmentor augmentor;
    private final Diffusion diffusion;
    private final float scaleFactor;
    private final ObjectiveOptions options;
    private final ClipPreprocess preprocess;
    private final DataType frozenType;

    /** The frozen and trainable parts in float32; the objective sets which of them record gradients. */
    public Un2clipObjective(NDManager manager, ClipVision encoder, AutoencoderKL vae, UNetModel unet, NoiseAugmentor augmentor,
                            Diffusion diffusion, float scaleFactor, ObjectiveOptions options) {
        this(manager, encoder, vae, unet, augmentor, diffusion, scaleFactor, options, "f32");
    }

    /**
     * @param frozenDtype {@code model.frozen-dtype}: "f32", or "f16" to run the frozen VAE encoder in half precision
     *                    (GroupNorm statistics stay float32, as upstream). The UNet stays float32 even then: the
     *                    gradient must flow through it to y, and DJL 0.36's dtype cast is not differentiable (a cast
     *                    array has no grad_fn), so an f16 UNet would cut the encoder off.
     */
    public Un2clipObjective(NDManager manager, ClipVision encoder, AutoencoderKL vae, UNetModel unet, NoiseAugmentor augmentor,
                            Diffusion diffusion, float scaleFactor, ObjectiveOptions options, String frozenDtype) {
        this.encoder = encoder;
        this.vae = vae;
        this.unet = unet;
        this.augmentor = augmentor;
        this.diffusion = diffusion;
        this.scaleFactor = scaleFactor;
        this.options = options;
        this.preprocess = new ClipPreprocess(encoder.config().resolution(), options.clipResize());
        int d = encoder.config().outputDim();
        if (d != augmentor.embeddingDim()) {
            throw new IllegalArgumentException("encoder output dim " + d + " != noise augmentor dim " + augmentor.embeddingDim());
        }
        if (!options.projector().equals("none")) {
            projectorParams = new ParameterTable(manager);
            projector = new Linear(projectorParams, "projector", d, d, true);
            initProjector(d);
        } else {
            projectorParams = null;
            projector = null;
        }
        encoder.params().setTrainable(options.trainEncoder());
        if (projectorParams != null) {
            projectorParams.setTrainable(true);
        }
        unet.parameters().setTrainable(options.trainGenerator());
        vae.encoderParameters().setTrainable(false);
        this.frozenType = switch (frozenDtype) {
            case "f32" -> DataType.FLOAT32;
            case "f16" -> DataType.FLOAT16;
            default -> throw new IllegalArgumentException("model.frozen-dtype must be f32 or f16, got '" + frozenDtype + "'");
        };
        if (frozenType != DataType.FLOAT32) {
            vae.encoderParameters().convertTo(frozenType);
        }
    }

    private void initProjector(int d) {
        float[] w = new float[d * d];
        if (options.projector().equals("identity")) {
            for (int i = 0; i < d; i++) {
                w[i * d + i] = 1f;
            }
        } else {
            // torch.nn.Linear's default: U(-1/√d, 1/√d), drawn from the keyed stream of the run's seed
            KeyedRandom r = KeyedRandom.of(options.seed(), 0, 0, KeyedRandom.Purpose.INIT);
            double bound = 1 / Math.sqrt(d);
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) ((r.nextDouble() * 2 - 1) * bound);
            }
        }
        projectorParams.set("projector.weight", w);
    }

    public ObjectiveOptions options() {
        return options;
    }

    public ClipVision encoder() {
        return encoder;
    }

    public UNetModel unet() {
        return unet;
    }

    public AutoencoderKL vae() {
        return vae;
    }

    public NoiseAugmentor augmentor() {
        return augmentor;
    }

    /** The trainable tables, in flat-vector order: encoder, projector, UNet (those that are trained). */
    public List<ParameterTable> trainable() {
        List<ParameterTable> t = new ArrayList<>();
        if (options.trainEncoder()) {
            t.add(encoder.params());
        }
        if (projectorParams != null) {
            t.add(projectorParams);
        }
        if (options.trainGenerator()) {
            t.add(unet.parameters());
        }
        return t;
    }

    /** Channels × height × width of the latent of an image of {@code imageSize} pixels. */
    public int latentSize(int imageSize) {
        int f = 1 << (vae.config().levels() - 1);
        int side = imageSize / f;
        return vae.config().embedDim() * side * side;
    }

    /** The outcome of one evaluation. */
    public record Result(float loss, long[] phaseNanos) {}

    /**
     * Runs the objective on a batch in {@code m} (the caller's per-step manager). With {@code backward}, gradients of the
     * batch-mean loss accumulate into the trainable tables (zero them first). {@code taps} receives {@code clip_input,
     * clip_embedding, aug_z, level_emb, y, latent, x_t, v_target, unet_out, loss} and, with backward,
     * {@code grad_y, grad_clip_embedding}.
     *
     * @param image   (B, 3, H, W) in [-1, 1]
     * @param context cross-attention context (B, L, context_dim)
     */
    public Result run(NDManager m, NDArray image, NDArray context, Draws draws, boolean backward, Taps taps) {
        long[] times = Phase.newTimes();
        if (!backward) {
            return new Result(forward(m, image, context, draws, false, taps, times).loss.getFloat(), times);
        }
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            Graph g = forward(m, image, context, draws, true, taps, times);
            long start = System.nanoTime();
            collector.backward(g.loss);
            NDArray gradY = g.yLeaf.getGradient();
            taps.tap("grad_y", gradY);
            if (g.eLeaf != null) {
                collector.backward(g.y.mul(gradY).sum());
                NDArray gradE = g.eLeaf.getGradient();
                taps.tap("grad_clip_embedding", gradE);
                if (options.trainEncoder()) {
                    collector.backward(g.e.mul(gradE).sum());
                }
            }
            times[Phase.BACKWARD.ordinal()] += System.nanoTime() - start;
            return new Result(g.loss.getFloat(), times);
        }
    }

    /** The arrays the staged backward needs. */
    private record Graph(NDArray loss, NDArray y, NDArray yLeaf, NDArray e, NDArray eLeaf) {}

    private Graph forward(NDManager m, NDArray image, NDArray context, Draws d, boolean backward, Taps taps, long[] times) {
        long b = image.getShape().get(0);
        if (d.batch() != b) {
            throw new IllegalArgumentException("objective: " + d.batch() + " draws for a batch of " + b);
        }
        long t0 = System.nanoTime();
        AutoencoderKL.Posterior posterior = vae.encode(image.toType(frozenType, false), Taps.NONE);
        NDArray mean = posterior.mode().toType(DataType.FLOAT32, false);
        Shape latentShape = mean.getShape();
        NDArray latent = d.posteriorNoise() == null ? mean
                : posterior.sample(m.create(d.posteriorNoise(), latentShape).toType(frozenType, false)).toType(DataType.FLOAT32, false);
        NDArray z0 = taps.tap("latent", latent.mul(scaleFactor).stopGradient());
        long t1 = System.nanoTime();
        NDArray clipInput = taps.tap("clip_input", preprocess.apply(image));
        NDArray e = taps.tap("clip_embedding", encoder.encode(clipInput));
        long t2 = System.nanoTime();
        boolean needEmbeddingGrad = backward && (options.trainEncoder() || projector != null);
        NDArray eLeaf = needEmbeddingGrad ? leaf(e) : e.stopGradient();
        NDArray embedding = projector == null ? eLeaf : projector.forward(eLeaf);
        NoiseAugmentor.Result aug = augmentor.apply(embedding,
                m.create(d.embeddingNoise(), new Shape(b, augmentor.embeddingDim())), d.levels());
        taps.tap("aug_z", aug.z());
        taps.tap("level_emb", aug.levelEmbedding());
        NDArray y = aug.y();
        if (anyDropped(d.dropped())) {
            float[] keep = new float[(int) b];
            for (int i = 0; i < b; i++) {
                keep[i] = d.dropped()[i] ? 0f : 1f;
            }
            y = y.mul(m.create(keep, new Shape(b, 1)));
        }
        taps.tap("y", y);
        NDArray yLeaf = backward ? leaf(y) : y;
        long t3 = System.nanoTime();
        NDArray noise = m.create(d.latentNoise(), latentShape);
        NDArray xt = taps.tap("x_t", diffusion.qSample(z0, noise, d.timesteps()));
        NDArray v = taps.tap("v_target", diffusion.vTarget(z0, noise, d.timesteps()));
        NDArray out = taps.tap("unet_out", unet.forward(xt, m.create(d.timesteps()), context, yLeaf, Taps.NONE));
        NDArray loss = taps.tap("loss", Diffusion.loss(out, v));
        long t4 = System.nanoTime();
        times[Phase.VAE_ENCODE.ordinal()] += t1 - t0;
        times[Phase.ENCODER_FORWARD.ordinal()] += t2 - t1;
        times[Phase.AUGMENT.ordinal()] += t3 - t2;
        times[Phase.UNET_FORWARD.ordinal()] += t4 - t3;
        return new Graph(loss, y, yLeaf, e, needEmbeddingGrad ? eLeaf : null);
    }

    /** A detached copy that records its own gradient: the boundary between two backward stages. */
    private static NDArray leaf(NDArray x) {
        NDArray l = x.stopGradient();
        l.setRequiresGradient(true);
        return l;
    }

    private static boolean anyDropped(boolean[] dropped) {
        for (boolean x : dropped) {
            if (x) {
                return true;
            }
        }
        return false;
    }

    /** Zeroes the accumulated gradients of every trainable table. */
    public void zeroGradients() {
        for (ParameterTable t : trainable()) {
            for (NDArray a : t.arrays().values()) {
                if (a.hasGradient()) {
                    // fill, not g.subi(g): NaN − NaN stays NaN, so one non-finite step poisoned every later one
                    try (NDArray g = a.getGradient()) {
                        g.set(new ai.djl.ndarray.index.NDIndex("..."), 0f);
                    }
                }
            }
        }
    }
}
