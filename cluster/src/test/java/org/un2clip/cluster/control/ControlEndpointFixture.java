package org.un2clip.cluster.control;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/** An endpoint over a {@link FakeRunControl}, on a free port of 127.0.0.1, with its token in {@code runDir}. */
public final class ControlEndpointFixture implements AutoCloseable {
    public final FakeRunControl run = new FakeRunControl();
    public final ActorSystem<Void> system;
    public final ControlServer server;
    public final ControlSettings settings;

    public ControlEndpointFixture(Path runDir) {
        system = ActorSystem.create(Behaviors.empty(), "control-test",
                ConfigFactory.parseString("pekko.loglevel = WARNING\npekko.actor.provider = local")
                        .withFallback(ConfigFactory.load()));
        settings = new ControlSettings(true, "127.0.0.1", 0, runDir.resolve("control.token"),
                runDir.resolve("control.address"));
        try {
            server = ControlServer.start(system, run, settings);
        } catch (RuntimeException e) {
            system.terminate();
            throw e;
        }
    }

    public ControlClient client() {
        return new ControlClient(server.address(), ControlToken.readFrom(settings.tokenFile()));
    }

    @Override
    public void close() {
        server.close();
        system.terminate();
    }
}
