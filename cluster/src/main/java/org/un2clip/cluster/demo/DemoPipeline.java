package org.un2clip.cluster.demo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.un2clip.actors.objective.demo.DemoSettings;
import org.un2clip.actors.objective.demo.DemoStage;
import org.un2clip.actors.objective.demo.MiniatureImages;
import org.un2clip.actors.objective.demo.StageSpec;
import org.un2clip.actors.objective.demo.TinyModels;
import org.un2clip.actors.objective.demo.Vocabulary;
import org.un2clip.data.image.ImageDecoder;
import org.un2clip.data.image.RgbImage;
import org.un2clip.data.mmvp.ContrastiveEncoder;
import org.un2clip.data.mmvp.MmvpBenchmark;
import org.un2clip.data.mmvp.MmvpPair;
import org.un2clip.data.mmvp.MmvpResult;
import org.un2clip.data.mmvp.MmvpScorer;
import org.un2clip.data.synth.PairBenchmarkWriter;
import org.un2clip.data.synth.ShapeKind;
import org.un2clip.data.synth.SynthDatasetWriter;
import org.un2clip.model.clip.ClipModel;
import org.un2clip.model.eval.DdimReconstructor;
import org.un2clip.model.eval.DiffusionLoss;
import org.un2clip.model.eval.ZeroShotClassifier;
import org.un2clip.model.objective.ClipPreprocess;
import org.un2clip.model.objective.ObjectiveOptions;
import org.un2clip.model.objective.ObjectiveStep;
import org.un2clip.model.step.TrainingBatch;
import org.un2clip.model.unclip.AutoencoderKL;
import org.un2clip.model.unclip.NoiseAugmentor;
import org.un2clip.model.unclip.UNetModel;

/**
 * The miniature un²CLIP experiment, stage by stage (each resumable through its {@link StageRecord}):
 * (a) world + pair benchmark, (b) detail-blind CLIP on coarse captions, (c) tiny VAE then unCLIP generator on the
 * frozen CLIP's image embeddings, (d) un²CLIP fine-tuning of the image encoder (and the ablations), (e) evaluation,
 * (g) reconstructions; {@link DemoReport} writes (h).
 */
public final class DemoPipeline {
    static final String ORIGINAL = "original";
    static final String UN2CLIP = "un2clip";
    private static final int EVAL_BATCH = 32;
    private static final long HELDOUT_SEED_OFFSET = 1_000_003;
    private static final long BENCH_SEED_OFFSET = 2_000_003;

    private final DemoSettings s;
    private final StageRunner runner;
    private final PrintStream log;
    private final Path dir;
    private final Map<String, StageRecord> records = new LinkedHashMap<>();
    private final Map<String, Map<String, Object>> evaluations = new LinkedHashMap<>();

    public DemoPipeline(DemoSettings settings, StageRunner runner, PrintStream log) {
        this.s = settings;
        this.runner = runner;
        this.log = log;
        this.dir = settings.dir();
    }

    /** What the report needs: the stage records and the evaluation of every encoder. */
    public record Outcome(Map<String, StageRecord> stages, Map<String, Map<String, Object>> evaluations, List<String> images) {}

