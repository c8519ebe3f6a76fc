package org.un2clip.cluster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.un2clip.data.image.ImageEncoder;
import org.un2clip.data.synth.SceneRenderer;
import org.un2clip.data.synth.SceneSampler;
import org.un2clip.model.clip.ClipVision;
import org.un2clip.model.clip.ClipVisionConfig;
import org.un2clip.model.clip.ClipVisionFormat;
import org.un2clip.model.clip.ClipWeights;
import org.un2clip.model.io.SafeTensorsFile;
import org.un2clip.model.io.SafeTensorsWriter;
import org.un2clip.model.io.WeightSource;
import org.un2clip.model.nn.Initializer;
import org.un2clip.model.unclip.AutoencoderKL;
import org.un2clip.model.unclip.VaeConfig;

/**
 * {@code reconstruct} on real files: the shipped public golden generator (UNet, VAE, noise augmentor, its CLIP tower)
 * completed with a seeded VAE decoder, input pictures of odd sizes, a second encoder to compare.
 */
class ReconstructCommandTest {
    private static final int SIDE = 32;
    private static final int GAP = 2;

    @TempDir
    static Path dir;
    private static Path generator;
    private static Path original;
    private static Path tuned;
    private static List<String> images;

    @BeforeAll
    static void files() throws IOException {
        Path golden = MainTest.GoldenPaths.weights().getParent();
        generator = Files.createDirectories(dir.resolve("generator"));
        Files.copy(golden.resolve("manifest.json"), generator.resolve("manifest.json"));
        Files.copy(golden.resolve("golden.safetensors"), generator.resolve("golden.safetensors"));
        SafeTensorsWriter w = new SafeTensorsWriter();
        try (WeightSource src = SafeTensorsFile.open(golden.resolve("weights.safetensors")); NDManager m = NDManager.newBaseManager()) {
            for (String name : src.names()) {
                w.add(name, src.info(name).shape(), src.readFloats(name));
            }
            JsonNode config = new ObjectMapper().readTree(golden.resolve("manifest.json").toFile()).path("config");
            AutoencoderKL vae = new AutoencoderKL(m, VaeConfig.fromLdm(config.path("vae")), true, 1024);
            Initializer.initialize(vae.decoderParameters(), 21, 4, n -> false);
            vae.decoderParameters().arrays().forEach((name, a) -> w.add("first_stage_model." + name, a.getShape().getShape(), a.toFloatArray()));
            // the original encoder: the golden CLIP tower (no config metadata: the generator's config.clip applies)
            original = generator.resolve("weights.safetensors");
            // a "fine-tuned" encoder: another seeded tower of the same shape, with its config in the metadata
            ClipVision other = ClipVision.create(ClipVisionConfig.fromJson(config.path("clip")), m);
            Initializer.initialize(other.params(), 22, 1, n -> false);
            tuned = dir.resolve("tuned.safetensors");
            ClipWeights.exportVision(other, tuned, ClipVisionFormat.OPENAI);
        }
        w.write(generator.resolve("weights.safetensors"));
        Path a = dir.resolve("scene a.png");
        Files.write(a, ImageEncoder.png(SceneRenderer.render(SceneSampler.datasetScene(3, 0), 48)));
        Path b = dir.resolve("b.jpg");
        Files.write(b, ImageEncoder.jpeg(crop(SceneRenderer.render(SceneSampler.datasetScene(3, 1), 40), 40, 30), 0.95f));
        images = List.of(a.toString(), b.toString());
    }

    private static org.un2clip.data.image.RgbImage crop(org.un2clip.data.image.RgbImage img, int w, int h) {
        return new org.un2clip.data.image.RgbImage(w, h, Arrays.copyOf(img.rgb(), w * h * 3));
    }

    private static MainTest.Run reconstruct(Path out, long seed, Path... encoders) {
        List<String> args = new ArrayList<>(List.of("reconstruct", "--generator", generator.toString(), "--out", out.toString(),
                "--steps", "4", "--seed", String.valueOf(seed)));
        for (Path e : encoders) {
            args.addAll(List.of("--encoder", e.toString()));
        }
        args.add("--images");
        args.addAll(images);
        return MainTest.run(args.toArray(String[]::new));
    }

    /** Pixels (ARGB) of the cell at (row, column) of a grid with cells SIDE + GAP apart. */
    private static int[] cell(BufferedImage img, int row, int column) {
        return img.getRGB(column * (SIDE + GAP), row * (SIDE + GAP), SIDE, SIDE, null, 0, SIDE);
    }

