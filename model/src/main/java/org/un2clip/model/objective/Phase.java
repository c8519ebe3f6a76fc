package org.un2clip.model.objective;

/** The phases of one objective step, for timing breakdowns. */
public enum Phase {
    VAE_ENCODE, ENCODER_FORWARD, AUGMENT, UNET_FORWARD, BACKWARD, OPTIMIZER;

    /** A per-phase nanosecond accumulator. */
    public static long[] newTimes() {
        return new long[values().length];
    }
}
