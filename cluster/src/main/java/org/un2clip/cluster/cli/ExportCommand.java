package org.un2clip.cluster.cli;

import com.typesafe.config.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.un2clip.actors.checkpoint.CheckpointStore;
import org.un2clip.actors.checkpoint.TrainingState;
import org.un2clip.actors.objective.Objectives;
import org.un2clip.conf.Un2clipConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "export", description = {
        "Write the encoder of a checkpoint (a checkpoints/step-N folder, or a run folder: its newest complete",
        "checkpoint) as safetensors, in OpenAI or Hugging Face naming."})
final class ExportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CHECKPOINT", description = "checkpoints/step-N folder or run folder")
    Path checkpoint;

    @Option(names = "--format", defaultValue = "openai", description = "openai or hf (default ${DEFAULT-VALUE})")
    String format;

    @Option(names = "--out", required = true, paramLabel = "FILE")
    Path out;

    @Override
    public Integer call() throws Exception {
        Path dir = checkpoint;
        if (Files.isDirectory(checkpoint.resolve("checkpoints"))) {
            List<Path> all = new CheckpointStore(checkpoint.resolve("checkpoints"), 1).list();
            if (all.isEmpty()) {
                throw new Main.UserError("no checkpoint in " + checkpoint.resolve("checkpoints"));
            }
            dir = all.get(0);
        }
        if (!Files.isRegularFile(dir.resolve("config.conf"))) {
            throw new Main.UserError(dir + " is not a checkpoint folder (no config.conf)");
        }
        TrainingState state;
        try {
            state = new CheckpointStore(dir.getParent(), 1).load(dir);
        } catch (java.io.IOException e) {
            throw new Main.UserError("checkpoint " + dir + " is damaged: " + e.getMessage());
        }
        Config c = Un2clipConfig.load(Optional.of(dir.resolve("config.conf").toString()), List.of());
        Objectives.of(c).writeEncoder(state.master(), out, format);
        System.out.println("wrote " + out + " (step " + state.step() + ", " + state.master().length + " parameters, "
                + format + " naming)");
        return 0;
    }
}
