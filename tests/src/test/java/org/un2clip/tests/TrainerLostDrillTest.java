package org.un2clip.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.un2clip.cluster.cli.Main;

/** Fault drill (mvn -Pdrills verify): a trainer JVM killed mid-run fails `train` loudly and quickly. */
@Tag("drill")
class TrainerLostDrillTest {
    @TempDir
    Path tmp;

    /** The full command line, NUL-separated (ProcessHandle.Info may truncate long class paths). */
    private static String commandLine(ProcessHandle p) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(p.pid()), "cmdline"));
        } catch (java.io.IOException e) {
            return "";
        }
    }

    @Test
    void aKilledTrainerJvmFailsTheRunWithAMessageNamingIt() throws Exception {
        Path dir = tmp.resolve("run");
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> Main.run("train", "--set",
                "run.dir=" + dir, "--set", "train.trainers=2", "--set", "train.steps=1000000", "--set",
                "train.global-batch=8", "--set", "train.toy.dim=64", "--set", "train.toy.dataset-size=64"));
        Path metrics = dir.resolve("metrics.jsonl");
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!Files.exists(metrics) || Files.readAllLines(metrics).size() < 3) {
            assertThat(System.nanoTime()).as("the run never got going").isLessThan(deadline);
            assertThat(exit).isNotDone();
            Thread.sleep(100);
        }
        ProcessHandle victim = ProcessHandle.current().children().filter(p -> commandLine(p).contains("--rank\u00001"))
                .findFirst().orElseThrow();
        long killedAt = System.nanoTime();
        victim.destroyForcibly();
        assertThat(exit.get(60, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat((System.nanoTime() - killedAt) / 1e9).isLessThan(30);
        assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive).count()).isZero();
    }
}
