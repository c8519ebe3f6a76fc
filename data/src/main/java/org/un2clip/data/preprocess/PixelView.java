package org.un2clip.data.preprocess;

/**
 * One tensor a batch carries per image (CHW float32, channels R, G, B). A batch layout is a list of views;
 * the un²CLIP step needs {@link Vae} (the generator's input) and {@link StabilityClip} (the encoder's input,
 * derived from it), evaluation needs {@link OpenAiClip}.
 */
public sealed interface PixelView {
    /** Side of the square output. */
    int size();

    /** Floats per image: 3 × size × size. */
    default int length() {
        return 3 * size() * size();
    }

    /** OpenAI CLIP's preprocess: Resize(n, bicubic) → CenterCrop(n) → [0,1] → (x − mean) / std. */
    record OpenAiClip(int size) implements PixelView {
        public OpenAiClip {
            positive(size);
        }
    }

    /** The VAE branch: Resize(n, bicubic) → CenterCrop(n) → [0,1] → (x − ½) / ½, i.e. [−1, 1]. */
    record Vae(int size) implements PixelView {
        public Vae {
            positive(size);
        }
    }

    /**
     * Stability's CLIP branch: from the VAE branch's [−1,1] image of side vaeSize, kornia's bicubic resize to
     * size (Gaussian pre-blur when antialiased, then bicubic a = −0.75 with align_corners), → [0,1] → CLIP
     * mean/std.
     */
    record StabilityClip(int vaeSize, int size, boolean antialias) implements PixelView {
        public StabilityClip {
            positive(vaeSize);
            positive(size);
        }
    }

    private static void positive(int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("image size must be positive: " + n);
        }
    }
}
