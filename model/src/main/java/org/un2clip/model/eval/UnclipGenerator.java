package org.un2clip.model.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.un2clip.model.clip.ClipVision;
import org.un2clip.model.clip.ClipVisionConfig;
import org.un2clip.model.clip.ClipWeights;
import org.un2clip.model.golden.GoldenSet;
import org.un2clip.model.io.SafeTensorsFile;
import org.un2clip.model.io.SafeTensorsWriter;
import org.un2clip.model.io.WeightFileException;
import org.un2clip.model.io.WeightSource;
import org.un2clip.model.nn.ParameterTable;
import org.un2clip.model.unclip.AutoencoderKL;
import org.un2clip.model.unclip.DiffusionSchedule;
import org.un2clip.model.unclip.NoiseAugmentor;
import org.un2clip.model.unclip.UNetConfig;
import org.un2clip.model.unclip.UNetModel;
import org.un2clip.model.unclip.VaeConfig;
import org.un2clip.model.unclip.golden.AugmentationSuite;
import org.un2clip.model.unclip.golden.DiffusionSuite;
import org.un2clip.model.unclip.golden.UNetSuite;
import org.un2clip.model.unclip.golden.VaeSuite;

/**
 * A frozen unCLIP generator for decoding image embeddings to pictures, from a directory in the project's golden
 * format: {@code manifest.json} whose {@code config} holds {@code unet} (ldm UNet params), {@code vae} (ldm
 * {@code first_stage_config.params}), {@code noise_aug}, {@code diffusion} (v-parameterisation) and optionally
 * {@code clip} (the paired encoder's shape), and the weights file it names ({@code files.weights}, default
 * {@code weights.safetensors}) with {@code model.diffusion_model.*}, {@code first_stage_model.decoder.*} +
 * {@code post_quant_conv.*} and {@code noise_augmentor.data_mean/data_std}. The constant cross-attention context
 * (the text encoder's empty prompt) is the weights' {@value #CONTEXT} tensor (L, C), else the first row of a golden
 * file's {@code e2e.context}.
 */
public final class UnclipGenerator {
    public static final String CONTEXT = "empty_prompt_context";
    private static final String GOLDEN_CONTEXT = "e2e.context";

    private final Path dir;
    private final UNetModel unet;
    private final AutoencoderKL vae;
    private final NoiseAugmentor augmentor;
    private final DiffusionSchedule schedule;
    private final float scaleFactor;
    private final ClipVisionConfig clipConfig;
    private final float[] context;
    private final long[] contextShape;

    private UnclipGenerator(Path dir, UNetModel unet, AutoencoderKL vae, NoiseAugmentor augmentor, DiffusionSchedule schedule,
                            float scaleFactor, ClipVisionConfig clipConfig, float[] context, long[] contextShape) {
        this.dir = dir;
        this.unet = unet;
        this.vae = vae;
        this.augmentor = augmentor;
        this.schedule = schedule;
        this.scaleFactor = scaleFactor;
        this.clipConfig = clipConfig;
        this.context = context;
        this.contextShape = contextShape;
        if (contextShape[1] != unet.config().contextDim()) {
            throw new IllegalArgumentException("empty-prompt context width " + contextShape[1] + " differs from the UNet's context_dim "
                    + unet.config().contextDim());
        }
        if (2 * augmentor.embeddingDim() != unet.config().admInChannels()) {
            throw new IllegalArgumentException("the UNet's class input (adm_in_channels " + unet.config().admInChannels()
                    + ") is not 2 x the embedding width " + augmentor.embeddingDim() + " (noised embedding + level embedding)");
        }
    }

