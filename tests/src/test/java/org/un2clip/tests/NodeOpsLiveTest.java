package org.un2clip.tests;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.un2clip.actors.coordinator.Coordinator;
import org.un2clip.cluster.cli.Main;
import org.un2clip.cluster.node.LocalCluster;

/**
 * A node's operations on a live `train` (this JVM the coordinator, two trainer JVMs): every node's Prometheus
 * endpoint is found through {@code RUN_DIR/metrics/NODE.address} and its values move while training; a
 * trainer sent SIGTERM leaves gracefully (finishes its step, says so in its log, leaves the cluster) and the
 * run goes on over the survivor with exact sample accounting.
 */
class NodeOpsLiveTest {
    private static final int DATASET = 64;
    private static final int BATCH = 8;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path tmp;

    /** One scrape: "name" or "name{labels}" → value, labels without run/node/rank. */
    record Scrape(String text, Map<String, Double> values) {
        static Scrape of(Path addressFile) throws Exception {
            String address = Files.readString(addressFile).strip();
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + address + "/metrics"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as("GET /metrics of " + address).isEqualTo(200);
            Map<String, Double> values = new HashMap<>();
            for (String line : r.body().split("\n")) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                int space = line.lastIndexOf(' ');
                String series = line.substring(0, space).replaceAll("(run|node|rank)=\"[^\"]*\",?", "")
                        .replace(",}", "}").replace("{}", "");
                values.put(series, Double.parseDouble(line.substring(space + 1).replace("+Inf", "Infinity")));
            }
            return new Scrape(r.body(), values);
        }

