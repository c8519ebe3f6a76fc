package org.un2clip.data.sampler;

/**
 * The data cursor: the epoch and the position in that epoch's permutation where the next step starts.
 * This is all a checkpoint needs to resume on exactly the samples an uninterrupted run would see.
 */
public record SamplerState(long epoch, long offset) {
    public static final SamplerState START = new SamplerState(0, 0);

    public SamplerState {
        if (epoch < 0 || offset < 0) {
            throw new IllegalArgumentException("sampler state must be non-negative: epoch " + epoch + ", offset " + offset);
        }
    }
}
