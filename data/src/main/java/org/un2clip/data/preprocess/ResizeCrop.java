package org.un2clip.data.preprocess;

import org.un2clip.data.image.RgbImage;

/**
 * torchvision's {@code Resize(n)} (shorter side to n, longer side {@code int(n * long / short)}) with
 * Pillow bicubic, then {@code CenterCrop(n)} (offsets {@code round((size - n) / 2)}, Python's round half to
 * even) — the geometric part shared by the CLIP and VAE branches.
 */
public final class ResizeCrop {
    private ResizeCrop() {
    }

    public static RgbImage apply(RgbImage img, int n) {
        int w = img.width();
        int h = img.height();
        int newW;
        int newH;
        if (w <= h) {
            newW = n;
            newH = (int) ((double) ((long) n * h) / w);
        } else {
            newH = n;
            newW = (int) ((double) ((long) n * w) / h);
        }
        RgbImage resized = (newW == w && newH == h) ? img : PillowResize.resize(img, newW, newH);
        return centerCrop(resized, n);
    }

    public static RgbImage centerCrop(RgbImage img, int n) {
        if (img.width() < n || img.height() < n) {
            throw new IllegalArgumentException("image " + img.width() + "x" + img.height() + " smaller than crop " + n);
        }
        int top = (int) Math.rint((img.height() - n) / 2.0);
        int left = (int) Math.rint((img.width() - n) / 2.0);
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
