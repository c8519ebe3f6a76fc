package org.un2clip.data.preprocess;

import org.un2clip.data.image.RgbImage;

/**
 * torchvision's {@code Resize(n)} (shorter side to n, longer side {@code int(n * long / short)}) with
 * Pillow bicubic, then {@code CenterCrop(n)} (offsets {@code round((size - n) / 2)}, Python's round half to
 * even) — the geometric part shared by the CLIP and VAE branches.
 */
public final class ResizeCrop {
    /** Longest resized side accepted (an image this elongated is refused rather than overflowing sizes). */
    static final long MAX_RESIZED_SIDE = 1L << 28;

    private ResizeCrop() {
    }

    public static RgbImage apply(RgbImage img, int n) {
        int w = img.width();
        int h = img.height();
        long newW;
        long newH;
        if (w <= h) {
            newW = n;
            newH = (long) ((double) ((long) n * h) / w);
        } else {
            newH = n;
            newW = (long) ((double) ((long) n * w) / h);
        }
        if (Math.max(newW, newH) > MAX_RESIZED_SIDE) {
            throw new IllegalArgumentException("aspect ratio too extreme: " + w + "x" + h + " would resize to " + newW + "x" + newH);
        }
        if (newW == w && newH == h) {
            return centerCrop(img, n);
        }
        // Resize then crop, computing only the kept pixels (identical to cropping the full resize).
        return PillowResize.resizeRegion(img, (int) newW, (int) newH, cropOffset((int) newW, n), cropOffset((int) newH, n), n, n);
    }

    /** torchvision: int(round((size - n) / 2.0)), Python's round half to even. */
    static int cropOffset(int size, int n) {
        return (int) Math.rint((size - n) / 2.0);
    }

    public static RgbImage centerCrop(RgbImage img, int n) {
        if (img.width() < n || img.height() < n) {
            throw new IllegalArgumentException("image " + img.width() + "x" + img.height() + " smaller than crop " + n);
        }
        int top = cropOffset(img.height(), n);
        int left = cropOffset(img.width(), n);
        if (top == 0 && left == 0 && img.width() == n && img.height() == n) {
            return img;
        }
        byte[] out = new byte[n * n * 3];
        for (int y = 0; y < n; y++) {
            System.arraycopy(img.rgb(), ((y + top) * img.width() + left) * 3, out, y * n * 3, n * 3);
        }
        return new RgbImage(n, n, out);
    }
}
