package org.un2clip.data.image;

/**
 * An 8-bit RGB image, pixels interleaved row-major ({@code rgb[(y*width + x)*3 + c]}), the layout Pillow's
 * "RGB" mode uses; the preprocessing works on it the way Pillow does.
 */
public record RgbImage(int width, int height, byte[] rgb) {
    public RgbImage {
        if (width <= 0 || height <= 0 || rgb.length != (long) width * height * 3) {
            throw new IllegalArgumentException("bad RGB image " + width + "x" + height + " with " + rgb.length + " bytes");
        }
    }

    public static RgbImage blank(int width, int height) {
        return new RgbImage(width, height, new byte[width * height * 3]);
    }

    /** Channel c of pixel (x, y), 0..255. */
    public int get(int x, int y, int c) {
        return rgb[(y * width + x) * 3 + c] & 0xFF;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RgbImage r && r.width == width && r.height == height && java.util.Arrays.equals(r.rgb, rgb);
    }

    @Override
    public int hashCode() {
        return (31 * width + height) * 31 + java.util.Arrays.hashCode(rgb);
    }

    @Override
    public String toString() {
        return "RgbImage[" + width + "x" + height + "]";
    }
}
