package org.un2clip.data.preprocess;

import org.un2clip.data.image.RgbImage;

/** RGB bytes → CHW float32 as torchvision's ToTensor then Normalize compute it (float32 at every step). */
final class Tensors {
    private Tensors() {
    }

    static void toChw(RgbImage img, float[] mean, float[] std, float[] out, int offset) {
        int plane = img.width() * img.height();
        byte[] rgb = img.rgb();
        for (int c = 0; c < 3; c++) {
            float m = mean[c];
            float s = std[c];
            int base = offset + c * plane;
            for (int i = 0; i < plane; i++) {
                float v = (rgb[i * 3 + c] & 0xFF) / 255f;
                out[base + i] = (v - m) / s;
            }
        }
    }
}
