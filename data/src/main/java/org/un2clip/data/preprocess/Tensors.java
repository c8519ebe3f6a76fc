package org.un2clip.data.preprocess;

import org.un2clip.data.image.RgbImage;

/** RGB bytes → CHW float32 as torchvision's ToTensor then Normalize compute it (float32 at every step). */
final class Tensors {
    private Tensors() {
    }

    static void toChw(RgbImage img, float[] mean, float[] std, float[] out, int offset) {
        // Each channel value maps to one float: a 256-entry table per channel gives the same bits as
        // computing (v / 255f - mean) / std per pixel, at a fraction of the cost.
        float[][] table = new float[3][256];
        for (int c = 0; c < 3; c++) {
            for (int v = 0; v < 256; v++) {
                table[c][v] = (v / 255f - mean[c]) / std[c];
            }
        }
        int plane = img.width() * img.height();
        byte[] rgb = img.rgb();
        float[] t0 = table[0];
        float[] t1 = table[1];
        float[] t2 = table[2];
        int o1 = offset + plane;
        int o2 = offset + 2 * plane;
        for (int i = 0, p = 0; i < plane; i++, p += 3) {
            out[offset + i] = t0[rgb[p] & 0xFF];
            out[o1 + i] = t1[rgb[p + 1] & 0xFF];
            out[o2 + i] = t2[rgb[p + 2] & 0xFF];
        }
    }
}
