package org.un2clip.data.image;

import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/** BufferedImage ↔ {@link RgbImage}, reading raster samples directly (no colour-space conversion of grey). */
public final class RgbConversion {
    private RgbConversion() {
    }

    /** Pillow's convert("RGB"): grey replicated, alpha dropped, palette looked up, 16-bit → high byte. */
    public static RgbImage toRgb(BufferedImage bi) {
        int w = bi.getWidth();
        int h = bi.getHeight();
        byte[] out = new byte[w * h * 3];
        if (bi.getType() == BufferedImage.TYPE_3BYTE_BGR) {
            byte[] bgr = ((DataBufferByte) bi.getRaster().getDataBuffer()).getData();
            if (bgr.length == out.length && bi.getRaster().getSampleModelTranslateX() == 0 && bi.getRaster().getSampleModelTranslateY() == 0) {
                for (int i = 0; i < out.length; i += 3) {
                    out[i] = bgr[i + 2];
                    out[i + 1] = bgr[i + 1];
                    out[i + 2] = bgr[i];
                }
                return new RgbImage(w, h, out);
            }
        }
        if (bi.getColorModel() instanceof IndexColorModel || !(bi.getColorModel() instanceof ComponentColorModel)) {
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                bi.getRGB(0, y, w, 1, row, 0, w);
                for (int x = 0; x < w; x++) {
                    int p = row[x];
                    int d = (y * w + x) * 3;
                    out[d] = (byte) (p >> 16);
                    out[d + 1] = (byte) (p >> 8);
                    out[d + 2] = (byte) p;
                }
            }
            return new RgbImage(w, h, out);
        }
        Raster raster = bi.getRaster();
        int bands = raster.getNumBands();
        int bits = raster.getSampleModel().getSampleSize(0);
        int shift = Math.max(0, bits - 8);
        boolean grey = bands <= 2;
        int[] px = new int[w * bands];
        for (int y = 0; y < h; y++) {
            raster.getPixels(0, y, w, 1, px);
            for (int x = 0; x < w; x++) {
                int s = x * bands;
                int d = (y * w + x) * 3;
                for (int c = 0; c < 3; c++) {
                    out[d + c] = (byte) (px[s + (grey ? 0 : c)] >> shift);
                }
            }
        }
        return new RgbImage(w, h, out);
    }

    /** An RgbImage as a TYPE_3BYTE_BGR BufferedImage (for encoders). */
    public static BufferedImage toBufferedImage(RgbImage img) {
        BufferedImage bi = new BufferedImage(img.width(), img.height(), BufferedImage.TYPE_3BYTE_BGR);
        byte[] bgr = ((DataBufferByte) bi.getRaster().getDataBuffer()).getData();
        byte[] rgb = img.rgb();
        for (int i = 0; i < rgb.length; i += 3) {
            bgr[i] = rgb[i + 2];
            bgr[i + 1] = rgb[i + 1];
            bgr[i + 2] = rgb[i];
        }
        return bi;
    }
}
