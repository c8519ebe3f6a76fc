package org.un2clip.actors.objective.demo;

import org.un2clip.data.image.RgbImage;
import org.un2clip.data.synth.Scene;
import org.un2clip.data.synth.SceneCaptions;
import org.un2clip.data.synth.SceneRenderer;
import org.un2clip.data.synth.SceneSampler;
import org.un2clip.model.step.TrainingBatch;

/**
 * Scenes {@code 0..n-1} of the miniature world with one seed, rendered once into memory: pixels (n, 3, S, S) in
 * [-1, 1], the kind of each scene (the zero-shot label) and its coarse caption as compact token ids. Scene i is
 * the same pure function of (seed, i) the world's shards are written from.
 */
public final class MiniatureImages {
    private final int size;
    private final float[] pixels;
    private final int[] kinds;
    private final int[] tokens;
    private final int context;

    public MiniatureImages(long seed, int count, int size, Vocabulary vocabulary) {
        this(seed, count, size, vocabulary, 0);
    }

    /**
     * @param fineFraction the share of scenes captioned with their fine caption (every attribute) instead of the
     *                     coarse one; which scenes is keyed by (seed, index), 0 = the detail-blind setting
     */
    public MiniatureImages(long seed, int count, int size, Vocabulary vocabulary, double fineFraction) {
        this.size = size;
        int per = 3 * size * size;
        this.pixels = new float[count * per];
        this.kinds = new int[count];
        this.context = vocabulary == null ? 0 : vocabulary.context();
        this.tokens = vocabulary == null ? null : new int[count * context];
        for (int i = 0; i < count; i++) {
            Scene s = SceneSampler.datasetScene(seed, i);
            toPixels(SceneRenderer.render(s, size), pixels, i * per);
            kinds[i] = s.kind().ordinal();
            if (vocabulary != null) {
                String caption = fine(seed, i, fineFraction) ? SceneCaptions.fine(s) : SceneCaptions.coarse(s);
                System.arraycopy(vocabulary.encode(caption), 0, tokens, i * context, context);
            }
        }
    }

    public static boolean fine(long seed, int index, double fineFraction) {
        return fineFraction > 0
                && org.un2clip.conf.KeyedRandom.of(seed, 0, index, org.un2clip.conf.KeyedRandom.Purpose.OTHER).nextDouble() < fineFraction;
    }

    /** RGB bytes (HWC) → CHW floats in [-1, 1]. */
    public static void toPixels(RgbImage img, float[] out, int offset) {
        int h = img.height();
        int w = img.width();
        byte[] rgb = img.rgb();
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    out[offset + (c * h + y) * w + x] = (rgb[(y * w + x) * 3 + c] & 0xFF) / 127.5f - 1f;
                }
            }
        }
    }

    public int count() {
        return kinds.length;
    }

    public int size() {
        return size;
    }

    public float[] pixels() {
        return pixels;
    }

    public int[] kinds() {
        return kinds;
    }

    /** The batch of these samples, with caption tokens when {@code withTokens}. */
    public TrainingBatch batch(long epoch, long[] ids, boolean withTokens) {
        int per = 3 * size * size;
        float[] px = new float[ids.length * per];
        int[] tk = withTokens ? new int[ids.length * context] : null;
        for (int i = 0; i < ids.length; i++) {
            int k = Math.toIntExact(ids[i]);
            System.arraycopy(pixels, k * per, px, i * per, per);
            if (withTokens) {
                System.arraycopy(tokens, k * context, tk, i * context, context);
            }
        }
        return new TrainingBatch(epoch, ids, px, new long[] {ids.length, 3, size, size}, tk);
    }
}
