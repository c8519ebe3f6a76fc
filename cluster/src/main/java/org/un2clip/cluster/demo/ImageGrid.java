package org.un2clip.cluster.demo;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/** Rows of images (each (n, 3, S, S) in [-1, 1]) side by side in one PNG, every pixel drawn {@code zoom}× larger, 2 px apart. */
public final class ImageGrid {
    private static final int GAP = 2;

    private ImageGrid() {
    }

    public static void write(Path png, List<float[]> rows, int n, int size, int zoom) throws IOException {
        int cell = size * zoom + GAP;
        BufferedImage img = new BufferedImage(n * cell, rows.size() * cell, BufferedImage.TYPE_INT_RGB);
        for (int r = 0; r < rows.size(); r++) {
            float[] px = rows.get(r);
            for (int i = 0; i < n; i++) {
                for (int y = 0; y < size * zoom; y++) {
                    for (int x = 0; x < size * zoom; x++) {
                        int rgb = 0;
                        for (int c = 0; c < 3; c++) {
                            float v = px[((i * 3 + c) * size + y / zoom) * size + x / zoom];
                            int b = Math.max(0, Math.min(255, Math.round((v + 1) * 127.5f)));
                            rgb = (rgb << 8) | b;
                        }
                        img.setRGB(i * cell + x, r * cell + y, rgb);
                    }
                }
            }
        }
        Files.createDirectories(png.toAbsolutePath().getParent());
        ImageIO.write(img, "png", png.toFile());
    }
}
