package org.un2clip.model.step;

/**
 * One rank's micro-batch as the runtime hands it to a step function.
 *
 * @param epoch      epoch of the samples (keys the random draws together with the sample index)
 * @param sampleIds  global sample indices, one per image: every random draw (t, ε, noise level,
 *                   dropout) derives from (seed, epoch, sample id, purpose), never from rank or thread
 * @param pixels     images, row-major {@code [B, C, H, W]}, in the range the objective documents
 * @param shape      {@code {B, C, H, W}}
 */
public record TrainingBatch(long epoch, long[] sampleIds, float[] pixels, long[] shape) {
    public TrainingBatch {
        if (shape.length != 4 || shape[0] != sampleIds.length
                || (long) pixels.length != shape[0] * shape[1] * shape[2] * shape[3]) {
            throw new IllegalArgumentException("batch of " + sampleIds.length + " ids, " + pixels.length
                    + " pixels and shape " + java.util.Arrays.toString(shape) + " do not agree");
        }
    }

    public int size() {
        return sampleIds.length;
    }
}
