package org.un2clip.cluster.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.un2clip.data.image.ImageEncoder;
import org.un2clip.data.image.RgbImage;
import org.un2clip.data.preprocess.ImagePreprocessor;
import org.un2clip.data.preprocess.PixelView;
import org.un2clip.data.synth.PairBenchmarkWriter;
import org.un2clip.model.clip.Activation;
import org.un2clip.model.clip.ClipModel;
import org.un2clip.model.clip.ClipTextConfig;
import org.un2clip.model.clip.ClipTokenizer;
import org.un2clip.model.clip.ClipVision;
import org.un2clip.model.clip.ClipVisionConfig;
import org.un2clip.model.clip.ClipVisionFormat;
import org.un2clip.model.clip.ClipWeights;
import org.un2clip.model.nn.Initializer;

/**
 * {@code eval mmvp} on real files: a seeded tiny CLIP written as an OpenAI state dict and as an HF folder, a
 * fine-tuned-encoder file, the MMVP-VLM folder layout with JPEGs of odd sizes, and the demo's pair benchmark. The
 * command's numbers are checked against the protocol computed here from the in-memory model's embeddings.
 */
class EvalMmvpCommandTest {
    private static final ClipVisionConfig VISION = new ClipVisionConfig(64, 2, 4, 8, 32, 32, Activation.QUICK_GELU);
    private static final ClipTextConfig TEXT = new ClipTextConfig(24, 49408, 64, 2, 4, 32, Activation.QUICK_GELU);
    private static final String[] TYPES = {"Orientation and Direction", "Color and Appearance", "Texts"};
    private static final int PAIRS_PER_TYPE = 3;

    @TempDir
    static Path dir;
    private static NDManager manager;
    private static ClipModel model;
    private static ClipVision other;
    private static Path openai;
    private static Path hf;
    private static Path otherEncoder;
    private static Path mmvp;
    private static Path miniature;

