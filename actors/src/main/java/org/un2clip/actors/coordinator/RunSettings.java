package org.un2clip.actors.coordinator;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import java.nio.file.Path;
import java.time.Duration;

/** Where and how often the coordinator writes: run folder, metrics, checkpoints. */
public record RunSettings(Path runDir, long checkpointEverySteps, Duration checkpointEveryTime, int checkpointKeep,
        String resolvedConfig, Duration stepTimeout, double stallFactor, Duration stallFloor) {

    public static RunSettings from(Config c) {
        return new RunSettings(Path.of(c.getString("run.dir")), c.getLong("checkpoint.every-steps"),
                c.getDuration("checkpoint.every-time"), c.getInt("checkpoint.keep"),
                c.root().render(ConfigRenderOptions.concise().setFormatted(true).setJson(false)),
                c.getDuration("train.step-timeout"), c.getDouble("train.stall-factor"),
                c.getDuration("train.stall-floor"));
    }

    public Path checkpoints() {
        return runDir.resolve("checkpoints");
    }
}
