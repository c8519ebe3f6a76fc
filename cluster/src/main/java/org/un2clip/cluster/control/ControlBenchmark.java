package org.un2clip.cluster.control;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.un2clip.actors.metrics.NodeMetrics;

/**
 * Benchmark (not a test): round-trip latency of the control endpoint (status and a command, token checked,
 * JSON both ways, over loopback) and the cost of a Prometheus scrape of a node's metrics.
 * {@code java -cp ... org.un2clip.cluster.control.ControlBenchmark [REQUESTS]}
 */
public final class ControlBenchmark {
    private ControlBenchmark() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        Path dir = Files.createTempDirectory("un2clip-control-bench");
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "control-bench",
                ConfigFactory.parseString("pekko.loglevel = WARNING").withFallback(ConfigFactory.load()));
        RunStatus status = new RunStatus("bench", 1000, 100000, 0.5, 1e-5, 100, 3600,
                List.of(new RunStatus.Member("127.0.0.1:25520", List.of("coordinator"), "Up")),
                java.util.stream.IntStream.range(0, 8).mapToObj(r -> new RunStatus.Rank(r, "127.0.0.1:" + (3000 + r),
                        0.5, 0.1)).toList(), new RunStatus.Checkpoint(900, "runs/x/checkpoints/step-900"), false,
                false, List.of());
        RunControl run = new RunControl() {
            final CompletionStage<ControlReply> ok = CompletableFuture.completedFuture(ControlReply.accepted("ok"));
            @Override public CompletionStage<RunStatus> status() { return CompletableFuture.completedFuture(status); }
            @Override public CompletionStage<ControlReply> pause() { return ok; }
            @Override public CompletionStage<ControlReply> resume() { return ok; }
            @Override public CompletionStage<ControlReply> checkpoint() { return ok; }
            @Override public CompletionStage<ControlReply> setLr(double lr) { return ok; }
            @Override public CompletionStage<ControlReply> drain(int rank) { return ok; }
            @Override public CompletionStage<ControlReply> kill(int rank) { return ok; }
            @Override public CompletionStage<ControlReply> stop() { return ok; }
        };
        ControlSettings settings = new ControlSettings(true, "127.0.0.1", 0, dir.resolve("control.token"),
                dir.resolve("control.address"));
        try (ControlServer server = ControlServer.start(system, run, settings)) {
            ControlClient client = new ControlClient(server.address(), ControlToken.readFrom(settings.tokenFile()));
            for (int i = 0; i < 300; i++) {
                client.status();
            }
            report("status round trip", n, () -> client.status());
            report("set lr round trip", n, () -> client.command(new ControlCommand.SetLr(1e-5)));
        } finally {
            system.terminate();
        }
        NodeMetrics metrics = new NodeMetrics("bench", "trainer-0", 0);
        for (int i = 0; i < 10000; i++) {
            metrics.stepCompleted(i, 0.5 + i * 1e-6, 0.5, 32);
            metrics.phases(0.01, 0.4, 0.05, 0.04);
        }
        metrics.queue("pending", () -> 3);
        for (int i = 0; i < 2000; i++) {
            metrics.registry().scrape();
        }
        report("metrics scrape (text only)", 20000, () -> metrics.registry().scrape());
        long t0 = System.nanoTime();
        for (int i = 0; i < 1_000_000; i++) {
            metrics.stepCompleted(i, 0.5, 0.5, 32);
        }
        System.out.printf(Locale.ROOT, "stepCompleted(): %.1f ns per call%n", (System.nanoTime() - t0) / 1e6);
    }

    private static void report(String what, int n, Runnable call) {
        long[] ns = new long[n];
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            call.run();
            ns[i] = System.nanoTime() - t;
        }
        Arrays.sort(ns);
        System.out.printf(Locale.ROOT, "%s: median %.3f ms, p99 %.3f ms over %d%n", what, ns[n / 2] / 1e6,
                ns[(int) (n * 0.99)] / 1e6, n);
    }
}