    public Outcome run() throws IOException {
        String fp = world();
        Vocabulary vocab = vocabulary();
        try (NDManager m = NDManager.newBaseManager()) {
            ClipModel clip = TinyModels.clip(m, s, vocab.size());
            MiniatureImages train = new MiniatureImages(s.seed(), s.trainImages(), s.imageSize(), vocab, s.clip().fineCaptionFraction());
            MiniatureImages heldout = new MiniatureImages(s.seed() + HELDOUT_SEED_OFFSET, s.heldoutImages(), s.imageSize(), vocab);
            fp = clipStage(fp, m, clip, vocab);
            float[] original = TinyModels.flat(clip.vision().params());
            AutoencoderKL vae = TinyModels.vae(m, s);
            fp = vaeStage(fp, m, vae, train, vocab);
            float scaleFactor = ((Number) records.get("vae").results().get("scale_factor")).floatValue();
            UNetModel unet = TinyModels.unet(m, s);
            float[] context = emptyPromptContext(m, clip, vocab);
            long[] contextShape = {s.clip().contextLength(), s.clip().textWidth()};
            String generatorFp = generatorStage(fp, m, clip, vae, unet, scaleFactor, context, train, vocab);
            float[] embeddingMean = floats(records.get("generator").results().get("embedding_mean"));
            float[] embeddingStd = floats(records.get("generator").results().get("embedding_std"));
            NoiseAugmentor augmentor = DemoStage.augmentor(embeddingMean, embeddingStd);
            float[] frozenUnet = TinyModels.flat(unet.parameters());
            Models models = new Models(m, s, clip, vae, unet, augmentor, embeddingMean, embeddingStd, scaleFactor, context, contextShape,
                    original, frozenUnet, vocab.bpeIds());
            export(models, vocab);
            Map<String, float[]> encoders = new LinkedHashMap<>();
            encoders.put(ORIGINAL, original);
            for (Variant v : variants()) {
                encoders.put(v.name(), un2clipStage(generatorFp, models, v));
            }
            runner.close();     // the training is over: the trainer JVMs leave before the evaluation
            MmvpBenchmark bench = MmvpBenchmark.load(dir.resolve("bench"));
            for (Map.Entry<String, float[]> e : encoders.entrySet()) {
                evaluations.put(e.getKey(), evaluate(models, e.getKey(), e.getValue(), heldout, bench, vocab));
            }
            List<String> images = reconstructions(models, encoders, heldout);
            TinyModels.install(original, clip.vision().params());
            return new Outcome(records, evaluations, images);
        }
    }

    // ---------------------------------------------------------------- (a) world

    private String world() throws IOException {
        String fp = StageRecord.fingerprint("", s.render("seed", "image-size", "train-images", "pairs-per-pattern"));
        Path d = dir.resolve("world");
        if (skip("world", d, fp)) {
            return fp;
        }
        long t0 = System.nanoTime();
        log.println("(a) miniature world: " + s.trainImages() + " scenes + pair benchmark (" + s.pairsPerPattern() + " pairs/pattern)");
        SynthDatasetWriter.write(d.resolve("shards"), s.trainImages(), s.seed(), s.imageSize(), 1000);
        PairBenchmarkWriter.write(dir.resolve("bench"), s.pairsPerPattern(), s.seed() + BENCH_SEED_OFFSET, s.imageSize(),
                PairBenchmarkWriter.Format.PNG);
        return done(new StageRecord("world", fp, seconds(t0), DemoSettings.IN_PROCESS, 0, List.of(), Map.of("train_images", s.trainImages(),
                "heldout_seed", s.seed() + HELDOUT_SEED_OFFSET, "bench_seed", s.seed() + BENCH_SEED_OFFSET)), d);
    }

    /** Every text the tiny CLIP will encode: coarse captions (= zero-shot prompts), the benchmark's statements, "", fine captions. */
    private Vocabulary vocabulary() {
        Set<String> texts = new LinkedHashSet<>(prompts());
        texts.add("");
        for (int i = 0; i < s.trainImages(); i++) {
            if (MiniatureImages.fine(s.seed(), i, s.clip().fineCaptionFraction())) {
                texts.add(org.un2clip.data.synth.SceneCaptions.fine(org.un2clip.data.synth.SceneSampler.datasetScene(s.seed(), i)));
            }
        }
        for (MmvpPair p : MmvpBenchmark.load(dir.resolve("bench")).pairs()) {
            texts.add(MmvpScorer.TEXT_PREFIX + p.statement1());
            texts.add(MmvpScorer.TEXT_PREFIX + p.statement2());
        }
        return Vocabulary.of(texts, s.clip().contextLength());
    }

    static List<String> prompts() {
        List<String> out = new ArrayList<>();
        for (ShapeKind k : ShapeKind.values()) {
            out.add("a photo of " + k.withArticle());
        }
        return out;
    }

