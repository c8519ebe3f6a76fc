package org.un2clip.model.clip;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.un2clip.model.golden.GoldenCheck;
import org.un2clip.model.golden.GoldenSuites;
import org.un2clip.model.io.SafeTensorsWriter;

class ClipGoldenSuiteTest {
    private static final Path PUBLIC = Path.of("src/test/resources/golden/public");

    @Test
    void shippedGoldenSetPassesWithEveryDebugIntermediate() {
        GoldenCheck.Report report = new GoldenCheck(List.of(new ClipGoldenSuite())).run(PUBLIC, List.of("clip."), true, r -> {});
        assertThat(report.results()).hasSize(11);
        assertThat(report.results()).allSatisfy(r -> assertThat(r.status()).as(r.line()).isEqualTo(GoldenCheck.Status.PASS));
    }

    @Test
    void registeredForCheckGolden() {
        assertThat(GoldenSuites.all()).anyMatch(s -> s instanceof ClipGoldenSuite);
    }

    /** Width 32, 3 layers, 2 heads, patch 4 at 12 px, GELU: a golden set written here from a double-precision oracle. */
    @Test
    void anotherConfigurationPassesAgainstAPlainJavaOracle(@TempDir Path dir) throws Exception {
        ClipVisionConfig config = new ClipVisionConfig(32, 3, 2, 4, 12, 16, Activation.GELU);
        writeGoldenSet(dir, config, config.toJson());
        GoldenCheck.Report report = new GoldenCheck(List.of(new ClipGoldenSuite())).run(dir, List.of("clip."), false, r -> {});
        assertThat(report.results()).extracting(GoldenCheck.Result::name).containsExactly("clip.embedding", "clip.tokens");
        assertThat(report.results()).allSatisfy(r -> assertThat(r.status()).as(r.line()).isEqualTo(GoldenCheck.Status.PASS));
    }

    /** The same set with the manifest claiming QuickGELU must fail: the check sees the activation. */
    @Test
    void aWrongActivationInTheManifestFails(@TempDir Path dir) throws Exception {
        ClipVisionConfig config = new ClipVisionConfig(32, 3, 2, 4, 12, 16, Activation.GELU);
        Map<String, Object> claimed = config.toJson();
        claimed.put("activation", "quick_gelu");
        writeGoldenSet(dir, config, claimed);
        GoldenCheck.Report report = new GoldenCheck(List.of(new ClipGoldenSuite())).run(dir, List.of("clip."), false, r -> {});
        assertThat(report.failed()).isEqualTo(2);
    }

    private static void writeGoldenSet(Path dir, ClipVisionConfig config, Map<String, Object> claimedConfig) throws Exception {
        Map<String, float[]> weights;
        try (NDManager manager = NDManager.newBaseManager(); ClipVision v = ClipVision.create(config, manager)) {
            weights = TestWeights.random(v.params(), 7, 0.25);
        }
        int r = config.resolution();
        float[] pixels = TestWeights.gaussian(3 * r * r, 11);
        double[][] ref = new ReferenceClip(weights).vision(config, pixels);

        SafeTensorsWriter w = new SafeTensorsWriter();
        ObjectMapper json = new ObjectMapper();
        ObjectNode manifest = json.createObjectNode();
        manifest.putObject("config").set("clip", json.valueToTree(claimedConfig));
        ObjectNode listed = manifest.putObject("weights");
        weights.forEach((name, values) -> {
            long[] shape = shapeOf(config, name);
            w.add("visual." + name, shape, values);
            ObjectNode e = listed.putObject("visual." + name);
            e.put("dtype", "F32");
            e.set("shape", json.valueToTree(shape));
        });
        w.write(dir.resolve("weights.safetensors"));

        ObjectNode golden = manifest.putObject("golden");
        golden.putObject("clip.pixels").put("role", "input");
        golden.putObject("clip.embedding").put("role", "output").put("atol", 2e-5);
        golden.putObject("clip.tokens").put("role", "output").put("atol", 2e-5);
        new SafeTensorsWriter()
                .add("clip.pixels", new long[] {1, 3, r, r}, pixels)
                .add("clip.embedding", new long[] {1, config.outputDim()}, TestWeights.toFloats(ref[1]))
                .add("clip.tokens", new long[] {1, config.tokens(), config.width()}, TestWeights.toFloats(ref[0]))
                .write(dir.resolve("golden.safetensors"));
        json.writeValue(dir.resolve("manifest.json").toFile(), manifest);
    }

    private static long[] shapeOf(ClipVisionConfig config, String name) {
        try (NDManager manager = NDManager.newBaseManager(); ClipVision v = ClipVision.create(config, manager)) {
            return v.params().shapes().get(name);
        }
    }
}
