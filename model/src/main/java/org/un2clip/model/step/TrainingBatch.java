package org.un2clip.model.step;

/**
 * One rank's micro-batch as the runtime hands it to a step function.
 *
 * @param epoch      epoch of the samples (keys the random draws together with the sample index)
 * @param sampleIds  global sample indices, one per image: every random draw (t, ε, noise level,
 *                   dropout) derives from (seed, epoch, sample id, purpose), never from rank or thread
 * @param pixels     images, row-major {@code [B, C, H, W]}, in the range the objective documents
 * @param shape      {@code {B, C, H, W}}
 * @param tokens     caption token ids, row-major {@code [B, context]}, for objectives that train on
 *                   captions (contrastive pre-training); null for un²CLIP, which trains on images alone
 */
public record TrainingBatch(long epoch, long[] sampleIds, float[] pixels, long[] shape, int[] tokens) {
    public TrainingBatch {
        if (shape.length != 4 || shape[0] != sampleIds.length
                || (long) pixels.length != shape[0] * shape[1] * shape[2] * shape[3]) {
            throw new IllegalArgumentException("batch of " + sampleIds.length + " ids, " + pixels.length
                    + " pixels and shape " + java.util.Arrays.toString(shape) + " do not agree");
        }
        if (tokens != null && (sampleIds.length == 0 || tokens.length % sampleIds.length != 0)) {
            throw new IllegalArgumentException(tokens.length + " token ids do not split into " + sampleIds.length + " captions");
        }
    }

    /** An image-only batch. */
    public TrainingBatch(long epoch, long[] sampleIds, float[] pixels, long[] shape) {
        this(epoch, sampleIds, pixels, shape, null);
    }

    /** Tokens per caption, or 0 for an image-only batch. */
    public int contextLength() {
        return tokens == null ? 0 : tokens.length / sampleIds.length;
    }

    public int size() {
        return sampleIds.length;
    }
}
