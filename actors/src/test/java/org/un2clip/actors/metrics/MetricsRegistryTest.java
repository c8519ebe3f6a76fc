package org.un2clip.actors.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.un2clip.actors.transport.ChunkHeader;
import org.un2clip.actors.transport.FloatVectors;
import org.un2clip.actors.transport.TensorLink;
import org.un2clip.actors.transport.TensorPublisher;
import org.un2clip.actors.transport.TensorReceiver;
import org.un2clip.actors.transport.TensorSlot;
import org.un2clip.actors.transport.TransportSettings;

class MetricsRegistryTest {

    @Test
    void writesThePrometheusTextFormat() {
        MetricsRegistry r = new MetricsRegistry(Map.of("node", "trainer-1"));
        MetricsRegistry.Counter bytes = r.counter("x_bytes_total", "Bytes.");
        MetricsRegistry.Gauge loss = r.gauge("x_loss", "Loss.");
        AtomicInteger depth = new AtomicInteger(3);
        r.gauge("x_queue", "Depth.", depth::get, "queue", "mail\"box");
        MetricsRegistry.Histogram h = r.histogram("x_seconds", "Step time.", new double[] {0.5, 1, 2.5});
        bytes.add(1024);
        bytes.inc();
        loss.set(0.25);
        h.observe(0.5);
        h.observe(0.7);
        h.observe(3);
        depth.set(7);
        assertThat(r.scrape()).isEqualTo(String.join("\n",
                "# HELP x_bytes_total Bytes.",
                "# TYPE x_bytes_total counter",
                "x_bytes_total{node=\"trainer-1\"} 1025",
                "# HELP x_loss Loss.",
                "# TYPE x_loss gauge",
                "x_loss{node=\"trainer-1\"} 0.25",
                "# HELP x_queue Depth.",
                "# TYPE x_queue gauge",
                "x_queue{node=\"trainer-1\",queue=\"mail\\\"box\"} 7",
                "# HELP x_seconds Step time.",
                "# TYPE x_seconds histogram",
                "x_seconds_bucket{node=\"trainer-1\",le=\"0.5\"} 1",
                "x_seconds_bucket{node=\"trainer-1\",le=\"1\"} 2",
                "x_seconds_bucket{node=\"trainer-1\",le=\"2.5\"} 2",
                "x_seconds_bucket{node=\"trainer-1\",le=\"+Inf\"} 3",
                "x_seconds_sum{node=\"trainer-1\"} 4.2",
                "x_seconds_count{node=\"trainer-1\"} 3",
                ""));
    }

    @Test
    void rejectsWhatPrometheusWouldReject() {
        MetricsRegistry r = new MetricsRegistry(Map.of());
        assertThatThrownBy(() -> r.counter("bad-name", "x")).hasMessageContaining("'bad-name'");
        assertThatThrownBy(() -> r.gauge("g", "x", "__reserved", "v")).hasMessageContaining("'__reserved'");
        assertThatThrownBy(() -> r.histogram("h", "x", new double[] {1, 1})).hasMessageContaining("must increase");
        r.counter("c", "x");
        assertThatThrownBy(() -> r.counter("c", "x")).hasMessageContaining("already registered");
        assertThatThrownBy(() -> r.gauge("c", "x")).hasMessageContaining("already registered as a counter");
        assertThatThrownBy(() -> r.counter("d", "x").add(-1)).hasMessageContaining("only goes up");
    }