        double get(String series) {
            Double v = values.get(series);
            assertThat(v).as(series + " in\n" + text).isNotNull();
            return v;
        }
    }

    private static String commandLine(ProcessHandle p) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(p.pid()), "cmdline"));
        } catch (java.io.IOException e) {
            return "";
        }
    }

    @Test
    void everyNodeServesMetricsThatMoveAndASigtermedTrainerLeavesGracefully() throws Exception {
        Path dir = tmp.resolve("run");
        long steps = 1600;      // whole epochs (64 / 8 = 8 steps each)
        // The coordinator runs in this JVM: its verdict on the leaving trainer is read from its log events.
        ListAppender<ILoggingEvent> coordinatorLog = new ListAppender<>();
        coordinatorLog.start();
        Logger coordinatorLogger = (Logger) LoggerFactory.getLogger(Coordinator.class);
        coordinatorLogger.addAppender(coordinatorLog);
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> Main.run("train", "--set",
                "run.dir=" + dir, "--set", "run.name=ops-live", "--set", "train.trainers=2", "--set",
                "train.steps=" + steps, "--set", "train.global-batch=" + BATCH, "--set", "train.micro-batch=2",
                "--set", "train.shards=2", "--set", "train.toy.dim=64", "--set", "train.toy.dataset-size=" + DATASET));
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (RunRecords.lines(dir.resolve("metrics.jsonl")) < 100) {
            assertThat(System.nanoTime()).as("the run never got going").isLessThan(deadline);
            assertThat(exit).as("the run ended early").isNotDone();
            Thread.sleep(50);
        }
        List<String> nodes = List.of("coordinator", "trainer-0", "trainer-1");
        Map<String, Scrape> before = new HashMap<>();
        for (String node : nodes) {
            before.put(node, Scrape.of(dir.resolve("metrics/" + node + ".address")));
        }
        Thread.sleep(1500);
        for (String node : nodes) {
            Scrape a = before.get(node);
            Scrape b = Scrape.of(dir.resolve("metrics/" + node + ".address"));
            String labels = node.equals("coordinator") ? "{run=\"ops-live\",node=\"coordinator\"}"
                    : "{run=\"ops-live\",node=\"" + node + "\",rank=\"" + node.substring(8) + "\"}";
            assertThat(b.text()).as(node).contains("un2clip_step" + labels);
            assertThat(b.get("un2clip_step")).as(node + " step moves").isGreaterThan(a.get("un2clip_step"));
            assertThat(b.get("un2clip_step_seconds_count")).as(node + " steps timed")
                    .isGreaterThan(a.get("un2clip_step_seconds_count"));
            assertThat(b.get("un2clip_bytes_moved_total")).as(node + " bytes moved")
                    .isGreaterThan(a.get("un2clip_bytes_moved_total"));
            assertThat(b.get("un2clip_link_bytes_sent_total")).as(node + " sent").isPositive();
            assertThat(b.get("un2clip_link_bytes_received_total")).as(node + " received").isPositive();
            assertThat(b.get("un2clip_images_per_second")).as(node + " images/s").isPositive();
            assertThat(b.get("un2clip_loss")).as(node + " loss").isFinite().isPositive();
            assertThat(b.get("un2clip_phase_seconds{phase=\"compute\"}")).as(node + " compute time").isPositive();
            assertThat(b.get("un2clip_rejected_chunks_total")).as(node + " rejected chunks").isZero();
            assertThat(b.get("un2clip_retries_total")).as(node + " retries").isNotNegative();
            assertThat(b.get("un2clip_link_rejected_chunks_total{reason=\"corrupt\"}")).isZero();
            if (node.equals("coordinator")) {
                assertThat(b.values()).containsKeys("un2clip_queue_depth{queue=\"open-steps\"}",
                        "un2clip_queue_depth{queue=\"deferred-applies\"}");
                // The coordinator times whole global steps: images/s there is the global batch's.
            } else {
                assertThat(b.get("un2clip_queue_depth{queue=\"prepared-batches\"}")).isBetween(0.0, 2.0);
            }
            System.out.printf("metrics %s: step %.0f -> %.0f, bytes %.0f -> %.0f, %.0f img/s%n", node,
                    a.get("un2clip_step"), b.get("un2clip_step"), a.get("un2clip_bytes_moved_total"),
                    b.get("un2clip_bytes_moved_total"), b.get("un2clip_images_per_second"));
        }

        ProcessHandle victim = ProcessHandle.current().children()
                .filter(p -> commandLine(p).contains("--rank\u00001")).findFirst().orElseThrow();
        long atTerm = RunRecords.lines(dir.resolve("metrics.jsonl"));
        long t0 = System.nanoTime();
        assertThat(victim.destroy()).as("SIGTERM sent").isTrue();
        victim.onExit().get(30, TimeUnit.SECONDS);
        double leaveSeconds = (System.nanoTime() - t0) / 1e9;
        String log = Files.readString(dir.resolve("logs/trainer-1.log"));
        assertThat(log).contains("trainer-1 leaving").contains("closing the open step")
                .contains("trainer-1 left the cluster");
        assertThat(exit.get(180, TimeUnit.SECONDS)).as("train's exit code").isZero();
        assertThat(atTerm).as("SIGTERM came mid-run").isLessThan(steps);
        double longest = RunRecords.assertExactSampleAccounting(dir, steps, BATCH, DATASET);
        coordinatorLogger.detachAppender(coordinatorLog);
        // A graceful leave is seen when the trainer actor stops, not by the failure detector (~5 s).
        assertThat(coordinatorLog.list).extracting(ILoggingEvent::getFormattedMessage)
                .anyMatch(m -> m.startsWith("trainer 1 lost (its actor stopped)"))
                .noneMatch(m -> m.contains("unreachable"));
        assertThat(longest).as("longest step, s").isLessThan(10);
        System.out.printf("SIGTERM trainer-1 at step ~%d: JVM gone after %.2f s, longest step %.3f s%n", atTerm,
                leaveSeconds, longest);
        assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive).count()).isZero();
    }

    @Test
    void aSigtermedCoordinatorSaysWhereTheRunStoodAndItsTrainersLeaveToo() throws Exception {
        Path run = tmp.resolve("run");
        Path conf = tmp.resolve("run.conf");
        Files.writeString(conf, String.join("\n", "run { dir = \"" + run + "\", name = sigterm }",
                "train { trainers = 1, steps = 100000, global-batch = 8, micro-batch = 2, shards = 2,",
                "        toy { dim = 64, dataset-size = 64 } }",
                "checkpoint.every-steps = 20",
                "transport.media = udp", ""));
        Path logs = run.resolve("logs");
        try (LocalCluster nodes = new LocalCluster()) {
            Process coordinator = nodes.startNode("coordinator", List.of("--role", "coordinator", "--config",
                    conf.toString()), 1, logs);
            // Generous: two JVM starts and a cluster join on a shared, loaded 2-core machine.
            long deadline = System.nanoTime() + 240_000_000_000L;
            java.util.regex.Matcher at;
            while (!(at = java.util.regex.Pattern.compile("coordinator node at (\\S+),")
                    .matcher(read(logs.resolve("coordinator.log")))).find()) {
                assertThat(System.nanoTime()).as("the coordinator never came up").isLessThan(deadline);
                assertThat(coordinator.isAlive()).as(read(logs.resolve("coordinator.log"))).isTrue();
                Thread.sleep(50);
            }
            Process trainer = nodes.startNode("trainer-0", List.of("--role", "trainer", "--rank", "0", "--config",
                    conf.toString(), "--seed-nodes", at.group(1)), 1, logs);
            while (RunRecords.lines(run.resolve("metrics.jsonl")) < 60) {
                assertThat(System.nanoTime()).as(() -> "the run never got going; coordinator log:\n"
                        + readQuietly(logs.resolve("coordinator.log")) + "\ntrainer log:\n"
                        + readQuietly(logs.resolve("trainer-0.log"))).isLessThan(deadline);
                Thread.sleep(50);
            }
            long t0 = System.nanoTime();
            coordinator.destroy();     // SIGTERM
            assertThat(coordinator.waitFor(30, TimeUnit.SECONDS)).as("the coordinator exits").isTrue();
            assertThat(trainer.waitFor(30, TimeUnit.SECONDS)).as("its trainer exits").isTrue();
            double gone = (System.nanoTime() - t0) / 1e9;
            assertThat(read(logs.resolve("coordinator.log")))
                    .containsPattern("coordinator leaving at step \\d+ of 100000: the open step is abandoned; "
                            + "newest checkpoint: step \\d+ \\(")
                    .contains("coordinator left the cluster");
            // The trainer leaves on its own (not downed, not killed): whichever it notices first, its parameter
            // stream breaking (the trainer actor stops) or the coordinator's node leaving (watched).
            assertThat(read(logs.resolve("trainer-0.log"))).contains("trainer-0 leaving: ClusterLeavingReason")
                    .contains("trainer-0 left the cluster");
            System.out.printf("SIGTERM coordinator: coordinator and trainer JVMs gone after %.2f s%n", gone);
        }
    }

    private static String read(Path file) throws java.io.IOException {
        return Files.exists(file) ? Files.readString(file) : "";
    }

    private static String readQuietly(Path file) {
        try {
            return read(file);
        } catch (java.io.IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }
}