    @Test
    void writesTheGridPerImageFilesAndAnIndexDeterministically() throws IOException {
        Path out = dir.resolve("one");
        MainTest.Run r = reconstruct(out, 7, original);
        assertThat(r.exit()).as(r.err()).isZero();
        BufferedImage grid = ImageIO.read(out.resolve("reconstructions.png").toFile());
        assertThat(grid.getWidth()).isEqualTo(2 * (SIDE + GAP));
        assertThat(grid.getHeight()).isEqualTo(2 * (SIDE + GAP));
        JsonNode index = new ObjectMapper().readTree(out.resolve("index.json").toFile());
        assertThat(index.get("image_size").asInt()).isEqualTo(SIDE);
        assertThat(index.get("rows")).hasSize(2);
        assertThat(index.get("images")).hasSize(2);
        for (int i = 0; i < 2; i++) {
            String name = index.get("images").get(i).get("file").asText();
            assertThat(name).isEqualTo(i == 0 ? "00-scene_a.png" : "01-b.png");
            BufferedImage column = ImageIO.read(out.resolve(name).toFile());
            assertThat(column.getWidth()).isEqualTo(SIDE + GAP);
            assertThat(column.getHeight()).isEqualTo(2 * (SIDE + GAP));
            assertThat(cell(column, 1, 0)).as("the per-image file is the grid's column").isEqualTo(cell(grid, 1, i));
        }
        int[] recon = cell(grid, 1, 0);
        assertThat(Arrays.stream(recon).distinct().count()).as("a picture, not a flat fill").isGreaterThan(10);

        Path again = dir.resolve("again");
        assertThat(reconstruct(again, 7, original).exit()).isZero();
        assertThat(Files.readAllBytes(again.resolve("reconstructions.png"))).isEqualTo(Files.readAllBytes(out.resolve("reconstructions.png")));

        Path otherSeed = dir.resolve("other-seed");
        assertThat(reconstruct(otherSeed, 8, original).exit()).isZero();
        BufferedImage seeded = ImageIO.read(otherSeed.resolve("reconstructions.png").toFile());
        assertThat(cell(seeded, 0, 1)).as("the input row does not depend on the seed").isEqualTo(cell(grid, 0, 1));
        assertThat(cell(seeded, 1, 1)).as("the start noise does").isNotEqualTo(cell(grid, 1, 1));
    }

    @Test
    void twoEncodersSideBySideShareTheNoise() throws IOException {
        Path single = dir.resolve("single");
        assertThat(reconstruct(single, 5, original).exit()).isZero();
        Path both = dir.resolve("both");
        MainTest.Run r = reconstruct(both, 5, original, tuned);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("2 encoder(s)");
        BufferedImage grid = ImageIO.read(both.resolve("reconstructions.png").toFile());
        assertThat(grid.getHeight()).isEqualTo(3 * (SIDE + GAP));
        BufferedImage one = ImageIO.read(single.resolve("reconstructions.png").toFile());
        for (int i = 0; i < 2; i++) {
            assertThat(cell(grid, 1, i)).as("row of the first encoder = its run alone").isEqualTo(cell(one, 1, i));
            assertThat(cell(grid, 2, i)).as("another encoder, another embedding, another picture").isNotEqualTo(cell(grid, 1, i));
        }
    }

    @Test
    void badInputIsNamed(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("out");
        MainTest.Run noDecoder = MainTest.run("reconstruct", "--generator", MainTest.GoldenPaths.weights().getParent().toString(),
                "--encoder", original.toString(), "--images", images.get(0), "--out", out.toString(), "--steps", "2");
        assertFails(noDecoder, "weights.safetensors", "no VAE decoder");

        Path text = tmp.resolve("note.png");
        Files.write(text, "hello".getBytes(StandardCharsets.UTF_8));
        assertFails(MainTest.run("reconstruct", "--generator", generator.toString(), "--encoder", original.toString(),
                "--images", text.toString(), "--out", out.toString()), "bad input image " + text);
        Path missing = tmp.resolve("missing.jpg");
        assertFails(MainTest.run("reconstruct", "--generator", generator.toString(), "--encoder", original.toString(),
                "--images", missing.toString(), "--out", out.toString()), "cannot read input image " + missing);

        ClipVision wide;
        Path wideFile = tmp.resolve("wide.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            wide = ClipVision.create(new ClipVisionConfig(64, 1, 4, 8, 32, 32, org.un2clip.model.clip.Activation.QUICK_GELU), m);
            ClipWeights.exportVision(wide, wideFile, ClipVisionFormat.OPENAI);
        }
        assertFails(MainTest.run("reconstruct", "--generator", generator.toString(), "--encoder", wideFile.toString(),
                "--images", images.get(0), "--out", out.toString(), "--steps", "2"), wideFile.toString(), "embedding width 32");

        Path renamed = tmp.resolve("renamed.safetensors");
        SafeTensorsWriter w = new SafeTensorsWriter();
        try (WeightSource src = SafeTensorsFile.open(tuned)) {
            src.metadata().forEach(w::metadata);
            for (String name : src.names()) {
                w.add(name.equals("visual.proj") ? "visual.projection" : name, src.info(name).shape(), src.readFloats(name));
            }
        }
        w.write(renamed);
        assertFails(MainTest.run("reconstruct", "--generator", generator.toString(), "--encoder", renamed.toString(),
                "--images", images.get(0), "--out", out.toString(), "--steps", "2"), renamed.toString(), "missing: proj", "unexpected: projection");

        assertFails(MainTest.run("reconstruct", "--generator", tmp.resolve("nowhere").toString(), "--encoder", original.toString(),
                "--images", images.get(0), "--out", out.toString()), "no such generator folder");
        assertFails(MainTest.run("reconstruct", "--generator", generator.toString(), "--encoder", original.toString(),
                "--images", images.get(0), "--out", out.toString(), "--steps", "0"), "--steps must be in [1, 1000]");
        assertThat(out).doesNotExist();
    }

    private static void assertFails(MainTest.Run r, String... parts) {
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(2);
        assertThat(r.err()).startsWith("un2clip: ");
        for (String p : parts) {
            assertThat(r.err()).contains(p);
        }
    }
}
