package org.un2clip.tests;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import com.typesafe.config.Config;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.un2clip.actors.objective.demo.DemoSettings;
import org.un2clip.actors.objective.demo.DemoStage;
import org.un2clip.actors.objective.demo.StageSpec;
import org.un2clip.actors.objective.demo.TinyModels;
import org.un2clip.actors.objective.demo.Vocabulary;
import org.un2clip.cluster.demo.InProcessStageRunner;
import org.un2clip.cluster.demo.RuntimeStageRunner;
import org.un2clip.cluster.demo.StageRunner;
import org.un2clip.conf.Un2clipConfig;
import org.un2clip.data.synth.SceneCaptions;
import org.un2clip.data.synth.SceneSampler;
import org.un2clip.model.clip.ClipModel;
import org.un2clip.model.io.SafeTensorsFile;
import org.un2clip.model.unclip.AutoencoderKL;

/**
 * A demo stage on the distributed runtime (two trainer JVMs rebuilding the stage from the configuration and its
 * spec.json, Pekko Cluster + Aeron IPC) gives the same bits as the in-process runner with the same settings: the
 * contrastive CLIP stage (whose loss depends on how the batch is split over ranks) and the generator stage (whose
 * frozen CLIP image tower and VAE come from the spec's weight files).
 */
class DemoStageRuntimeTest {
    @TempDir
    Path tmp;

    private Config root() {
        return Un2clipConfig.load(Optional.of("demo-quick"), List.of("demo.dir=" + tmp, "demo.trainers=2"));
    }

    @Test
    void contrastiveStageOnTwoTrainerJvmsEqualsTheInProcessRunnerBitForBit() throws Exception {
        Config root = root();
        DemoSettings s = DemoSettings.from(root);
        List<String> captions = new ArrayList<>(List.of(""));
        for (int i = 0; i < s.trainImages(); i++) {
            captions.add(SceneCaptions.coarse(SceneSampler.datasetScene(s.seed(), i)));
        }
        Vocabulary vocab = Vocabulary.of(captions, s.clip().contextLength());
        Path dir = tmp.resolve("clip");
        Path spec = StageSpec.clip(vocab.bpeIds()).write(dir);
        compare(root, new StageRunner.Plan("clip", new DemoSettings.Training(3, 16, 1e-3, 2, 0.1), s.seed(), dir),
                new DemoStage(s, StageSpec.read(spec), spec));
    }

    @Test
    void generatorStageWithFrozenWeightsFromFilesEqualsTheInProcessRunnerBitForBit() throws Exception {
        Config root = root();
        DemoSettings s = DemoSettings.from(root);
        int[] vocab = Vocabulary.of(List.of("", "a photo of a circle"), s.clip().contextLength()).bpeIds();
        // frozen parts made from another seed than the stage's own initialisation: a trainer that did not load
        // the files would train against other embeddings and latents
        DemoSettings other = DemoSettings.from(Un2clipConfig.load(Optional.of("demo-quick"), List.of("demo.seed=7")));
        Path frozen = tmp.resolve("frozen");
        try (NDManager m = NDManager.newBaseManager()) {
            ClipModel clip = TinyModels.clip(m, other, vocab.length);
            AutoencoderKL vae = TinyModels.vae(m, other);
            TinyModels.save(clip.vision().params(), frozen.resolve("vision.safetensors"), Map.of("format", "pt"));
            TinyModels.save(vae.encoderParameters(), frozen.resolve("encoder.safetensors"), Map.of("format", "pt"));
            TinyModels.save(vae.decoderParameters(), frozen.resolve("decoder.safetensors"), Map.of("format", "pt"));
        }
        int d = s.clip().embedDim();
        float[] mean = new float[d];
        float[] std = new float[d];
        java.util.Arrays.fill(std, 0.5f);
        float[] context = new float[s.clip().contextLength() * s.clip().textWidth()];
        for (int i = 0; i < context.length; i++) {
            context[i] = (float) Math.sin(i);
        }
        Map<String, String> weights = Map.of(StageSpec.VISION, frozen.resolve("vision.safetensors").toString(),
                StageSpec.VAE_ENCODER, frozen.resolve("encoder.safetensors").toString(),
                StageSpec.VAE_DECODER, frozen.resolve("decoder.safetensors").toString());
        Path dir = tmp.resolve("generator");
        Path spec = new StageSpec(StageSpec.GENERATOR, vocab, weights, 1.7f, mean, std, context, "none", false, s.seed()).write(dir);
        compare(root, new StageRunner.Plan("generator", new DemoSettings.Training(3, 8, 1e-3, 0, 0.0), s.seed(), dir),
                new DemoStage(s, StageSpec.read(spec), spec));
    }

    private static void compare(Config root, StageRunner.Plan plan, DemoStage stage) throws Exception {
        PrintStream log = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        StageRunner.Trained local = new InProcessStageRunner(root, log).train(plan, stage);
        StageRunner.Trained again = new InProcessStageRunner(root, log).train(plan, stage);
        StageRunner.Trained cluster;
        try (RuntimeStageRunner runtime = new RuntimeStageRunner(root, System.out, plan.dir().resolve("logs"))) {
            cluster = runtime.train(plan, stage);
        }

        float[] initial = new float[local.parameters().length];
        try (var f = stage.create()) {
            f.initialParameters(java.nio.FloatBuffer.wrap(initial));
        }
        assertThat(local.parameters()).as("the stage trained").isNotEqualTo(initial);
        assertThat(again.parameters()).as("in-process twice: same bits").isEqualTo(local.parameters());
        assertThat(cluster.ranOn()).isEqualTo(DemoSettings.RUNTIME);
        assertThat(cluster.trainers()).isEqualTo(2);
        assertThat(cluster.losses()).as("per-step losses").containsExactlyElementsOf(local.losses());
        assertThat(cluster.skippedSteps()).isZero();
        assertThat(cluster.parameters()).as("runtime (2 trainer JVMs) = in-process, bit for bit").isEqualTo(local.parameters());

        Path run = plan.dir().resolve("run");
        List<String> metrics = Files.readAllLines(run.resolve("metrics.jsonl"));
        assertThat(metrics).hasSize(plan.training().steps()).allMatch(l -> l.contains("\"ranks\":2"));
        for (int r = 0; r < 2; r++) {
            assertThat(Files.readString(plan.dir().resolve("logs/trainer-" + r + ".log"))).as("rank " + r)
                    .contains("rank " + r + ": coordinator found");
        }
        assertThat(run.resolve("checkpoints/step-" + String.format("%08d", plan.training().steps()))).isDirectory();
        try (SafeTensorsFile f = SafeTensorsFile.open(run.resolve("encoder.safetensors"))) {
            assertThat(f.readFloats("parameters")).as("exported = returned").isEqualTo(cluster.parameters());
        }
    }
}