    // ---------------------------------------------------------------- (b) CLIP

    private String clipStage(String previous, NDManager m, ClipModel clip, Vocabulary vocab) throws IOException {
        String fp = StageRecord.fingerprint(previous, s.render("clip", "trainers", "clip-grad-norm"));
        Path d = dir.resolve("clip");
        if (skip("clip", d, fp)) {
            TinyModels.load(clip.vision().params(), d.resolve("vision.safetensors"));
            TinyModels.load(clip.text().params(), d.resolve("text.safetensors"));
            clip.setLogitScale(((Number) records.get("clip").results().get("logit_scale")).floatValue());
            return fp;
        }
        log.println("(b) tiny CLIP, contrastive on coarse captions" + (s.clip().fineCaptionFraction() > 0
                ? " (" + Math.round(100 * s.clip().fineCaptionFraction()) + "% of scenes with their fine caption)" : ""));
        StageRunner.Trained t = train(new StageRunner.Plan("clip", s.clipTraining(), s.seed(), d), StageSpec.clip(vocab.bpeIds()));
        int used = TinyModels.install(t.parameters(), clip.vision().params(), clip.text().params());
        float logitScale = Math.min(t.parameters()[used], (float) Math.log(100));
        clip.setLogitScale(logitScale);
        TinyModels.save(clip.vision().params(), d.resolve("vision.safetensors"), Map.of("format", "pt"));
        TinyModels.save(clip.text().params(), d.resolve("text.safetensors"), Map.of("format", "pt"));
        return done(new StageRecord("clip", fp, t.seconds(), t.ranOn(), t.trainers(), t.losses(), Map.of("logit_scale", (double) logitScale,
                "parameters", t.parameters().length, "skipped_steps", t.skippedSteps())), d);
    }

    // ---------------------------------------------------------------- (c) VAE + generator

    private String vaeStage(String previous, NDManager m, AutoencoderKL vae, MiniatureImages train, Vocabulary vocab) throws IOException {
        String fp = StageRecord.fingerprint(previous, s.render("vae", "trainers", "clip-grad-norm"));
        Path d = dir.resolve("vae");
        if (skip("vae", d, fp)) {
            TinyModels.load(vae.encoderParameters(), d.resolve("encoder.safetensors"));
            TinyModels.load(vae.decoderParameters(), d.resolve("decoder.safetensors"));
            return fp;
        }
        log.println("(c) tiny VAE (KL) on the world's images");
        StageRunner.Trained t = train(new StageRunner.Plan("vae", s.vaeTraining(), s.seed(), d), StageSpec.vae(vocab.bpeIds()));
        TinyModels.install(t.parameters(), vae.encoderParameters(), vae.decoderParameters());
        TinyModels.save(vae.encoderParameters(), d.resolve("encoder.safetensors"), Map.of("format", "pt"));
        TinyModels.save(vae.decoderParameters(), d.resolve("decoder.safetensors"), Map.of("format", "pt"));
        // ldm's scale_factor: 1 / std of the latents, so the diffusion sees unit-variance data (SD: 0.18215)
        double std = latentStd(m, vae, train);
        return done(new StageRecord("vae", fp, t.seconds(), t.ranOn(), t.trainers(), t.losses(), Map.of("scale_factor", 1 / std,
                "latent_std", std, "parameters", t.parameters().length, "skipped_steps", t.skippedSteps())), d);
    }

    private static double latentStd(NDManager parent, AutoencoderKL vae, MiniatureImages images) {
        double sum = 0;
        double sq = 0;
        long n = 0;
        for (TrainingBatch b : batches(images, Math.min(images.count(), 256), false)) {
            try (NDManager m = parent.newSubManager()) {
                float[] z = vae.encode(m.create(b.pixels(), new Shape(b.shape())), org.un2clip.model.nn.Taps.NONE).mode().toFloatArray();
                for (float v : z) {
                    sum += v;
                    sq += (double) v * v;
                }
                n += z.length;
            }
        }
        double mean = sum / n;
        return Math.sqrt(Math.max(sq / n - mean * mean, 1e-12));
    }

