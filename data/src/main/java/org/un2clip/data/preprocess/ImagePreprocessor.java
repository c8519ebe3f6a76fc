package org.un2clip.data.preprocess;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.un2clip.data.image.RgbImage;

/**
 * Turns one decoded image into every view of a batch layout, writing image {@code slot} of each view's
 * batch array. The VAE branch is computed once per size and shared with the Stability CLIP branch that
 * starts from it. Stateless apart from its layout: one instance serves all decode threads.
 */
public final class ImagePreprocessor {
    private static final float[] HALF = {0.5f, 0.5f, 0.5f};

    private final List<PixelView> views;

    public ImagePreprocessor(List<PixelView> views) {
        if (views.isEmpty()) {
            throw new IllegalArgumentException("a batch layout needs at least one view");
        }
        this.views = List.copyOf(views);
    }

    public List<PixelView> views() {
        return views;
    }

    public void apply(RgbImage img, float[][] batches, int slot) {
        Map<Integer, float[]> vaeCache = new HashMap<>();
        for (int v = 0; v < views.size(); v++) {
            PixelView view = views.get(v);
            int offset = slot * view.length();
            if (view instanceof PixelView.OpenAiClip clip) {
                Tensors.toChw(ResizeCrop.apply(img, clip.size()), ClipNormalization.MEAN, ClipNormalization.STD, batches[v], offset);
            } else if (view instanceof PixelView.Vae vae) {
                System.arraycopy(vae(img, vae.size(), vaeCache), 0, batches[v], offset, vae.length());
            } else if (view instanceof PixelView.StabilityClip sc) {
                System.arraycopy(stabilityClip(vae(img, sc.vaeSize(), vaeCache), sc), 0, batches[v], offset, sc.length());
            }
        }
    }

    /** One image, one view: a fresh array (tests and single-image callers). */
    public static float[] single(RgbImage img, PixelView view) {
        float[][] out = {new float[view.length()]};
        new ImagePreprocessor(List.of(view)).apply(img, out, 0);
        return out[0];
    }

    private static float[] vae(RgbImage img, int size, Map<Integer, float[]> cache) {
        return cache.computeIfAbsent(size, n -> {
            float[] out = new float[3 * n * n];
            Tensors.toChw(ResizeCrop.apply(img, n), HALF, HALF, out, 0);
            return out;
        });
    }

    /** Stability's ClipImageEmbedder.preprocess on a [−1,1] CHW image. */
    static float[] stabilityClip(float[] vae, PixelView.StabilityClip view) {
        int n = view.size();
        float[] x = KorniaResize.resize(vae, 3, view.vaeSize(), view.vaeSize(), n, n, view.antialias());
        int plane = n * n;
        for (int c = 0; c < 3; c++) {
            float m = ClipNormalization.MEAN[c];
            float s = ClipNormalization.STD[c];
            for (int i = c * plane; i < (c + 1) * plane; i++) {
                x[i] = ((x[i] + 1f) / 2f - m) / s;
            }
        }
        return x;
    }
}
