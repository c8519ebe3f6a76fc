package org.un2clip.cluster.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class ControlServerTest {
    @TempDir
    static Path runDir;
    static ControlEndpointFixture endpoint;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        endpoint = new ControlEndpointFixture(runDir);
    }

    @AfterAll
    static void stop() {
        endpoint.close();
    }

    @BeforeEach
    void clear() {
        endpoint.run.calls.clear();
    }

    @Test
    void writesAnOwnerOnlyTokenAndTheBoundAddress() throws Exception {
        Path token = runDir.resolve("control.token");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(token))).isEqualTo("rw-------");
        assertThat(Files.readString(token).strip()).matches("[0-9a-f]{64}");
        assertThat(Files.readString(runDir.resolve("control.address")).strip())
                .isEqualTo("127.0.0.1:" + endpoint.server.port());
        assertThat(endpoint.server.port()).isPositive();
    }

    @Test
    void statusTravelsAsJsonIncludingUnknownValues() {
        endpoint.run.status = FakeRunControl.sampleStatus(Double.NaN);
        RunStatus s = endpoint.client().status();
        assertThat(s).isEqualTo(endpoint.run.status);
        assertThat(s.loss()).isNaN();
        assertThat(s.lateRanks()).containsExactly(1);
        assertThat(endpoint.run.calls).containsExactly("status");
    }

    @Test
    void everyCommandReachesTheRunWithItsArgument() {
        ControlClient client = endpoint.client();
        for (String line : new String[] {"pause", "resume", "checkpoint", "set lr 2.5e-4", "drain 3", "kill 1",
                "stop"}) {
            ControlReply reply = client.command(ControlCommand.parse(line));
            assertThat(reply.accepted()).as(line).isTrue();
        }
        assertThat(endpoint.run.calls).containsExactly("pause", "resume", "checkpoint", "setLr 2.5E-4", "drain 3",
                "kill 1", "stop");
    }

    @Test
    void aCommandTheRunRefusesComesBackAsRefused() {
        endpoint.run.refuseNext = true;
        ControlReply reply = endpoint.client().command(new ControlCommand.Drain(7));
        assertThat(reply).isEqualTo(ControlReply.refused("drain 7 refused"));
    }

    @Test
    void wrongOrMissingTokenIsRefusedLoggedAndNothingRuns() throws Exception {
        Logger log = (Logger) LoggerFactory.getLogger(ControlServer.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        log.addAppender(appender);
        try {
            Path wrong = runDir.resolve("wrong.token");
            Files.writeString(wrong, "0".repeat(64));
            ControlClient impostor = new ControlClient(endpoint.server.address(), ControlToken.readFrom(wrong));
            assertThatThrownBy(() -> impostor.command(new ControlCommand.Stop()))
                    .isInstanceOf(ControlClient.ControlException.class)
                    .hasMessageContaining("missing or wrong control token");
            assertThat(send("POST", "/stop", null).statusCode()).isEqualTo(401);
            assertThat(send("GET", "/status", "Basic abc").statusCode()).isEqualTo(401);
            // A prefix of the right token is still wrong.
            String right = Files.readString(runDir.resolve("control.token")).strip();
            assertThat(send("POST", "/stop", "Bearer " + right.substring(0, 63)).statusCode()).isEqualTo(401);
            assertThat(endpoint.run.calls).isEmpty();
            assertThat(appender.list).extracting(ILoggingEvent::getFormattedMessage)
                    .anyMatch(m -> m.contains("refused POST /stop") && m.contains("wrong token"))
                    .anyMatch(m -> m.contains("refused POST /stop") && m.contains("missing token"));
        } finally {
            log.detachAppender(appender);
        }
    }

    @Test
    void onlyTheCommandsAreRoutes() throws Exception {
        String auth = "Bearer " + Files.readString(runDir.resolve("control.token")).strip();
        assertThat(send("GET", "/", auth).statusCode()).isEqualTo(404);
        assertThat(send("POST", "/exec", auth).statusCode()).isEqualTo(404);
        assertThat(send("POST", "/drain/1/2", auth).statusCode()).isEqualTo(404);
        assertThat(send("GET", "/pause", auth).statusCode()).isEqualTo(405);
        HttpResponse<String> bad = send("POST", "/lr/abc", auth);
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("not a learning rate: 'abc'");
        assertThat(send("POST", "/lr/-1", auth).statusCode()).isEqualTo(400);
        assertThat(send("POST", "/kill/x", auth).statusCode()).isEqualTo(400);
        assertThat(endpoint.run.calls).isEmpty();
    }

    @Test
    void aSecondEndpointOnAPortInUseIsAClearError(@TempDir Path other) {
        ControlSettings taken = new ControlSettings(true, "127.0.0.1", endpoint.server.port(),
                other.resolve("control.token"), other.resolve("control.address"));
        assertThatThrownBy(() -> ControlServer.start(endpoint.system, new FakeRunControl(), taken))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot bind 127.0.0.1:" + endpoint.server.port());
    }

    private static HttpResponse<String> send(String method, String path, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + endpoint.server.address() + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }
}
