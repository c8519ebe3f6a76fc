package org.un2clip.data;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Random;
import javax.imageio.ImageIO;
import org.un2clip.data.image.ImageEncoder;
import org.un2clip.data.image.RgbImage;

/** Images the tests write: random RGB, and encodings of them. */
public final class TestImages {
    private TestImages() {
    }

    public static RgbImage random(int w, int h, long seed) {
        byte[] rgb = new byte[w * h * 3];
        new Random(seed).nextBytes(rgb);
        return new RgbImage(w, h, rgb);
    }

    /** A smooth image (gradients): survives JPEG well, so decoded pixels can be compared loosely. */
    public static RgbImage smooth(int w, int h) {
        byte[] rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = (y * w + x) * 3;
                rgb[i] = (byte) (255 * x / Math.max(1, w - 1));
                rgb[i + 1] = (byte) (255 * y / Math.max(1, h - 1));
                rgb[i + 2] = (byte) 128;
            }
        }
        return new RgbImage(w, h, rgb);
    }

    public static byte[] png(RgbImage img) {
        return ImageEncoder.png(img);
    }

    public static byte[] jpeg(RgbImage img) {
        return ImageEncoder.jpeg(img, 0.95f);
    }

    public static byte[] png(BufferedImage bi) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(bi, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
