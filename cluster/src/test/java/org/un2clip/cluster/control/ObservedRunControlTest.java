package org.un2clip.cluster.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.un2clip.conf.Un2clipConfig;

class ObservedRunControlTest {

    @Test
    void statusOfALiveRunFromItsFilesAndClusterAndCommandsAreRefused(@TempDir Path runDir) throws Exception {
        List<String> lines = new ArrayList<>();
        for (int s = 0; s < 30; s++) {
            lines.add(String.format(Locale.ROOT, "{\"step\":%d,\"loss\":%.3f,\"lr\":2.0E-5,\"images_per_s\":100.0,"
                    + "\"step_s\":0.5,\"data_s\":0.1,\"bytes\":10,\"skipped\":false}", s, 1.0 / (s + 1)));
        }
        Files.write(runDir.resolve("metrics.jsonl"), lines);
        // A line the coordinator is still writing.
        Files.writeString(runDir.resolve("metrics.jsonl"), "{\"step\":30,\"lo", StandardOpenOption.APPEND);
        Files.createDirectories(runDir.resolve("checkpoints/step-00000010"));
        Files.createDirectories(runDir.resolve("checkpoints/step-00000020"));
        Config c = Un2clipConfig.load(Optional.empty(), List.of("run.dir=" + runDir, "train.steps=100",
                "run.name=observed"));
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "observed", ConfigFactory.parseString(
                String.join("\n", "pekko.actor.provider = cluster", "pekko.remote.artery.canonical.hostname = 127.0.0.1",
                        "pekko.remote.artery.canonical.port = 0", "pekko.cluster.roles = [coordinator]",
                        "pekko.loglevel = WARNING", "pekko.cluster.jmx.enabled = off"))
                .withFallback(ConfigFactory.defaultReference()));
        try {
            Cluster cluster = Cluster.get(system);
            cluster.manager().tell(Join.create(cluster.selfMember().address()));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (cluster.selfMember().status() != MemberStatus.up() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            ObservedRunControl control = new ObservedRunControl(system, c);
            RunStatus s = control.status().toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(s.run()).isEqualTo("observed");
            assertThat(s.step()).isEqualTo(30);
            assertThat(s.totalSteps()).isEqualTo(100);
            assertThat(s.loss()).isEqualTo(0.033);
            assertThat(s.lr()).isEqualTo(2.0e-5);
            assertThat(s.imagesPerSecond()).isEqualTo(100.0);
            assertThat(s.etaSeconds()).isEqualTo(35.0);
            assertThat(s.lastCheckpoint().step()).isEqualTo(20);
            assertThat(s.members()).hasSize(1);
            assertThat(s.members().get(0).roles()).containsExactly("coordinator");
            assertThat(s.members().get(0).status()).isEqualTo("Up");
            ControlReply pause = control.pause().toCompletableFuture().get();
            assertThat(pause.accepted()).isFalse();
            assertThat(pause.message()).contains("read-only");
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(20, TimeUnit.SECONDS);
        }
    }
}
