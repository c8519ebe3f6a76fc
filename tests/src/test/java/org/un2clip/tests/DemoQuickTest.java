package org.un2clip.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.un2clip.cluster.cli.Main;

/**
 * `un2clip demo --quick` end to end: every stage runs (world, CLIP, VAE, generator, un²CLIP, evaluation,
 * reconstructions), every training stage as a training run of the distributed runtime (its run folder holds the
 * metrics of every step, each summing two trainer ranks), the report has its tables, loss curves and picture; a
 * second run skips every training stage; the exported CLIP and generator work with {@code eval mmvp} and
 * {@code reconstruct}.
 */
class DemoQuickTest {
    private static final List<String> STAGES = List.of("world", "clip", "vae", "generator", "un2clip", "reconstructions");
    private static final List<String> PATTERNS = List.of("Orientation and Direction", "Presence of Specific Features",
            "State and Condition", "Quantity and Count", "Positional and Relational Context", "Color and Appearance",
            "Structural Characteristics", "Texts", "Viewpoint and Perspective");

    @TempDir
    Path tmp;

    private String demo() {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            assertThat(Main.run("demo", "--quick", "--set", "demo.dir=" + tmp)).isZero();
        } finally {
            System.setOut(old);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        old.print(out);
        return out;
    }

    @Test
    void quickDemoRunsEveryStageAndWritesTheReport() throws Exception {
        String first = demo();
        JsonNode summary = new ObjectMapper().readTree(tmp.resolve("summary.json").toFile());
        for (String stage : STAGES) {
            JsonNode st = summary.path("stages").path(stage);
            assertThat(st.isMissingNode()).as(stage).isFalse();
            assertThat(st.path("seconds").asDouble()).as(stage).isPositive();
        }
        for (String stage : List.of("world", "reconstructions")) {
            assertThat(summary.path("stages").path(stage).path("ran_on").asText()).as(stage).isEqualTo("in-process");
        }
        Map<String, String> runs = Map.of("clip", "clip/run", "vae", "vae/run", "generator", "generator/run", "un2clip", "un2clip/un2clip/run");
        for (Map.Entry<String, String> e : runs.entrySet()) {
            String trained = e.getKey();
            JsonNode st = summary.path("stages").path(trained);
            assertThat(st.path("ran_on").asText()).as(trained).isEqualTo("runtime");
            assertThat(st.path("trainers").asInt()).as(trained).isEqualTo(2);
            assertThat(st.path("steps").asInt()).as(trained).isPositive();
            assertThat(st.path("loss_curve").size()).as(trained).isEqualTo(st.path("steps").asInt());
            assertThat(st.path("last_loss").asDouble()).as(trained).isFinite();
            // the stage's training run: one metrics line per step, each summing the gradients of two trainer ranks
            Path run = tmp.resolve(e.getValue());
            List<String> metrics = Files.readAllLines(run.resolve("metrics.jsonl"));
            assertThat(metrics).as(trained).hasSize(st.path("steps").asInt());
            for (int i = 0; i < metrics.size(); i++) {
                JsonNode line = new ObjectMapper().readTree(metrics.get(i));
                assertThat(line.path("ranks").asInt()).as(trained + " step " + i).isEqualTo(2);
                assertThat(line.path("loss").asDouble()).as(trained + " step " + i).isEqualTo(st.path("loss_curve").get(i).asDouble());
            }
            assertThat(Files.readString(run.resolve("resolved.conf"))).contains("demo-stage");
        }
        // one local cluster served every stage: each trainer JVM found one Coordinator per training stage
        for (int rank = 0; rank < 2; rank++) {
            String log = Files.readString(tmp.resolve("runtime-logs/trainer-" + rank + ".log"));
            assertThat(log.split("rank " + rank + ": coordinator found", -1)).as("rank " + rank).hasSize(runs.size() + 1);
        }
        for (String encoder : List.of("original", "un2clip")) {
            JsonNode e = summary.path("evaluations").path(encoder);
            List<String> patterns = iterable(e.path("mmvp_patterns").fieldNames());
            assertThat(patterns).as(encoder).containsExactlyElementsOf(PATTERNS);
            assertThat(e.path("mmvp_mean").asDouble()).isBetween(0.0, 100.0);
            assertThat(e.path("zero_shot").asDouble()).isBetween(0.0, 100.0);
            assertThat(e.path("heldout_diffusion_loss").asDouble()).isPositive();
        }
        assertThat(summary.path("config").path("dir").asText()).isEqualTo(tmp.toString());
        assertThat(Files.size(tmp.resolve("reconstructions.png"))).isPositive();
        assertThat(javax.imageio.ImageIO.read(tmp.resolve("reconstructions.png").toFile()).getHeight())
                .as("three rows: input, original, fine-tuned").isEqualTo(3 * (32 * 3 + 2));
        String html = Files.readString(tmp.resolve("report.html"));
        assertThat(html).contains("<table>", "MMVP mean", "zero-shot", "held-out diffusion loss", "<svg", "<polyline",
                "reconstructions.png", "Configuration");
        String md = Files.readString(tmp.resolve("report.md"));
        assertThat(md).contains("| metric | original | un2clip |", "MMVP Texts (%)", "## Stages", "## Reconstructions",
                "| clip | runtime, 2 trainer JVMs |", "| un2clip | runtime, 2 trainer JVMs |");
        assertThat(first).contains("(b) tiny CLIP", "(c) tiny VAE", "(c) tiny unCLIP generator", "(d) un²CLIP", "MMVP mean");
        assertThat(tmp.resolve("un2clip/un2clip/encoder.safetensors")).isRegularFile();

        // resumable: nothing to train again, the same evaluation
        String second = demo();
        for (String stage : List.of("world", "clip", "vae", "generator", "un2clip")) {
            assertThat(second).contains("(skip) " + stage + ":");
        }
        assertThat(second).doesNotContain("step ");
        JsonNode again = new ObjectMapper().readTree(tmp.resolve("summary.json").toFile());
        assertThat(again.path("evaluations")).isEqualTo(summary.path("evaluations"));
        exportsWorkWithTheCheckpointCommands(summary);
    }

