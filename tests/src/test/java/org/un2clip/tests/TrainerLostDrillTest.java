package org.un2clip.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.un2clip.cluster.cli.Main;
import org.un2clip.cluster.control.ControlClient;
import org.un2clip.cluster.control.ControlToken;
import org.un2clip.cluster.control.RunStatus;

/**
 * Fault drills on `train` (this JVM the coordinator, trainer JVMs over Pekko Cluster and Aeron IPC): a trainer
 * lost mid-run (SIGKILL, or frozen with SIGSTOP) is detected, its step is re-planned over the survivors, and
 * the run trains every step; per epoch exactly the dataset's samples are trained. The short kill drill runs in
 * the default build; the long ones with {@code mvn -Pdrills verify}.
 */
class TrainerLostDrillTest {
    private static final int DATASET = 64;
    private static final int BATCH = 8;

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

    /** Trains {@code steps} with {@code trainers} trainer JVMs, does {@code fault} to rank 1 after {@code at} steps. */
    private Path drill(int trainers, long steps, long at, Consumer<ProcessHandle> fault) throws Exception {
        return drill(trainers, steps, at, fault, (dir, victim) -> { });
    }

    /** As above; then {@code after} runs (with the run folder and the victim's command line) while training goes on. */
    private Path drill(int trainers, long steps, long at, Consumer<ProcessHandle> fault,
            AfterFault after) throws Exception {
        Path dir = tmp.resolve("run");
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> Main.run("train", "--set",
                "run.dir=" + dir, "--set", "train.trainers=" + trainers, "--set", "train.steps=" + steps, "--set",
                "train.global-batch=" + BATCH, "--set", "train.micro-batch=2", "--set", "train.shards=2", "--set",
                "train.toy.dim=64", "--set", "train.toy.dataset-size=" + DATASET));
        Path metrics = dir.resolve("metrics.jsonl");
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (RunRecords.lines(metrics) < at) {
            assertThat(System.nanoTime()).as("the run never got going").isLessThan(deadline);
            assertThat(exit).as("the run ended early").isNotDone();
            Thread.sleep(50);
        }
        ProcessHandle victim = ProcessHandle.current().children().filter(p -> commandLine(p).contains("--rank\u00001"))
                .findFirst().orElseThrow();
        List<String> victimCommand = List.of(commandLine(victim).split("\u0000"));
        fault.accept(victim);
        after.run(dir, victimCommand);
        try {
            assertThat(exit.get(120, TimeUnit.SECONDS)).as("train's exit code").isZero();
        } finally {
            victim.destroyForcibly();
        }
        return dir;
    }

    /** Every step trained once, in order; per epoch exactly the dataset size; returns the longest step (s). */
    private static double assertExactSampleAccounting(Path dir, long steps) throws Exception {
        return RunRecords.assertExactSampleAccounting(dir, steps, BATCH, DATASET);
    }

    @Test
    void aTrainerKilledMidRunIsReplannedAndTheRunTrainsEverySampleOnce() throws Exception {
        long steps = 600;
        Path dir = drill(2, steps, 150, ProcessHandle::destroyForcibly);
        double longest = assertExactSampleAccounting(dir, steps);
        // The step open at the kill waits for detection (failure detector ~5 s) plus the re-plan.
        assertThat(longest).as("longest step (detection + re-plan), s").isLessThan(10);
        System.out.printf("kill drill: longest step %.2f s (detection + re-plan)%n", longest);
        assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive).count()).isZero();
    }

    @FunctionalInterface
    private interface AfterFault {
        void run(Path dir, List<String> victimCommand) throws Exception;
    }

    @Test
    @Tag("drill")
    void aReplacementTrainerRejoinsAtAStepBoundaryAndTakesItsShareAgain() throws Exception {
        long steps = 1600;      // whole epochs (dataset / batch = 8 steps each)
        Process[] replacement = new Process[1];
        try {
            Path dir = drill(2, steps, 150, ProcessHandle::destroyForcibly, (run, command) -> {
                ControlClient client = new ControlClient(Files.readString(run.resolve("control.address")).strip(),
                        ControlToken.readFrom(run.resolve("control.token")));
                awaitRanks(client, List.of(0), "the killed rank to be removed");
                // The operator (or bin/un2clip-cluster restart) starts the same trainer node again.
                replacement[0] = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(run.resolve("logs/trainer-1-replacement.log").toFile()).start();
                awaitRanks(client, List.of(0, 1), "the replacement to rejoin");
                assertThat(client.status().step()).as("rejoined before the end").isLessThan(steps);
            });
            assertExactSampleAccounting(dir, steps);
            assertThat(replacement[0].waitFor(30, TimeUnit.SECONDS)).as("the replacement ends with the run").isTrue();
        } finally {
            if (replacement[0] != null) {
                replacement[0].destroyForcibly();
            }
        }
    }

    private static void awaitRanks(ControlClient client, List<Integer> ranks, String what) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!client.status().ranks().stream().map(RunStatus.Rank::rank).toList().equals(ranks)) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    @Test
    @Tag("drill")
    void aTrainerKilledFromTheConsoleInALongerRunOfThreeTrainers() throws Exception {
        long steps = 4000;
        Path run = tmp.resolve("run");
        Path dir = drill(3, steps, 1000, victim -> assertThat(Main.run("console", "--run-dir", run.toString(),
                "--exec", "kill 1")).as("console kill 1").isZero());
        double longest = assertExactSampleAccounting(dir, steps);
        assertThat(longest).isLessThan(10);
        System.out.printf("kill drill (W=3): longest step %.2f s%n", longest);
    }

    @Test
    @Tag("drill")
    void aFrozenTrainerIsNamedThenRemovedAsIfDead() throws Exception {
        long steps = 1600;
        Path dir = drill(2, steps, 300, p -> {
            try {
                new ProcessBuilder("kill", "-STOP", Long.toString(p.pid())).start().waitFor();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        double longest = assertExactSampleAccounting(dir, steps);
        assertThat(longest).isLessThan(10);
        System.out.printf("stall drill: longest step %.2f s%n", longest);
    }
}
