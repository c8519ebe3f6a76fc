package org.un2clip.actors.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;

/**
 * Serves a registry at {@code GET /metrics} for Prometheus. The JDK's small HTTP server on one daemon
 * thread: scrapes are rare and must not depend on the actor system being healthy.
 */
public final class MetricsServer implements AutoCloseable {
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private final HttpServer server;

    private MetricsServer(HttpServer server) {
        this.server = server;
    }

    /**
     * @param port 0 = any free port
     * @param addressFile where to write the bound "host:port" (null: nowhere)
     * @throws UncheckedIOException naming the address when it cannot be bound
     */
    public static MetricsServer start(MetricsRegistry registry, String host, int port, Path addressFile) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 16);
        } catch (BindException e) {
            throw new UncheckedIOException("metrics endpoint: cannot bind " + host + ":" + port
                    + " (port in use?): " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("metrics endpoint: cannot bind " + host + ":" + port + ": "
                    + e.getMessage(), e);
        }
        server.createContext("/", exchange -> serve(exchange, registry));
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "un2clip-metrics-http");
            t.setDaemon(true);
            return t;
        }));
        server.start();
        MetricsServer started = new MetricsServer(server);
        if (addressFile != null) {
            try {
                Files.createDirectories(addressFile.toAbsolutePath().getParent());
                Files.writeString(addressFile, started.address() + "\n", StandardCharsets.UTF_8);
            } catch (IOException e) {
                started.close();
                throw new UncheckedIOException("cannot write " + addressFile + ": " + e.getMessage(), e);
            }
        }
        return started;
    }

    private static void serve(HttpExchange exchange, MetricsRegistry registry) throws IOException {
        try (exchange) {
            if (!exchange.getRequestURI().getPath().equals("/metrics")) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            if (!exchange.getRequestMethod().equals("GET")) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** "host:port" it is bound to. */
    public String address() {
        InetSocketAddress a = server.getAddress();
        return a.getHostString() + ":" + a.getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
