package org.un2clip.model.objective;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * The CLIP branch's input from the generator's [-1, 1] image (Stable unCLIP's {@code ClipImageEmbedder}):
 * optional resize to the encoder's resolution, {@code x01 = (img + 1)/2}, then {@code (x01 − mean)/std} with
 * OpenAI CLIP's statistics. The resize is PyTorch's antialiased bicubic (upstream uses kornia's bicubic with a
 * Gaussian pre-blur; both low-pass before subsampling, they are not bit-identical).
 */
public final class ClipPreprocess {
    static final float[] MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    static final float[] STD = {0.26862954f, 0.26130258f, 0.27577711f};
    private static final int BICUBIC_ANTIALIAS = 3;

    private final int resolution;
    private final boolean resize;

    public ClipPreprocess(int resolution, boolean resize) {
        this.resolution = resolution;
        this.resize = resize;
    }

    public NDArray apply(NDArray image) {
        Shape s = image.getShape();
        NDArray x = image;
        if (s.get(2) != resolution || s.get(3) != resolution) {
            if (!resize) {
                throw new IllegalArgumentException("CLIP preprocess: image is " + s.get(2) + "×" + s.get(3) + ", the encoder needs "
                        + resolution + "×" + resolution + " and objective.clip-resize is off");
            }
            x = x.getNDArrayInternal().interpolation(new long[] {resolution, resolution}, BICUBIC_ANTIALIAS, false);
        }
        NDManager m = x.getManager();
        x = x.add(1f).div(2f);
        return x.sub(m.create(MEAN, new Shape(1, 3, 1, 1))).div(m.create(STD, new Shape(1, 3, 1, 1)));
    }
}