    @BeforeAll
    static void files() throws IOException {
        manager = NDManager.newBaseManager();
        model = ClipModel.create(VISION, TEXT, manager);
        Initializer.initialize(model.vision().params(), 11, 1, n -> false);
        Initializer.initialize(model.text().params(), 11, 2, n -> false);
        model.setLogitScale((float) Math.log(100));
        openai = dir.resolve("clip.safetensors");
        ClipWeights.exportModel(model, openai, ClipVisionFormat.OPENAI);
        hf = dir.resolve("hf-clip");
        Files.createDirectories(hf);
        ClipWeights.exportModel(model, hf.resolve("model.safetensors"), ClipVisionFormat.HF);
        Files.writeString(hf.resolve("config.json"), """
                {"architectures": ["CLIPModel"], "projection_dim": 32,
                 "text_config": {"hidden_size": 64, "intermediate_size": 256, "num_hidden_layers": 2, "num_attention_heads": 4,
                                 "max_position_embeddings": 24, "vocab_size": 49408, "hidden_act": "quick_gelu"},
                 "vision_config": {"hidden_size": 64, "intermediate_size": 256, "num_hidden_layers": 2, "num_attention_heads": 4,
                                   "patch_size": 8, "image_size": 32, "hidden_act": "quick_gelu"}}
                """);
        // a "fine-tuned" tower as the demo writes it: bare OpenAI names, no config in the metadata
        other = ClipVision.create(VISION, manager);
        Initializer.initialize(other.params(), 12, 1, n -> false);
        otherEncoder = dir.resolve("encoder.safetensors");
        other.params().write(otherEncoder, n -> n, Map.of("format", "pt"));
        mmvp = dir.resolve("MMVP_VLM");
        writeMmvpLayout(mmvp);
        miniature = dir.resolve("bench");
        PairBenchmarkWriter.write(miniature, 1, 5, 40, PairBenchmarkWriter.Format.JPG);
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    /** The MMVP_VLM layout: header, quoted statements with commas, non-square JPEGs under 'MLLM_VLM Images/<type>/'. */
    private static void writeMmvpLayout(Path root) throws IOException {
        StringBuilder csv = new StringBuilder("Question ID,Type,Statement\n");
        int qid = 1;
        for (String type : TYPES) {
            Path folder = root.resolve("MLLM_VLM Images").resolve(type);
            Files.createDirectories(folder);
            for (int p = 0; p < PAIRS_PER_TYPE; p++) {
                for (int k = 0; k < 2; k++, qid++) {
                    Files.write(folder.resolve(qid + ".jpg"), ImageEncoder.jpeg(picture(qid, 48 + 8 * k, 36 + 4 * p), 0.95f));
                    csv.append(qid).append(',').append(type).append(",\"the ").append(k == 0 ? "red" : "blue")
                            .append(" object, seen from ").append(p == 0 ? "above" : "the side").append("\"\n");
                }
            }
        }
        Files.writeString(root.resolve("Questions.csv"), csv.toString());
    }

    private static RgbImage picture(int seed, int w, int h) {
        byte[] rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    rgb[(y * w + x) * 3 + c] = (byte) ((x * (7 + seed) + y * (13 + 3 * c) + seed * 31 + c * 50) % 256);
                }
            }
        }
        return new RgbImage(w, h, rgb);
    }

    // ------------------------------------------------------------------ the protocol, computed here

    /** Upstream's loop: rows in pairs, a softmax per statement over the two images, categories in blocks of pairs. */
    private static Expected expected(Path bench, ClipVision image, int pairsPerCategory) throws IOException {
        Path images = bench.resolve("MLLM_VLM Images");
        List<String[]> rows = new ArrayList<>();
        List<String> lines = Files.readAllLines(bench.resolve("Questions.csv"), StandardCharsets.UTF_8);
        for (String line : lines.subList(1, lines.size())) {
            // qid,type,"statement" or qid,type,statement
            int a = line.indexOf(',');
            int b = line.indexOf(',', a + 1);
            String statement = line.substring(b + 1);
            if (statement.startsWith("\"")) {
                statement = statement.substring(1, statement.length() - 1).replace("\"\"", "\"");
            }
            rows.add(new String[] {line.substring(0, a), line.substring(a + 1, b), statement});
        }
        Map<String, Integer> correct = new LinkedHashMap<>();
        List<double[]> probabilities = new ArrayList<>();
        for (int i = 0; i < rows.size(); i += 2) {
            String type = rows.get(i)[1];
            int q1 = Integer.parseInt(rows.get(i)[0]);
            int q2 = Integer.parseInt(rows.get(i + 1)[0]);
            float[] e1 = imageEmbedding(image, imageFile(images, type, q1));
            float[] e2 = imageEmbedding(image, imageFile(images, type, q2));
            double p1 = softmaxFirst(textEmbedding("a photo of " + rows.get(i)[2]), e1, e2);
            double p2 = softmaxFirst(textEmbedding("a photo of " + rows.get(i + 1)[2]), e1, e2);
            boolean ok = (p1 > 0.5) == (q1 % 2 == 1) && (p2 > 0.5) == (q2 % 2 == 1);
            probabilities.add(new double[] {p1, p2});
            String category = rows.get((i / 2 / pairsPerCategory) * pairsPerCategory * 2)[1];
            correct.merge(category, ok ? 1 : 0, Integer::sum);
        }
        Map<String, Double> percent = new LinkedHashMap<>();
        correct.forEach((k, v) -> percent.put(k, 100.0 * v / pairsPerCategory));
        return new Expected(percent, percent.values().stream().mapToDouble(Double::doubleValue).average().orElseThrow(), probabilities);
    }

    private record Expected(Map<String, Double> percent, double mean, List<double[]> probabilities) {}

    private static Path imageFile(Path images, String type, int qid) {
        Path jpg = images.resolve(type).resolve(qid + ".jpg");
        return Files.exists(jpg) ? jpg : images.resolve(type).resolve(qid + ".png");
    }

    private static float[] imageEmbedding(ClipVision image, Path file) throws IOException {
        RgbImage img;
        try {
            img = new org.un2clip.data.image.ImageDecoder(1 << 24, false).decode(Files.readAllBytes(file), "jpg");
        } catch (org.un2clip.data.BadRecordException e) {
            throw new IOException(e);
        }
        try (NDManager m = manager.newSubManager()) {
            float[] px = ImagePreprocessor.single(img, new PixelView.OpenAiClip(32));
            return image.encode(m.create(px, new Shape(1, 3, 32, 32))).toFloatArray();
        }
    }

    private static float[] textEmbedding(String text) {
        try (NDManager m = manager.newSubManager()) {
            return model.text().encode(m.create(ClipTokenizer.openAi().tokenize(text, TEXT.contextLength()), new Shape(1, TEXT.contextLength())))
                    .toFloatArray();
        }
    }

    /** logits_per_text = exp(logit_scale) · cos(text, image_k); softmax over the two images; the first component. */
    private static double softmaxFirst(float[] t, float[] i1, float[] i2) {
        double s = Math.exp(model.logitScale());
        double l1 = s * cos(t, i1);
        double l2 = s * cos(t, i2);
        return 1 / (1 + Math.exp(l2 - l1));
    }

    private static double cos(float[] a, float[] b) {
        double d = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            d += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return d / Math.sqrt(na * nb);
    }

    // ------------------------------------------------------------------ tests

    private static JsonNode eval(String... args) throws IOException {
        Path out = dir.resolve("out-" + System.nanoTime() + ".json");
        List<String> all = new ArrayList<>(List.of("eval", "mmvp", "--out", out.toString()));
        all.addAll(List.of(args));
        MainTest.Run r = MainTest.run(all.toArray(String[]::new));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("mean");
        return new ObjectMapper().readTree(out.toFile());
    }

    private static void assertMatches(JsonNode result, Expected e) {
        Map<String, Double> got = new LinkedHashMap<>();
        result.get("patterns").fields().forEachRemaining(f -> got.put(f.getKey(), f.getValue().get("percent").asDouble()));
        assertThat(got).isEqualTo(e.percent());
        assertThat(result.get("mean_percent").asDouble()).isEqualTo(e.mean(), within(1e-9));
        assertThat(result.get("pairs")).hasSize(e.probabilities().size());
        for (int i = 0; i < e.probabilities().size(); i++) {
            JsonNode p = result.get("pairs").get(i);
            assertThat(p.get("image1_probability_statement1").asDouble()).as("pair %d", i).isEqualTo(e.probabilities().get(i)[0], within(1e-5));
            assertThat(p.get("image1_probability_statement2").asDouble()).as("pair %d", i).isEqualTo(e.probabilities().get(i)[1], within(1e-5));
        }
    }

    private static JsonNode base;

    /** The OpenAI file on the MMVP layout, evaluated once for the tests that compare with it. */
    private static synchronized JsonNode base() throws IOException {
        if (base == null) {
            base = eval("--clip", openai.toString(), "--bench", mmvp.toString());
        }
        return base;
    }

    @Test
    void openAiStateDictOnTheMmvpLayoutMatchesTheProtocolComputedHere() throws IOException {
        JsonNode r = base();
        assertMatches(r, expected(mmvp, model.vision(), PAIRS_PER_TYPE));
        assertThat(r.get("patterns")).hasSize(TYPES.length);
        assertThat(r.get("logit_scale").asDouble()).isEqualTo(100, within(1e-3));
    }

    @Test
    void hfFolderGivesTheSameNumbersAsTheOpenAiFile() throws IOException {
        JsonNode fromOpenAi = eval("--clip", openai.toString(), "--bench", miniature.toString());
        JsonNode fromHf = eval("--clip", hf.toString(), "--bench", miniature.toString());
        assertMatches(fromOpenAi, expected(miniature, model.vision(), 1));
        assertThat(fromHf.get("patterns")).isEqualTo(fromOpenAi.get("patterns"));
        for (int i = 0; i < fromHf.get("pairs").size(); i++) {
            assertThat(fromHf.get("pairs").get(i).get("image1_probability_statement1").asDouble())
                    .isEqualTo(fromOpenAi.get("pairs").get(i).get("image1_probability_statement1").asDouble(), within(1e-6));
        }
        assertThat(fromHf.get("patterns")).hasSize(9);
    }

    @Test
    void aReplacedEncoderScoresWithItsOwnEmbeddings() throws IOException {
        JsonNode base = base();
        JsonNode replaced = eval("--clip", openai.toString(), "--encoder", otherEncoder.toString(), "--bench", mmvp.toString());
        assertMatches(replaced, expected(mmvp, other, PAIRS_PER_TYPE));
        double moved = 0;
        for (int i = 0; i < base.get("pairs").size(); i++) {
            moved = Math.max(moved, Math.abs(base.get("pairs").get(i).get("image1_probability_statement1").asDouble()
                    - replaced.get("pairs").get(i).get("image1_probability_statement1").asDouble()));
        }
        assertThat(moved).as("another image tower moves the probabilities").isGreaterThan(1e-3);
        // the model's own tower given as --encoder (HF naming, config from its metadata) changes nothing
        Path own = dir.resolve("own-hf.safetensors");
        ClipWeights.exportVision(model.vision(), own, ClipVisionFormat.HF);
        JsonNode same = eval("--clip", openai.toString(), "--encoder", own.toString(), "--bench", mmvp.toString());
        assertThat(same.get("patterns")).isEqualTo(base.get("patterns"));
        assertThat(same.get("pairs").get(0).get("image1_probability_statement2").asDouble())
                .isEqualTo(base.get("pairs").get(0).get("image1_probability_statement2").asDouble(), within(1e-9));
    }

    @Test
    void brokenBenchmarksAreNamed(@TempDir Path tmp) throws IOException {
        Path shortRow = copyOf(mmvp, tmp.resolve("short-row"));
        List<String> lines = new ArrayList<>(Files.readAllLines(shortRow.resolve("Questions.csv")));
        lines.set(2, "2,Orientation and Direction");
        Files.write(shortRow.resolve("Questions.csv"), lines);
        assertFails(List.of("--clip", openai.toString(), "--bench", shortRow.toString()),
                shortRow.resolve("Questions.csv") + " line 3", "expected 3 columns");

        Path missing = copyOf(mmvp, tmp.resolve("missing-image"));
        Path gone = missing.resolve("MLLM_VLM Images").resolve("Texts").resolve("14.jpg");
        Files.delete(gone);
        assertFails(List.of("--clip", openai.toString(), "--bench", missing.toString()), "missing image for qid 14", gone.toString());

        Path corrupt = copyOf(mmvp, tmp.resolve("corrupt-image"));
        Path bad = corrupt.resolve("MLLM_VLM Images").resolve("Color and Appearance").resolve("8.jpg");
        Files.write(bad, "not a picture".getBytes(StandardCharsets.UTF_8));
        assertFails(List.of("--clip", openai.toString(), "--bench", corrupt.toString()), "bad benchmark image " + bad);

        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Files.writeString(empty.resolve("Questions.csv"), "Question ID,Type,Statement\n");
        assertFails(List.of("--clip", openai.toString(), "--bench", empty.toString()), "no statements");
        assertFails(List.of("--clip", openai.toString(), "--bench", tmp.resolve("nowhere").toString()), "no such folder");
    }

    @Test
    void brokenCheckpointsAreNamed(@TempDir Path tmp) throws IOException {
        Path renamed = tmp.resolve("renamed.safetensors");
        other.params().write(renamed, n -> n.equals("ln_post.weight") ? "ln_post.gamma" : n, Map.of("format", "pt"));
        assertFails(List.of("--clip", openai.toString(), "--encoder", renamed.toString(), "--bench", mmvp.toString()),
                renamed.toString(), "missing: ln_post.weight", "unexpected: ln_post.gamma");

        ClipVision wider = ClipVision.create(new ClipVisionConfig(64, 2, 4, 8, 32, 48, Activation.QUICK_GELU), manager);
        Path wide = tmp.resolve("wide.safetensors");
        ClipWeights.exportVision(wider, wide, ClipVisionFormat.OPENAI);
        assertFails(List.of("--clip", openai.toString(), "--encoder", wide.toString(), "--bench", mmvp.toString()),
                wide.toString(), "embedding width 48 differs from the text tower's 32");

        // a vision tower is not a whole CLIP model: no text side
        assertFails(List.of("--clip", otherEncoder.toString(), "--bench", mmvp.toString()), otherEncoder.toString(), "no CLIP text tower");

        Path noConfig = Files.createDirectories(tmp.resolve("hf-broken"));
        Files.copy(hf.resolve("model.safetensors"), noConfig.resolve("model.safetensors"));
        Files.writeString(noConfig.resolve("config.json"), "{\"vision_config\": {\"hidden_size\": 64}}");
        assertFails(List.of("--clip", noConfig.toString(), "--bench", mmvp.toString()), noConfig.toString(), "no text_config");
    }

    private static void assertFails(List<String> args, String... messageParts) {
        List<String> all = new ArrayList<>(List.of("eval", "mmvp"));
        all.addAll(args);
        MainTest.Run r = MainTest.run(all.toArray(String[]::new));
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(2);
        assertThat(r.err()).startsWith("un2clip: ");
        for (String part : messageParts) {
            assertThat(r.err()).contains(part);
        }
    }

    private static Path copyOf(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        return to;
    }
}