    private String generatorStage(String previous, NDManager m, ClipModel clip, AutoencoderKL vae, UNetModel unet, float scaleFactor,
                                  float[] context, MiniatureImages train, Vocabulary vocab) throws IOException {
        String fp = StageRecord.fingerprint(previous, s.render("generator", "trainers", "clip-grad-norm"));
        Path d = dir.resolve("generator");
        if (skip("generator", d, fp)) {
            TinyModels.load(unet.parameters(), d.resolve("unet.safetensors"));
            return fp;
        }
        log.println("(c) tiny unCLIP generator on the frozen CLIP's image embeddings");
        // Stable unCLIP's noise augmentor normalises embeddings with the encoder's data statistics
        float[][] stats = embeddingStats(m, clip, train);
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("embedding_mean", stats[0]);
        results.put("embedding_std", stats[1]);
        StageRunner.Trained t = train(new StageRunner.Plan("generator", s.generatorTraining(), s.seed(), d),
                new StageSpec(StageSpec.GENERATOR, vocab.bpeIds(), frozenWeights(false), scaleFactor, stats[0], stats[1], context,
                        "none", false, s.seed()));
        TinyModels.install(t.parameters(), unet.parameters());
        TinyModels.save(unet.parameters(), d.resolve("unet.safetensors"), Map.of("format", "pt"));
        results.put("parameters", t.parameters().length);
        results.put("skipped_steps", t.skippedSteps());
        return done(new StageRecord("generator", fp, t.seconds(), t.ranOn(), t.trainers(), t.losses(), results), d);
    }

    private static float[] floats(Object jsonList) {
        if (jsonList instanceof float[] f) {
            return f;
        }
        List<?> l = (List<?>) jsonList;
        float[] out = new float[l.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ((Number) l.get(i)).floatValue();
        }
        return out;
    }

    private float[][] embeddingStats(NDManager parent, ClipModel clip, MiniatureImages images) {
        int dim = s.clip().embedDim();
        double[] sum = new double[dim];
        double[] sq = new double[dim];
        for (TrainingBatch b : batches(images, images.count(), false)) {
            float[] e = embed(parent, clip, b.pixels(), b.size());
            for (int i = 0; i < e.length; i++) {
                sum[i % dim] += e[i];
                sq[i % dim] += (double) e[i] * e[i];
            }
        }
        float[][] out = new float[2][dim];
        for (int k = 0; k < dim; k++) {
            double mean = sum[k] / images.count();
            out[0][k] = (float) mean;
            out[1][k] = (float) Math.sqrt(Math.max(sq[k] / images.count() - mean * mean, 1e-8));
        }
        return out;
    }

    private float[] embed(NDManager parent, ClipModel clip, float[] pixels, int n) {
        try (NDManager m = parent.newSubManager()) {
            ClipPreprocess p = new ClipPreprocess(s.imageSize(), false);
            return clip.encodeImage(p.apply(m.create(pixels, new Shape(n, 3, s.imageSize(), s.imageSize())))).toFloatArray();
        }
    }

    /** The tiny text tower's empty prompt, penultimate layer (Stable unCLIP's constant cross-attention context). */
    private float[] emptyPromptContext(NDManager parent, ClipModel clip, Vocabulary vocab) {
        try (NDManager m = parent.newSubManager()) {
            NDArray ids = m.create(vocab.encodeLong(""), new Shape(1, vocab.context()));
            return clip.text().hiddenStates(ids, s.clip().textLayers() > 1 ? 1 : 0).toFloatArray();
        }
    }