    /**
     * Loads the generator of {@code dir}: the golden layout, or a diffusers Stable unCLIP folder ({@code model_index.json},
     * see {@link StableUnclipFolder}); every problem is a {@link WeightFileException} naming the file.
     */
    public static UnclipGenerator open(Path dir, NDManager manager, int querySlice) {
        Path manifestFile = dir.resolve("manifest.json");
        if (!Files.isDirectory(dir)) {
            throw new WeightFileException(dir, null, "no such generator folder");
        }
        if (Files.isRegularFile(dir.resolve("model_index.json"))) {
            StableUnclipFolder f = StableUnclipFolder.open(dir, manager, querySlice);
            try {
                return new UnclipGenerator(dir, f.unet(), f.vae(), f.augmentor(), f.schedule(), f.scaleFactor(), f.clipConfig(),
                        f.context(), f.contextShape());
            } catch (IllegalArgumentException e) {
                throw new WeightFileException(dir, null, e.getMessage(), e);
            }
        }
        JsonNode manifest = GoldenSet.readManifest(dir);
        JsonNode config = manifest.path("config");
        for (String key : new String[] {"unet", "vae", "noise_aug", "diffusion"}) {
            if (!config.path(key).isObject()) {
                throw new WeightFileException(manifestFile, null, "config." + key + " is missing");
            }
        }
        String parameterization = config.path("diffusion").path("parameterization").asText("v");
        if (!"v".equals(parameterization)) {
            throw new WeightFileException(manifestFile, null, "config.diffusion.parameterization is '" + parameterization
                    + "': only v-prediction (Stable unCLIP) is supported");
        }
        Path weightsFile = dir.resolve(manifest.path("files").path("weights").asText("weights.safetensors"));
        try (WeightSource weights = SafeTensorsFile.open(weightsFile)) {
            if (weights.names().stream().noneMatch(n -> n.startsWith(VaeSuite.WEIGHT_PREFIX + "decoder."))) {
                throw new WeightFileException(weightsFile, null, "no VAE decoder (" + VaeSuite.WEIGHT_PREFIX
                        + "decoder.*): decoding embeddings to pictures needs one (golden test sets ship the encoder only)");
            }
            try {
                UNetModel unet = new UNetModel(manager, UNetConfig.fromLdm(config.path("unet")), querySlice);
                unet.loadLdm(weightsFile + " (UNet)", weights.withPrefix(UNetSuite.WEIGHT_PREFIX));
                AutoencoderKL vae = new AutoencoderKL(manager, VaeConfig.fromLdm(config.path("vae")), true, querySlice);
                vae.loadDecoder(weightsFile + " (VAE decoder)", weights.withPrefix(VaeSuite.WEIGHT_PREFIX));
                NoiseAugmentor augmentor = AugmentationSuite.augmentor(config, weights);
                float[][] context = new float[1][];
                long[] contextShape = context(dir, manifest, weights, weightsFile, context);
                ClipVisionConfig clip = config.path("clip").isObject() ? ClipVisionConfig.fromJson(config.path("clip")) : null;
                return new UnclipGenerator(dir, unet, vae, augmentor, DiffusionSuite.diffusion(config).schedule(),
                        VaeSuite.scaleFactor(config), clip, context[0], contextShape);
            } catch (IllegalArgumentException e) {
                throw new WeightFileException(weightsFile, null, e.getMessage(), e);
            }
        }
    }

    private static long[] context(Path dir, JsonNode manifest, WeightSource weights, Path weightsFile, float[][] out) {
        if (weights.contains(CONTEXT)) {
            long[] s = weights.info(CONTEXT).shape();
            long[] shape = s.length == 3 && s[0] == 1 ? new long[] {s[1], s[2]} : s;
            if (shape.length != 2) {
                throw new WeightFileException(weightsFile, CONTEXT, "must be (L, C) or (1, L, C), is " + Arrays.toString(s));
            }
            out[0] = weights.readFloats(CONTEXT);
            return shape;
        }
        Path golden = dir.resolve(manifest.path("files").path("golden").asText("golden.safetensors"));
        if (Files.isRegularFile(golden)) {
            try (WeightSource g = SafeTensorsFile.open(golden)) {
                if (g.contains(GOLDEN_CONTEXT)) {
                    long[] s = g.info(GOLDEN_CONTEXT).shape();
                    if (s.length != 3) {
                        throw new WeightFileException(golden, GOLDEN_CONTEXT, "must be (B, L, C), is " + Arrays.toString(s));
                    }
                    out[0] = Arrays.copyOf(g.readFloats(GOLDEN_CONTEXT), Math.toIntExact(s[1] * s[2]));
                    return new long[] {s[1], s[2]};
                }
            }
        }
        throw new WeightFileException(weightsFile, CONTEXT, "missing: the empty-prompt cross-attention context (L, C) "
                + "is neither in the weights nor, as " + GOLDEN_CONTEXT + ", in a golden file beside them");
    }

