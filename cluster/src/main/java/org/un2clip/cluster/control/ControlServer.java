package org.un2clip.cluster.control;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.RemoteAddress;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.stream.Materializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control endpoint: JSON over HTTP (Pekko HTTP), one route per {@link ControlCommand}, each request
 * authenticated with the run's token ({@code Authorization: Bearer TOKEN}). A request without the right
 * token is answered 401 and logged with its origin; a path that is not a command is 404. The endpoint
 * calls nothing but {@link RunControl}.
 */
public final class ControlServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ControlServer.class);
    private static final String BEARER = "Bearer ";

    private final ServerBinding binding;
    private final String address;

    private ControlServer(ServerBinding binding, String address) {
        this.binding = binding;
        this.address = address;
    }

    /**
     * Writes a new token, binds, and writes the bound "host:port" to {@link ControlSettings#addressFile()}.
     *
     * @throws IllegalStateException when the address cannot be bound (e.g. the port is in use)
     */
    public static ControlServer start(ClassicActorSystemProvider system, RunControl control,
            ControlSettings settings) {
        ControlToken token = ControlToken.createIn(settings.tokenFile());
        Materializer materializer = Materializer.matFromSystem(system);
        Handler handler = new Handler(control, token, materializer);
        ServerBinding binding;
        try {
            binding = Http.get(system).newServerAt(settings.host(), settings.port())
                    .adaptSettings(s -> s.withRemoteAddressAttribute(true))
                    .bind(handler::handle).toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("control endpoint: cannot bind " + settings.host() + ":"
                    + settings.port() + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException("control endpoint: binding " + settings.host() + ":"
                    + settings.port() + " did not finish", e);
        }
        String address = settings.host() + ":" + binding.localAddress().getPort();
        try {
            Files.writeString(settings.addressFile(), address + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            binding.unbind();
            throw new UncheckedIOException("cannot write " + settings.addressFile() + ": " + e.getMessage(), e);
        }
        LOG.info("control endpoint at http://{} (token in {})", address, settings.tokenFile());
        return new ControlServer(binding, address);
    }

    /** "host:port" it is bound to. */
    public String address() {
        return address;
    }

    public int port() {
        return binding.localAddress().getPort();
    }

    @Override
    public void close() {
        try {
            binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("control endpoint: unbind did not finish: {}", e.toString());
        }
    }

    /** One request: authenticate, route, call the run, answer JSON. */
    private record Handler(RunControl control, ControlToken token, Materializer materializer) {

        CompletionStage<HttpResponse> handle(HttpRequest request) {
            request.discardEntityBytes(materializer);
            String method = request.method().value();
            String path = request.getUri().path();
            String origin = request.getAttribute(AttributeKeys.remoteAddress)
                    .map(RemoteAddress::toString).orElse("unknown origin");
            Optional<String> presented = request.getHeader("Authorization").map(HttpHeader::value)
                    .filter(v -> v.startsWith(BEARER)).map(v -> v.substring(BEARER.length()).strip());
            if (presented.isEmpty() || !token.matches(presented.get())) {
                LOG.warn("control: refused {} {} from {}: {} token", method, path, origin,
                        presented.isEmpty() ? "missing" : "wrong");
                return done(json(StatusCodes.UNAUTHORIZED, new ControlJson.Error("missing or wrong control token"))
                        .addHeader(RawHeader.create("WWW-Authenticate", "Bearer")));
            }
            ControlCommand command;
            try {
                command = ControlCommand.route(method, path);
            } catch (NoSuchElementException e) {
                return done(json(StatusCodes.NOT_FOUND, new ControlJson.Error(e.getMessage())));
            } catch (UnsupportedOperationException e) {
                return done(json(StatusCodes.METHOD_NOT_ALLOWED, new ControlJson.Error(e.getMessage())));
            } catch (IllegalArgumentException e) {
                return done(json(StatusCodes.BAD_REQUEST, new ControlJson.Error(e.getMessage())));
            }
            if (!(command instanceof ControlCommand.Status)) {
                LOG.info("control: {} from {}", command, origin);
            }
            CompletionStage<?> answer;
            try {
                answer = ControlCommand.apply(command, control);
            } catch (RuntimeException e) {
                answer = CompletableFuture.failedFuture(e);
            }
            return answer.handle((result, failure) -> {
                if (failure != null) {
                    Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
                    LOG.error("control: {} failed", command, cause);
                    return json(StatusCodes.INTERNAL_SERVER_ERROR,
                            new ControlJson.Error(command.path() + " failed: " + cause));
                }
                if (result instanceof ControlReply reply && !reply.accepted()) {
                    LOG.info("control: {} refused by the run: {}", command, reply.message());
                    return json(StatusCodes.CONFLICT, reply);
                }
                return json(StatusCodes.OK, result);
            });
        }

        private static HttpResponse json(StatusCode code, Object body) {
            return HttpResponse.create().withStatus(code)
                    .withEntity(ContentTypes.APPLICATION_JSON, ControlJson.write(body));
        }

        private static CompletionStage<HttpResponse> done(HttpResponse r) {
            return CompletableFuture.completedFuture(r);
        }
    }
}