    /** The original CLIP and the frozen generator in the formats {@code eval mmvp} and {@code reconstruct} read. */
    private void export(Models models, Vocabulary vocab) throws IOException {
        Path d = dir.resolve(DemoExports.DIR);
        DemoExports.clip(d.resolve("clip.safetensors"), models.clip(), vocab);
        StageRecord g = records.get("generator");
        DemoExports.generator(d.resolve("generator"), new org.un2clip.model.eval.UnclipGenerator.Parts(models.unet(), models.vae(),
                models.embeddingMean(), models.embeddingStd(), models.augmentor().schedule().timesteps(), DemoStage.LINEAR_START,
                DemoStage.LINEAR_END, DemoStage.TIMESTEPS, models.scaleFactor(), models.context(), models.contextShape(), models.clip().vision()));
        log.println("(export) " + d + ": clip.safetensors (OpenAI naming) and generator/ (for eval mmvp and reconstruct)");
    }

    // ---------------------------------------------------------------- (d) un²CLIP and ablations

    /** A fine-tuning run: which projector, whether the generator trains too, the seed of its draws. */
    record Variant(String name, String projector, boolean trainGenerator, long seed) {}

    private List<Variant> variants() {
        List<Variant> v = new ArrayList<>();
        for (long seed : s.un2clipSeeds()) {
            v.add(new Variant(s.un2clipSeeds().size() == 1 ? UN2CLIP : UN2CLIP + "-seed" + seed, "none", false, seed));
        }
        if (s.ablations()) {
            long seed = s.un2clipSeeds().get(0);
            v.add(new Variant("projector-random", "random", false, seed));
            v.add(new Variant("projector-identity", "identity", false, seed));
            v.add(new Variant("generator-trained", "none", true, seed));
        }
        return v;
    }

    /** The frozen parts and the original weights every variant starts from. */
    private record Models(NDManager manager, DemoSettings s, ClipModel clip, AutoencoderKL vae, UNetModel unet, NoiseAugmentor augmentor,
                          float[] embeddingMean, float[] embeddingStd, float scaleFactor, float[] context, long[] contextShape, float[] originalEncoder, float[] frozenUnet,
                          int[] vocabulary) {
        ObjectiveStep objective(ObjectiveOptions o) {
            return DemoStage.unclip(manager, s, clip.vision(), vae, unet, augmentor, scaleFactor, context, o);
        }

        void reset() {
            TinyModels.install(originalEncoder, clip.vision().params());
            TinyModels.install(frozenUnet, unet.parameters());
        }
    }

    private float[] un2clipStage(String previous, Models models, Variant v) throws IOException {
        String fp = StageRecord.fingerprint(previous, s.render("un2clip.steps", "un2clip.batch", "un2clip.lr", "un2clip.warmup",
                "un2clip.weight-decay", "trainers", "clip-grad-norm") + v);
        Path d = dir.resolve("un2clip").resolve(v.name());
        models.reset();
        if (skip(v.name(), d, fp)) {
            TinyModels.load(models.clip().vision().params(), d.resolve("encoder.safetensors"));
            float[] encoder = TinyModels.flat(models.clip().vision().params());
            models.reset();
            return encoder;
        }
        log.println("(d) un²CLIP fine-tuning: " + v.name() + " (generator " + (v.trainGenerator() ? "trained" : "frozen")
                + ", projector " + v.projector() + ")");
        StageRunner.Trained t = train(new StageRunner.Plan(v.name(), s.un2clip(), v.seed(), d),
                new StageSpec(StageSpec.UN2CLIP, models.vocabulary(), frozenWeights(true), models.scaleFactor(), models.embeddingMean(),
                        models.embeddingStd(), models.context(), v.projector(), v.trainGenerator(), v.seed()));
        TinyModels.install(t.parameters(), models.clip().vision().params());
        TinyModels.save(models.clip().vision().params(), d.resolve("encoder.safetensors"), Map.of("format", "pt", "variant", v.name()));
        float[] encoder = TinyModels.flat(models.clip().vision().params());
        Map<String, Object> results = new LinkedHashMap<>();
        // the variant's own diffusion loss on held-out images is measured with its projector / generator in place
        results.put("projector", v.projector());
        results.put("generator_trained", v.trainGenerator());
        results.put("seed", v.seed());
        results.put("parameters", t.parameters().length);
        results.put("skipped_steps", t.skippedSteps());
        results.put("heldout_diffusion_loss_own", ownDiffusionLoss(models, v, t.parameters()));
        done(new StageRecord(v.name(), fp, t.seconds(), t.ranOn(), t.trainers(), t.losses(), results), d);
        models.reset();
        return encoder;
    }