    /**
     * What {@link #write} stores: the frozen parts, the augmentor's statistics and schedule length, the diffusion's
     * scaled-linear schedule, the empty-prompt context (L, C), and optionally the paired encoder (as {@code visual.*},
     * its shape as {@code config.clip}).
     */
    public record Parts(UNetModel unet, AutoencoderKL vae, float[] dataMean, float[] dataStd, int maxNoiseLevel, double linearStart,
                        double linearEnd, int timesteps, float scaleFactor, float[] context, long[] contextShape, ClipVision encoder) {}

    /** Writes a generator folder {@link #open} reads: {@code manifest.json} and {@code weights.safetensors}. */
    public static void write(Path dir, Parts p) throws IOException {
        if (p.vae().decoderParameters() == null) {
            throw new IllegalArgumentException("a generator folder needs the VAE decoder");
        }
        Files.createDirectories(dir);
        SafeTensorsWriter w = new SafeTensorsWriter();
        w.metadata("format", "pt");
        p.unet().parameters().arrays().forEach((n, a) -> w.add(UNetSuite.WEIGHT_PREFIX + n, a.getShape().getShape(), a.toFloatArray()));
        for (ParameterTable t : new ParameterTable[] {p.vae().encoderParameters(), p.vae().decoderParameters()}) {
            t.arrays().forEach((n, a) -> w.add(VaeSuite.WEIGHT_PREFIX + n, a.getShape().getShape(), a.toFloatArray()));
        }
        w.add("noise_augmentor.data_mean", new long[] {p.dataMean().length}, p.dataMean());
        w.add("noise_augmentor.data_std", new long[] {p.dataStd().length}, p.dataStd());
        w.add(CONTEXT, p.contextShape(), p.context());
        Map<String, Object> config = new LinkedHashMap<>();
        if (p.encoder() != null) {
            ClipWeights.canonicalTensors(p.encoder().params()).forEach((n, t) -> w.add("visual." + n, t.shape(), t.data()));
            config.put("clip", p.encoder().config().toJson());
        }
        config.put("unet", p.unet().config().toLdm());
        config.put("vae", p.vae().config().toLdm());
        config.put("noise_aug", Map.of("timestep_dim", p.dataMean().length, "max_noise_level", p.maxNoiseLevel(),
                "noise_schedule_config", Map.of("timesteps", p.maxNoiseLevel(), "beta_schedule", "squaredcos_cap_v2")));
        Map<String, Object> diffusion = new LinkedHashMap<>();
        diffusion.put("parameterization", "v");
        diffusion.put("beta_schedule", "linear");
        diffusion.put("linear_start", p.linearStart());
        diffusion.put("linear_end", p.linearEnd());
        diffusion.put("timesteps", p.timesteps());
        diffusion.put("scale_factor", p.scaleFactor());
        config.put("diffusion", diffusion);
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("format", "un2clip unCLIP generator (golden layout)");
        manifest.put("config", config);
        manifest.put("files", Map.of("weights", "weights.safetensors"));
        w.write(dir.resolve("weights.safetensors"));
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(dir.resolve("manifest.json").toFile(), manifest);
    }

    public Path dir() {
        return dir;
    }

    /** Width of the image embedding the generator is conditioned on. */
    public int embeddingDim() {
        return augmentor.embeddingDim();
    }

    /** The paired encoder's shape ({@code config.clip}, or a diffusers folder's image_encoder), or null when not given. */
    public ClipVisionConfig clipConfig() {
        return clipConfig;
    }

    /** Latent (C, h, w) the UNet denoises. */
    public long[] latentShape() {
        int side = unet.config().imageSize();
        return new long[] {unet.config().inChannels(), side, side};
    }

    /** Side of the decoded picture: the latent side times the VAE's downsampling. */
    public int imageSize() {
        return unet.config().imageSize() << (vae.config().levels() - 1);
    }

    /**
     * DDIM ({@code steps}, η = 0) from the embeddings (B, D) to pictures (B, 3, S, S) in [-1, 1]; the start noise of
     * sample i is keyed by (seed, sampleIds[i]), so the same ids and seed give the same pictures for any encoder.
     */
    public NDArray reconstruct(NDManager m, NDArray embeddings, long[] sampleIds, long seed, int steps) {
        DdimReconstructor ddim = new DdimReconstructor(unet, vae, augmentor, schedule, scaleFactor, steps);
        NDArray ctx = m.create(context, new Shape(1, contextShape[0], contextShape[1]));
        return ddim.reconstruct(m, embeddings, ctx, sampleIds, seed, latentShape());
    }
}
