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
 * The DJL un²CLIP objective on the runtime (preset tiny): two trainer JVMs over Pekko Cluster and Aeron
 * IPC fine-tune the CLIP encoder against the frozen generator, and reach the same encoder as one in-process
 * trainer up to summation order; the same in-process run twice gives the same bits.
 */
class TinyUn2clipTrainTest {
    @TempDir
    Path tmp;

    private static final List<String> SETTINGS = List.of("train.steps=3", "checkpoint.every-steps=0",
            "pekko.actor.serialize-messages=on");

    private static Config config(Path dir, int trainers) {
        List<String> o = new ArrayList<>(SETTINGS);
        o.add("run.dir=" + dir);
        o.add("train.trainers=" + trainers);
        return Un2clipConfig.load(Optional.of("tiny"), o);
    }

    @Test
    void twoTrainerJvmsEqualOneInProcessTrainer() throws Exception {
        Path cluster = tmp.resolve("cluster");
        List<String> args = new ArrayList<>(List.of("train", "tiny"));
        for (String s : SETTINGS) {
            args.addAll(List.of("--set", s));
        }
        args.addAll(List.of("--set", "run.dir=" + cluster));
        assertThat(Main.run(args.toArray(String[]::new))).isZero();
        List<String> metrics = Files.readAllLines(cluster.resolve("metrics.jsonl"));
        assertThat(metrics).hasSize(3).allMatch(l -> l.contains("\"loss\":") && !l.contains("NaN"));

        RunResult one = InProcessRun.run(config(tmp.resolve("one"), 1), false, null);
        RunResult again = InProcessRun.run(config(tmp.resolve("again"), 1), false, null);
        assertThat(again.parameters()).as("same run twice, same bits").isEqualTo(one.parameters());

        float[] initial;
        float[] trained;
        try (SafeTensorsFile start = SafeTensorsFile.open(Path.of(System.getProperty("un2clip.root"),
                "model/src/test/resources/golden/public/weights.safetensors"));
                SafeTensorsFile end = SafeTensorsFile.open(cluster.resolve("encoder.safetensors"))) {
            initial = start.readFloats("visual.proj");
            trained = end.readFloats("visual.proj");
            assertThat(end.names()).allMatch(n -> n.startsWith("visual."));
        }
        assertThat(maxAbsDiff(initial, trained)).as("the encoder trained").isGreaterThan(1e-6);

        float[] w2 = readAll(cluster.resolve("encoder.safetensors"));
        float[] w1 = one.parameters();
        assertThat(w2).hasSameSizeAs(w1);
        assertThat(maxAbsDiff(w1, w2)).as("W = 2 equals W = 1 up to summation order").isLessThan(1e-4);
    }

    /** The exported encoder's tensors in table order (the file keeps the ParameterTable order). */
    private static float[] readAll(Path file) {
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            List<float[]> parts = new ArrayList<>();
            int n = 0;
            for (String name : f.names()) {
                float[] p = f.readFloats(name);
                parts.add(p);
                n += p.length;
            }
            float[] all = new float[n];
            int at = 0;
            for (float[] p : parts) {
                System.arraycopy(p, 0, all, at, p.length);
                at += p.length;
            }
            return all;
        }
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs((double) a[i] - b[i]));
        }
        return max;
    }
}
