package org.un2clip.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.un2clip.actors.InProcessRun;
import org.un2clip.actors.coordinator.RunResult;
import org.un2clip.cluster.cli.Main;
import org.un2clip.conf.Un2clipConfig;
import org.un2clip.model.io.SafeTensorsFile;

/**
 * `un2clip train` for real: this JVM is the coordinator/aggregator, two trainer JVMs join over Pekko Cluster
 * and move tensors over Aeron IPC. Its first three steps, resumed in-process to five, equal an uninterrupted
 * five-step run bit for bit — so the multi-JVM run computed exactly what the in-process runtime computes.
 */
class TrainClusterTest {
    @TempDir
    Path tmp;

    private static final List<String> SETTINGS = List.of("train.trainers=2", "train.global-batch=8",
            "train.micro-batch=2", "train.toy.dim=96", "train.toy.dataset-size=64", "train.shards=3",
            "train.lr=0.05", "train.lr-schedule=cosine", "train.warmup-steps=2", "train.clip-grad-norm=5.0");

    private static List<String> args(Path dir, long steps, String... extra) {
        List<String> a = new ArrayList<>(List.of("train"));
        for (String s : SETTINGS) {
            a.add("--set");
            a.add(s);
        }
        a.addAll(List.of("--set", "run.dir=" + dir, "--set", "train.steps=" + steps));
        a.addAll(List.of(extra));
        return a;
    }

    private static Config config(Path dir, long steps) {
        List<String> o = new ArrayList<>(SETTINGS);
        o.add("run.dir=" + dir);
        o.add("train.steps=" + steps);
        return Un2clipConfig.load(Optional.empty(), o);
    }

    @Test
    void trainerJvmsOverAeronComputeWhatTheInProcessRuntimeComputes() throws Exception {
        Path cluster = tmp.resolve("cluster");
        assertThat(Main.run(args(cluster, 3).toArray(String[]::new))).isZero();
        assertThat(Files.readAllLines(cluster.resolve("metrics.jsonl"))).hasSize(3);
        assertThat(cluster.resolve("logs/trainer-1.log")).exists();
        assertThat(cluster.resolve("checkpoints/step-00000003/manifest.json")).exists();

        RunResult resumed = InProcessRun.run(config(cluster, 5), true, null);
        RunResult uninterrupted = InProcessRun.run(config(tmp.resolve("reference"), 5), false, null);
        assertThat(resumed.parameters()).isEqualTo(uninterrupted.parameters());
        try (SafeTensorsFile f = SafeTensorsFile.open(cluster.resolve("encoder.safetensors"))) {
            assertThat(f.readFloats("weight")).isEqualTo(uninterrupted.parameters());
        }
    }

    @Test
    void resumeWithoutACheckpointIsAClearError() {
        assertThat(Main.run(args(tmp.resolve("empty"), 3, "--resume").toArray(String[]::new))).isEqualTo(2);
    }
}
