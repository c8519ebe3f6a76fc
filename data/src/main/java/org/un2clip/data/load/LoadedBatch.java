package org.un2clip.data.load;

import java.util.List;
import org.un2clip.data.preprocess.PixelView;

/**
 * One rank's share of a step, loaded: the samples that decoded (skipped ones are left out and counted in
 * the ledger), their captions, and one CHW float array per view holding {@code size()} images back to back.
 *
 * @param batchIndex the position of this batch in the loader's sequence (0, 1, ...)
 * @param samples global sample indices of the loaded images, in share order
 * @param captions the captions (null entries for samples without one)
 * @param views the layout's views, same order as {@code pixels}
 * @param pixels per view, {@code size() × view.length()} floats
 * @param requested how many samples the share asked for (size() + skipped)
 */
public record LoadedBatch(long batchIndex, int[] samples, String[] captions, List<PixelView> views, float[][] pixels, int requested) {
    public int size() {
        return samples.length;
    }

    public int skipped() {
        return requested - samples.length;
    }

    /** The pixels of one view ({@link #views()} index). */
    public float[] pixels(int view) {
        return pixels[view];
    }
}
