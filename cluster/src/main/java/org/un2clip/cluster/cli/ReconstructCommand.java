package org.un2clip.cluster.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.un2clip.cluster.demo.ImageGrid;
import org.un2clip.data.image.ImageDecoder;
import org.un2clip.data.image.RgbImage;
import org.un2clip.data.preprocess.ImagePreprocessor;
import org.un2clip.data.preprocess.PixelView;
import org.un2clip.data.source.ImageFiles;
import org.un2clip.model.clip.Activation;
import org.un2clip.model.clip.ClipCheckpoints;
import org.un2clip.model.clip.ClipVision;
import org.un2clip.model.eval.UnclipGenerator;
import org.un2clip.model.io.StrictLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "reconstruct", description = {
        "The paper's visual analysis: each image → the encoder (OpenAI CLIP preprocessing) → its embedding → the frozen",
        "unCLIP generator (DDIM, η = 0, start noise keyed by (seed, image index)) → a picture. Writes OUT/reconstructions.png",
        "(rows: input, then one row per --encoder; columns: the images), one PNG per image (the same column) and",
        "OUT/index.json. The same seed gives the same pictures, and every encoder starts from the same noise."})
final class ReconstructCommand implements Callable<Integer> {
    private static final int QUERY_SLICE = 4096;

    @Option(names = "--generator", required = true, paramLabel = "DIR", description = {
            "The frozen generator: a folder in golden format (manifest.json config + weights.safetensors with the UNet,",
            "the VAE decoder, noise_augmentor.data_mean/std and empty_prompt_context), or a diffusers Stable unCLIP",
            "folder (model_index.json, unet/, vae/, image_normalizer/, image_noising_scheduler/, scheduler/, text_encoder/)."})
    Path generator;

    @Option(names = "--encoder", required = true, paramLabel = "FILE", description = {
            "A CLIP vision tower (OpenAI visual.*, bare or HF naming). Repeat it to compare encoders side by side",
            "(e.g. the original and the un²CLIP one). Config: the file's metadata, else the generator's config.clip, else shapes."})
    List<Path> encoders;

    @Option(names = "--images", required = true, arity = "1..*", paramLabel = "IMG", description = "JPEG, PNG or WebP files.")
    List<Path> images;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder (created).")
    Path out;

    @Option(names = "--steps", defaultValue = "50", description = "DDIM steps (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the start noise (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--zoom", defaultValue = "1", description = "Draw every pixel this many times larger (default ${DEFAULT-VALUE}).")
    int zoom;

    @Mixin
    ActivationOption activation;

    @Mixin
    TorchThreads threads;

    @Override
    public Integer call() throws Exception {
        threads.apply();
        if (steps < 1 || steps > 1000) {
            throw new Main.UserError("--steps must be in [1, 1000], got " + steps);
        }
        if (zoom < 1 || zoom > 16) {
            throw new Main.UserError("--zoom must be in [1, 16], got " + zoom);
        }
        Activation act = activation.get();
        ImageDecoder decoder = new ImageDecoder(EvalCommand.MAX_PIXELS, true);
        List<RgbImage> decoded = new ArrayList<>();
        for (Path p : images) {
            decoded.add(ImageFiles.read(decoder, p, "input image"));
        }
        long t0 = System.nanoTime();
        try (NDManager manager = NDManager.newBaseManager()) {
            UnclipGenerator gen = UnclipGenerator.open(generator, manager, QUERY_SLICE);
            int side = gen.imageSize();
            int n = decoded.size();
            List<float[]> rows = new ArrayList<>();
            float[] inputs = new float[n * 3 * side * side];
            for (int i = 0; i < n; i++) {
                float[] px = ImagePreprocessor.single(decoded.get(i), new PixelView.Vae(side));
                System.arraycopy(px, 0, inputs, i * px.length, px.length);
            }
            rows.add(inputs);
            for (Path file : encoders) {
                try (ClipVision tower = ClipCheckpoints.openVision(file, gen.clipConfig(), act, manager)) {
                    if (tower.config().outputDim() != gen.embeddingDim()) {
                        throw new Main.UserError("--encoder " + file + ": embedding width " + tower.config().outputDim()
                                + " differs from the width the generator in " + generator + " is conditioned on (" + gen.embeddingDim() + ")");
                    }
                    rows.add(reconstruct(manager, gen, tower, decoded));
                }
            }
            Files.createDirectories(out);
            ImageGrid.write(out.resolve("reconstructions.png"), rows, n, side, zoom);
            List<Map<String, Object>> index = new ArrayList<>();
            int per = 3 * side * side;
            for (int i = 0; i < n; i++) {
                String name = String.format(Locale.ROOT, "%02d-%s.png", i, stem(images.get(i)));
                List<float[]> column = new ArrayList<>();
                for (float[] row : rows) {
                    column.add(java.util.Arrays.copyOfRange(row, i * per, (i + 1) * per));
                }
                ImageGrid.write(out.resolve(name), column, 1, side, zoom);
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("input", images.get(i).toString());
                entry.put("file", name);
                entry.put("sample_id", i);
                index.add(entry);
            }
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("generator", generator.toString());
            summary.put("rows", rowNames());
            summary.put("image_size", side);
            summary.put("zoom", zoom);
            summary.put("ddim_steps", steps);
            summary.put("seed", seed);
            summary.put("grid", "reconstructions.png");
            summary.put("images", index);
            EvalCommand.writeJson(out.resolve("index.json"), summary);
            System.out.printf(Locale.ROOT, "reconstructed %d image(s) at %d px with %d encoder(s), %d DDIM steps, seed %d (%.1f s): %s%n",
                    n, side, encoders.size(), steps, seed, (System.nanoTime() - t0) / 1e9, out.resolve("reconstructions.png"));
        } catch (StrictLoader.WeightLoadException e) {
            throw new Main.UserError(e.getMessage());
        }
        return 0;
    }

    /** Pictures (n, 3, S, S) in [-1, 1], one image at a time (a real generator needs GBs per sample). */
    private float[] reconstruct(NDManager parent, UnclipGenerator gen, ClipVision tower, List<RgbImage> decoded) {
        PixelView view = new PixelView.OpenAiClip(tower.config().resolution());
        int r = view.size();
        int side = gen.imageSize();
        float[] out = new float[decoded.size() * 3 * side * side];
        for (int i = 0; i < decoded.size(); i++) {
            try (NDManager m = parent.newSubManager()) {
                NDArray e = tower.encode(m.create(ImagePreprocessor.single(decoded.get(i), view), new Shape(1, 3, r, r)));
                float[] px = gen.reconstruct(m, e, new long[] {i}, seed, steps).toFloatArray();
                System.arraycopy(px, 0, out, i * px.length, px.length);
            }
        }
        return out;
    }

    private List<String> rowNames() {
        List<String> names = new ArrayList<>();
        names.add("input");
        encoders.forEach(e -> names.add(e.toString()));
        return names;
    }

    private static String stem(Path p) {
        String s = p.getFileName().toString();
        int dot = s.lastIndexOf('.');
        return (dot > 0 ? s.substring(0, dot) : s).replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
