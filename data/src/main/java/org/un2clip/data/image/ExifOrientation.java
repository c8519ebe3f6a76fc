package org.un2clip.data.image;

/**
 * The EXIF orientation tag (0x0112) of a JPEG, and the transposition that shows the image upright
 * (the same eight cases as Pillow's {@code ImageOps.exif_transpose}).
 */
public final class ExifOrientation {
    private ExifOrientation() {
    }

    /** The orientation 1..8 from the JPEG's APP1 Exif segment; 1 when absent or unreadable. */
    public static int read(byte[] jpeg) {
        try {
            int i = 2;
            while (i + 4 <= jpeg.length && (jpeg[i] & 0xFF) == 0xFF) {
                int marker = jpeg[i + 1] & 0xFF;
                if (marker == 0xDA || marker == 0xD9) {
                    return 1;
                }
                int len = u16(jpeg, i + 2, false);
                if (marker == 0xE1 && len >= 8 && i + 4 + 6 <= jpeg.length && jpeg[i + 4] == 'E' && jpeg[i + 5] == 'x'
                        && jpeg[i + 6] == 'i' && jpeg[i + 7] == 'f' && jpeg[i + 8] == 0 && jpeg[i + 9] == 0) {
                    int o = fromTiff(jpeg, i + 10, Math.min(jpeg.length, i + 2 + len));
                    if (o != 0) {
                        return o;
                    }
                }
                i += 2 + len;
            }
        } catch (RuntimeException ignored) {
            // A damaged Exif block means "no orientation", as in Pillow.
        }
        return 1;
    }

    private static int fromTiff(byte[] b, int tiff, int end) {
        boolean little = b[tiff] == 'I' && b[tiff + 1] == 'I';
        if (!little && !(b[tiff] == 'M' && b[tiff + 1] == 'M')) {
            return 0;
        }
        int ifd = tiff + (int) u32(b, tiff + 4, little);
        int count = u16(b, ifd, little);
        for (int k = 0; k < count; k++) {
            int e = ifd + 2 + 12 * k;
            if (e + 12 > end) {
                return 0;
            }
            if (u16(b, e, little) == 0x0112) {
                int v = u16(b, e + 8, little);
                return v >= 1 && v <= 8 ? v : 0;
            }
        }
        return 0;
    }

    /** The image shown upright for the given orientation. */
    public static RgbImage apply(RgbImage img, int orientation) {
        if (orientation <= 1 || orientation > 8) {
            return img;
        }
        int w = img.width();
        int h = img.height();
        boolean swap = orientation >= 5;
        int ow = swap ? h : w;
        int oh = swap ? w : h;
        byte[] src = img.rgb();
        byte[] out = new byte[src.length];
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                int sx;
                int sy;
                switch (orientation) {
                    case 2 -> { sx = w - 1 - x; sy = y; }
                    case 3 -> { sx = w - 1 - x; sy = h - 1 - y; }
                    case 4 -> { sx = x; sy = h - 1 - y; }
                    case 5 -> { sx = y; sy = x; }
                    case 6 -> { sx = y; sy = h - 1 - x; }
                    case 7 -> { sx = w - 1 - y; sy = h - 1 - x; }
                    default -> { sx = w - 1 - y; sy = x; }
                }
                int s = (sy * w + sx) * 3;
                int d = (y * ow + x) * 3;
                out[d] = src[s];
                out[d + 1] = src[s + 1];
                out[d + 2] = src[s + 2];
            }
        }
        return new RgbImage(ow, oh, out);
    }

    private static int u16(byte[] b, int i, boolean little) {
        return little ? (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8 : (b[i] & 0xFF) << 8 | (b[i + 1] & 0xFF);
    }

    private static long u32(byte[] b, int i, boolean little) {
        return little ? (u16(b, i, true) | (long) u16(b, i + 2, true) << 16) : ((long) u16(b, i, false) << 16 | u16(b, i + 2, false));
    }
}
