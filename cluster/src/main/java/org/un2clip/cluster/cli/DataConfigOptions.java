package org.un2clip.cluster.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.un2clip.conf.Un2clipConfig;
import org.un2clip.data.DataSettings;
import picocli.CommandLine.Option;

/** {@code --config FILE} and {@code --set key=value} for the data commands: the typed {@code data} section. */
final class DataConfigOptions {
    @Option(names = "--config", paramLabel = "FILE", description = "A HOCON file or preset name (default: the built-in defaults).")
    String config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override one configuration key (repeatable).")
    List<String> sets = new ArrayList<>();

    DataSettings settings() {
        return DataSettings.from(Un2clipConfig.load(Optional.ofNullable(config), sets));
    }
}