    /** `eval mmvp` on the exported CLIP + the fine-tuned encoder reproduces the demo's own MMVP table; `reconstruct` decodes. */
    private void exportsWorkWithTheCheckpointCommands(JsonNode summary) throws Exception {
        Path json = tmp.resolve("eval.json");
        assertThat(Main.run("eval", "mmvp", "--clip", tmp.resolve("export/clip.safetensors").toString(), "--encoder",
                tmp.resolve("un2clip/un2clip/encoder.safetensors").toString(), "--bench", tmp.resolve("bench").toString(),
                "--out", json.toString())).isZero();
        JsonNode eval = new ObjectMapper().readTree(json.toFile());
        summary.path("evaluations").path("un2clip").path("mmvp_patterns").fields().forEachRemaining(f ->
                assertThat(eval.path("patterns").path(f.getKey()).path("percent").asDouble()).as(f.getKey()).isEqualTo(f.getValue().asDouble()));
        assertThat(eval.path("mean_percent").asDouble()).isEqualTo(summary.path("evaluations").path("un2clip").path("mmvp_mean").asDouble());
        Path image = Files.list(tmp.resolve("bench/MLLM_VLM Images/Texts")).sorted().findFirst().orElseThrow();
        assertThat(Main.run("reconstruct", "--generator", tmp.resolve("export/generator").toString(), "--encoder",
                tmp.resolve("export/generator/weights.safetensors").toString(), "--images", image.toString(), "--steps", "2",
                "--out", tmp.resolve("recon").toString())).isZero();
        assertThat(javax.imageio.ImageIO.read(tmp.resolve("recon/reconstructions.png").toFile()).getHeight()).isEqualTo(2 * (32 + 2));
    }

    private static List<String> iterable(java.util.Iterator<String> it) {
        List<String> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}