    private double ownDiffusionLoss(Models models, Variant v, float[] trained) {
        MiniatureImages heldout = new MiniatureImages(s.seed() + HELDOUT_SEED_OFFSET, s.heldoutImages(), s.imageSize(), null);
        ObjectiveStep o = models.objective(DemoStage.un2clipOptions(s.seed(), v.projector(), v.trainGenerator()));
        o.step(java.nio.FloatBuffer.wrap(trained), heldout.batch(0, new long[] {0}, false), java.nio.FloatBuffer.allocate(trained.length));
        return DiffusionLoss.mean(o, batches(heldout, heldout.count(), false));
    }

    // ---------------------------------------------------------------- (e) evaluation

    private Map<String, Object> evaluate(Models models, String name, float[] encoder, MiniatureImages heldout, MmvpBenchmark bench,
                                         Vocabulary vocab) {
        long t0 = System.nanoTime();
        ClipModel clip = models.clip();
        TinyModels.install(encoder, clip.vision().params());
        Map<String, Object> r = new LinkedHashMap<>();
        MmvpResult mmvp = new MmvpScorer(new ImageDecoder(1L << 24, false)).score(bench, new TinyClipEncoder(models.manager(), clip, vocab));
        r.put("mmvp_patterns", mmvp.patternPercent());
        r.put("mmvp_mean", mmvp.meanPercent());
        long[] promptIds = prompts().stream().flatMapToLong(p -> java.util.Arrays.stream(vocab.encodeLong(p))).toArray();
        r.put("zero_shot", 100 * ZeroShotClassifier.accuracy(clip, models.manager(), heldout.pixels(), heldout.kinds(), promptIds,
                ShapeKind.values().length));
        // the frozen generator (as trained in stage c), the same keyed draws for every encoder
        ObjectiveStep o = models.objective(DemoStage.un2clipOptions(s.seed(), "none", false));
        r.put("heldout_diffusion_loss", DiffusionLoss.mean(o, batches(heldout, heldout.count(), false)));
        log.printf("(e) %-20s MMVP mean %5.1f%%  zero-shot %5.1f%%  held-out diffusion loss %.5f  (%.1f s)%n", name,
                (double) r.get("mmvp_mean"), (double) r.get("zero_shot"), (double) r.get("heldout_diffusion_loss"), seconds(t0));
        return r;
    }

    /** The MMVP scorer's view of the tiny CLIP (images are rendered at the CLIP's resolution). */
    private record TinyClipEncoder(NDManager parent, ClipModel clip, Vocabulary vocab) implements ContrastiveEncoder {
        @Override
        public float[] imageEmbedding(RgbImage image) {
            int r = clip.vision().config().resolution();
            if (image.width() != r || image.height() != r) {
                throw new IllegalArgumentException("benchmark image is " + image.width() + "×" + image.height() + ", the tiny CLIP needs " + r);
            }
            float[] px = new float[3 * r * r];
            MiniatureImages.toPixels(image, px, 0);
            try (NDManager m = parent.newSubManager()) {
                return clip.encodeImage(new ClipPreprocess(r, false).apply(m.create(px, new Shape(1, 3, r, r)))).toFloatArray();
            }
        }

        @Override
        public float[] textEmbedding(String text) {
            try (NDManager m = parent.newSubManager()) {
                return clip.encodeText(m.create(vocab.encodeLong(text), new Shape(1, vocab.context()))).toFloatArray();
            }
        }

        @Override
        public double logitScale() {
            return Math.exp(clip.logitScale());
        }
    }

    // ---------------------------------------------------------------- (g) reconstructions

