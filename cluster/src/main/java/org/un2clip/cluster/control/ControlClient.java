package org.un2clip.cluster.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Sends {@link ControlCommand}s to a control endpoint (the console's side of the protocol). */
public final class ControlClient {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String hostPort;
    private final ControlToken token;

    /** @param hostPort "host:port" of the endpoint */
    public ControlClient(String hostPort, ControlToken token) {
        if (!hostPort.matches("[^:/\\s]+:\\d{1,5}")) {
            throw new IllegalArgumentException("--connect expects HOST:PORT, got '" + hostPort + "'");
        }
        this.hostPort = hostPort;
        this.token = token;
    }

    public RunStatus status() {
        return send(new ControlCommand.Status(), RunStatus.class);
    }

    /** Sends a command other than status. */
    public ControlReply command(ControlCommand command) {
        return send(command, ControlReply.class);
    }

    private <T> T send(ControlCommand command, Class<T> type) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + hostPort + command.path()))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token.value())
                .method(command.method(), HttpRequest.BodyPublishers.noBody())
                .build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new ControlException("cannot connect to the control endpoint " + hostPort
                    + " (is the run up? is the address right?)", e);
        } catch (IOException e) {
            throw new ControlException("control endpoint " + hostPort + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ControlException("interrupted while waiting for " + hostPort, e);
        }
        try {
            if (response.statusCode() == 200 || (response.statusCode() == 409 && type == ControlReply.class)) {
                return ControlJson.MAPPER.readValue(response.body(), type);
            }
            if (response.statusCode() == 401) {
                throw new ControlException("refused by " + hostPort + ": missing or wrong control token");
            }
            String error = ControlJson.MAPPER.readValue(response.body(), ControlJson.Error.class).error();
            throw new ControlException(hostPort + " answered " + response.statusCode() + ": " + error);
        } catch (JsonProcessingException e) {
            throw new ControlException(hostPort + " answered " + response.statusCode()
                    + " with a body that is not the control protocol: " + abbreviate(response.body()), e);
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }

    /** A failed exchange, with a message for the operator. */
    public static final class ControlException extends RuntimeException {
        public ControlException(String message) {
            super(message);
        }

        public ControlException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
