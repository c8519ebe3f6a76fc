package org.un2clip.cluster.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.un2clip.actors.objective.Objectives;
import org.un2clip.actors.objective.demo.DemoSettings;
import org.un2clip.actors.objective.demo.DemoStage;
import org.un2clip.actors.objective.demo.StageSpec;
import org.un2clip.actors.plan.RunPlan;
import org.un2clip.conf.Un2clipConfig;

/** The training-run configuration both runners read a stage's settings from. */
class InProcessStageRunnerTest {
    @TempDir
    Path tmp;

    @Test
    void aStageBecomesATrainingRunWithTheStagesSettings() throws Exception {
        Config root = Un2clipConfig.load(Optional.of("demo-quick"), List.of("demo.dir=" + tmp, "demo.trainers=2"));
        DemoSettings s = DemoSettings.from(root);
        Path spec = StageSpec.vae(new int[] {0, 1, 2}).write(tmp.resolve("vae"));
        DemoStage stage = new DemoStage(s, StageSpec.read(spec), spec);
        StageRunner.Plan plan = new StageRunner.Plan("vae", new DemoSettings.Training(7, 9, 2e-3, 3, 0.05), 11, tmp.resolve("vae"));
        Config c = StageRunner.config(root, plan, stage);
        RunPlan p = RunPlan.from(c);
        assertThat(p.objective()).isEqualTo(DemoStage.OBJECTIVE);
        assertThat(p.trainers()).isEqualTo(2);
        assertThat(p.globalBatch()).isEqualTo(9);
        assertThat(p.microBatch()).as("one micro-batch per rank").isEqualTo(5);
        assertThat(p.steps()).isEqualTo(7);
        assertThat(p.seed()).isEqualTo(11);
        assertThat(p.lr()).isEqualTo(2e-3);
        assertThat(p.weightDecay()).isEqualTo(0.05);
        assertThat(p.schedule().at(0)).isEqualTo(2e-3 / 3);
        assertThat(p.schedule().at(5)).isEqualTo(2e-3);
        assertThat(List.of(p.beta1(), p.beta2(), p.eps())).containsExactly(0.9, 0.999, 1e-8);
        assertThat(p.clipGradNorm()).isEqualTo(root.getDouble("demo.clip-grad-norm"));
        assertThat(p.shards()).isEqualTo(1);
        assertThat(p.datasetSize()).isEqualTo(s.trainImages());
        assertThat(c.getString("run.dir")).isEqualTo(tmp.resolve("vae/run").toAbsolutePath().toString());
        // a trainer JVM rebuilds the same stage from this configuration alone
        Objectives rebuilt = Objectives.of(c);
        assertThat(rebuilt).isInstanceOf(DemoStage.class);
        assertThat(((DemoStage) rebuilt).spec().stage()).isEqualTo(StageSpec.VAE);
        assertThat(rebuilt.batch(0, new long[] {3, 5}).pixels()).containsExactly(stage.batch(0, new long[] {3, 5}).pixels());
    }
}