    private List<String> reconstructions(Models models, Map<String, float[]> encoders, MiniatureImages heldout) throws IOException {
        int n = Math.min(s.reconstructions(), heldout.count());
        if (n == 0) {
            return List.of();
        }
        long t0 = System.nanoTime();
        String fine = encoders.keySet().stream().filter(k -> k.startsWith(UN2CLIP)).findFirst().orElseThrow();
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = i;
        }
        TrainingBatch b = heldout.batch(0, ids, false);
        DdimReconstructor ddim = new DdimReconstructor(models.unet(), models.vae(), models.augmentor(), DemoStage.diffusion().schedule(),
                models.scaleFactor(), s.ddimSteps());
        List<float[]> rows = new ArrayList<>();
        rows.add(b.pixels());
        for (String name : List.of(ORIGINAL, fine)) {
            TinyModels.install(encoders.get(name), models.clip().vision().params());
            try (NDManager m = models.manager().newSubManager()) {
                NDArray e = m.create(embed(m, models.clip(), b.pixels(), n), new Shape(n, s.clip().embedDim()));
                NDArray ctx = m.create(models.context(), new Shape(1, models.contextShape()[0], models.contextShape()[1]));
                int side = TinyModels.latentSide(s);
                rows.add(ddim.reconstruct(m, e, ctx, ids, s.seed(), new long[] {s.vae().latentChannels(), side, side}).toFloatArray());
            }
        }
        Path png = dir.resolve("reconstructions.png");
        ImageGrid.write(png, rows, n, s.imageSize(), 3);
        log.printf("(g) reconstructions: %d held-out images, rows = input / original encoder / %s (%.1f s)%n", n, fine, seconds(t0));
        records.put("reconstructions", new StageRecord("reconstructions", "", seconds(t0), DemoSettings.IN_PROCESS, 0, List.of(),
                Map.of("images", n, "rows", List.of("input", ORIGINAL, fine), "ddim_steps", s.ddimSteps())));
        return List.of(dir.relativize(png).toString());
    }

    // ---------------------------------------------------------------- helpers

    /** Writes the stage's spec.json and trains the stage on the configured runner. */
    private StageRunner.Trained train(StageRunner.Plan plan, StageSpec spec) throws IOException {
        Path file = spec.write(plan.dir());
        return runner.train(plan, new DemoStage(s, spec, file));
    }

    /** The frozen parts' weight files (written by the earlier stages): CLIP image tower, VAE, and the UNet once trained. */
    private Map<String, String> frozenWeights(boolean withUnet) {
        Map<String, String> w = new LinkedHashMap<>();
        w.put(StageSpec.VISION, dir.resolve("clip/vision.safetensors").toAbsolutePath().toString());
        w.put(StageSpec.VAE_ENCODER, dir.resolve("vae/encoder.safetensors").toAbsolutePath().toString());
        w.put(StageSpec.VAE_DECODER, dir.resolve("vae/decoder.safetensors").toAbsolutePath().toString());
        if (withUnet) {
            w.put(StageSpec.UNET, dir.resolve("generator/unet.safetensors").toAbsolutePath().toString());
        }
        return w;
    }

    private static List<TrainingBatch> batches(MiniatureImages images, int count, boolean withTokens) {
        List<TrainingBatch> out = new ArrayList<>();
        for (int first = 0; first < count; first += EVAL_BATCH) {
            long[] ids = new long[Math.min(EVAL_BATCH, count - first)];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = first + i;
            }
            out.add(images.batch(0, ids, withTokens));
        }
        return out;
    }

    private boolean skip(String stage, Path d, String fp) throws IOException {
        Optional<StageRecord> r = StageRecord.read(d, fp);
        r.ifPresent(x -> {
            records.put(stage, x);
            log.println("(skip) " + stage + ": outputs in " + d + " match the configuration");
        });
        return r.isPresent();
    }

    private String done(StageRecord r, Path d) throws IOException {
        r.write(d);
        records.put(r.stage(), r);
        return r.fingerprint();
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
