package org.un2clip.cluster.control;

import com.typesafe.config.Config;
import java.nio.file.Path;

/**
 * The {@code control} section: where the endpoint binds and where its token and bound address go.
 *
 * @param tokenFile the token, mode 0600 (rewritten at every start)
 * @param addressFile "host:port" the endpoint actually bound (for the console and the bootstrap script)
 */
public record ControlSettings(boolean enabled, String host, int port, Path tokenFile, Path addressFile) {

    public static ControlSettings from(Config c) {
        Path runDir = Path.of(c.getString("run.dir"));
        return new ControlSettings(c.getBoolean("control.enabled"), c.getString("control.host"),
                c.getInt("control.port"), runDir.resolve(c.getString("control.token-file")),
                runDir.resolve("control.address"));
    }
}