    @Test
    void nodeMetricsCarryRunNodeAndRankAndAreServed(@TempDir Path dir) throws Exception {
        NodeMetrics m = new NodeMetrics("run-a", "trainer-2", 2);
        m.stepCompleted(7, 0.5, 0.125, 32);
        m.phases(0.01, 0.25, 0.125, 0.5);
        m.queue("pending-tensors", () -> 5);
        m.queue("prepared-batches").set(2);
        int floats = 3 * 16 * 1024;
        try (TensorLink link = TensorLink.embedded(TransportSettings.defaults().withChunkBytes(64 * 1024))) {
            m.link(link);
            // A real tensor over IPC, its first chunk sent twice: one chunk rejected as a duplicate.
            sendWithADuplicate(link, floats);
            Path address = dir.resolve("metrics/trainer-2.address");
            try (MetricsServer server = MetricsServer.start(m.registry(), "127.0.0.1", 0, address)) {
                assertThat(Files.readString(address).strip()).isEqualTo(server.address());
                HttpClient http = HttpClient.newHttpClient();
                HttpResponse<String> ok = http.send(HttpRequest.newBuilder(URI.create("http://" + server.address()
                        + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(ok.statusCode()).isEqualTo(200);
                assertThat(ok.headers().firstValue("Content-Type")).contains(MetricsServer.CONTENT_TYPE);
                String labels = "{run=\"run-a\",node=\"trainer-2\",rank=\"2\"";
                long payload = floats * 4L;
                long sent = 4 * (ChunkHeader.LENGTH + 64 * 1024L);     // 3 chunks + the duplicate
                assertThat(ok.body()).contains("un2clip_step" + labels + "} 7\n")
                        .contains("un2clip_loss" + labels + "} 0.125\n")
                        .contains("un2clip_images_per_second" + labels + "} 64\n")
                        .contains("un2clip_step_seconds_bucket" + labels + ",le=\"0.5\"} 1\n")
                        .contains("un2clip_step_seconds_count" + labels + "} 1\n")
                        .contains("un2clip_phase_seconds" + labels + ",phase=\"compute\"} 0.25\n")
                        .contains("un2clip_link_bytes_sent_total" + labels + "} " + sent + "\n")
                        .contains("un2clip_link_bytes_received_total" + labels + "} " + payload + "\n")
                        .contains("un2clip_bytes_moved_total" + labels + "} " + (sent + payload) + "\n")
                        .contains("un2clip_retries_total" + labels + "} ")
                        .contains("un2clip_rejected_chunks_total" + labels + "} 1\n")
                        .contains("un2clip_link_tensors_total" + labels + "} 1\n")
                        .contains("un2clip_queue_depth" + labels + ",queue=\"pending-tensors\"} 5\n")
                        .contains("un2clip_queue_depth" + labels + ",queue=\"prepared-batches\"} 2\n")
                        .contains("# TYPE un2clip_link_rejected_chunks_total counter\n")
                        .contains("un2clip_link_rejected_chunks_total" + labels + ",reason=\"duplicate\"} 1\n")
                        .contains("un2clip_link_rejected_chunks_total" + labels + ",reason=\"corrupt\"} 0\n");
                HttpResponse<String> other = http.send(HttpRequest.newBuilder(URI.create("http://" + server.address()
                        + "/admin")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(other.statusCode()).isEqualTo(404);
                int port = Integer.parseInt(server.address().split(":")[1]);
                assertThatThrownBy(() -> MetricsServer.start(m.registry(), "127.0.0.1", port, null))
                        .hasMessageContaining("cannot bind 127.0.0.1:" + port);
            }
        }
    }

    private static void sendWithADuplicate(TensorLink link, int floats) {
        List<TensorSlot> done = new ArrayList<>();
        TensorReceiver.Listener listener = new TensorReceiver.Listener() {
            @Override
            public void onComplete(TensorSlot slot) {
                done.add(slot);
            }

            @Override
            public void onIncomplete(TensorSlot slot, String reason) {
                throw new AssertionError(reason);
            }
        };
        ByteBuffer src = FloatVectors.allocate(floats);
        try (TensorReceiver r = link.receiver("ipc", 900, 1, listener);
             TensorPublisher p = link.publisher("ipc", 900, 1)) {
            r.expect(new TensorSlot(FloatVectors.allocate(floats), 0, floats, link.settings().chunkFloats()), 0, 0, 0,
                    0, floats);
            p.awaitConnected();
            p.send(0, 0, 0, 0, src, 0, floats, new int[] {0, 0, 1, 2});
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (done.isEmpty() || r.counters().rejected() == 0) {
                assertThat(System.nanoTime()).as("the tensor never arrived: " + r.counters()).isLessThan(deadline);
                r.poll(64);
            }
        }
    }
}
