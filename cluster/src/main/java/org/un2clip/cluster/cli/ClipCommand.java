package org.un2clip.cluster.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.un2clip.model.clip.Activation;
import org.un2clip.model.clip.ClipVision;
import org.un2clip.model.clip.ClipVisionConfig;
import org.un2clip.model.clip.ClipVisionFormat;
import org.un2clip.model.clip.ClipWeights;
import org.un2clip.model.io.StrictLoader;
import org.un2clip.model.io.WeightFiles;
import org.un2clip.model.io.WeightSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "clip", description = "CLIP encoder tools.", subcommands = ClipCommand.Convert.class)
final class ClipCommand {

    @Command(name = "convert", description = {
            "Load a CLIP vision tower (OpenAI/open_clip visual.*, HF vision_model.*, or a bare tower; file, sharded",
            "index or folder) strictly and write it in OpenAI or HF naming. Exact: no value changes, unless",
            "--resolution asks for another input size (positional embedding interpolated as open_clip does)."})
    static final class Convert implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "IN")
        Path in;

        @Parameters(index = "1", paramLabel = "OUT", description = "The .safetensors file to write.")
        Path out;

        @Option(names = "--to", required = true, description = "Naming of OUT: openai (visual.*), bare, or hf.")
        String to;

        @Option(names = "--preset", description = "The tower's preset (default: from the file's metadata or its shapes, heads = width/64).")
        String preset;

        @Option(names = "--activation", defaultValue = "quick_gelu",
                description = "MLP activation when inferred from shapes (default ${DEFAULT-VALUE}).")
        String activation;

        @Option(names = "--resolution", description = "Input resolution of the written tower (default: the input's).")
        Integer resolution;

        @Override
        public Integer call() throws Exception {
            ClipVisionFormat format = switch (to.toLowerCase(Locale.ROOT)) {
                case "openai" -> ClipVisionFormat.OPENAI;
                case "bare" -> ClipVisionFormat.OPENAI_BARE;
                case "hf" -> ClipVisionFormat.HF;
                default -> throw new Main.UserError("--to must be openai, bare or hf, got '" + to + "'");
            };
            try (WeightSource source = WeightFiles.open(in); NDManager manager = NDManager.newBaseManager()) {
                ClipVisionConfig config;
                try {
                    config = preset != null ? ClipVisionConfig.preset(preset)
                            : ClipVisionConfig.infer(source, Activation.parse(activation));
                    if (resolution != null) {
                        config = config.withResolution(resolution);
                    }
                } catch (IllegalArgumentException e) {
                    throw new Main.UserError(in + ": " + e.getMessage());
                }
                try (ClipVision tower = ClipVision.create(config, manager)) {
                    ClipVisionFormat from;
                    try {
                        from = ClipWeights.loadVision(tower, source, in.toString());
                    } catch (StrictLoader.WeightLoadException | IllegalArgumentException e) {
                        throw new Main.UserError(e.getMessage());
                    }
                    ClipWeights.exportVision(tower, out, format);
                    System.out.printf("%s (%s naming) -> %s (%s naming): %s, %,d parameters%n", in, from, out, format,
                            config, tower.params().parameterCount());
                }
            }
            return 0;
        }
    }
}
