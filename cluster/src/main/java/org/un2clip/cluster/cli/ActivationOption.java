package org.un2clip.cluster.cli;

import org.un2clip.model.clip.Activation;
import picocli.CommandLine.Option;

/** {@code --activation}: a CLIP tower's MLP non-linearity when its shape is inferred from tensor shapes (a picocli mixin). */
final class ActivationOption {
    @Option(names = "--activation", defaultValue = "quick_gelu", description = {
            "MLP activation when a tower's shape is inferred from tensor shapes",
            "(default ${DEFAULT-VALUE}, OpenAI; open_clip ViT-H/14: gelu). Ignored when the file or config.json gives it."})
    String name;

    Activation get() {
        try {
            return Activation.parse(name);
        } catch (IllegalArgumentException e) {
            throw new Main.UserError("--activation: " + e.getMessage());
        }
    }
}
