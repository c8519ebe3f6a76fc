package org.un2clip.model.clip;

import ai.djl.ndarray.NDArray;

/** The MLP non-linearity of a CLIP transformer: OpenAI models use QuickGELU, OpenCLIP ViT-H/bigG exact GELU. */
public enum Activation {
    /** {@code x * sigmoid(1.702 x)} (OpenAI CLIP's {@code QuickGELU}). */
    QUICK_GELU("quick_gelu"),
    /** Exact (erf) GELU, {@code torch.nn.GELU()}. */
    GELU("gelu");

    private final String configName;

    Activation(String configName) {
        this.configName = configName;
    }

    /** The name used in HF configs ({@code hidden_act}) and in this project's configs. */
    public String configName() {
        return configName;
    }

    public NDArray apply(NDArray x) {
        return switch (this) {
            // the constant as an array of the call: DJL's x.mul(float) frees its temporary before backward reads it
            case QUICK_GELU -> x.mul(ai.djl.nn.Activation.sigmoid(x.mul(org.un2clip.model.nn.Tensors.scalar(x, 1.702f))));
            case GELU -> ai.djl.nn.Activation.gelu(x);
        };
    }

    /** Parses {@code quick_gelu} / {@code gelu} (HF {@code hidden_act} spelling; case and '-' tolerated). */
    public static Activation parse(String name) {
        String n = name.trim().toLowerCase(java.util.Locale.ROOT).replace('-', '_');
        for (Activation a : values()) {
            if (a.configName.equals(n) || a.name().toLowerCase(java.util.Locale.ROOT).equals(n)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown activation '" + name + "' (expected quick_gelu or gelu)");
    }
}
