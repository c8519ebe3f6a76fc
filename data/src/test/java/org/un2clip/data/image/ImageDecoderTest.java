package org.un2clip.data.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Base64;
import java.util.zip.CRC32;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;
import org.un2clip.data.BadRecordException;
import org.un2clip.data.SkipReason;
import org.un2clip.data.TestImages;

class ImageDecoderTest {
    private final ImageDecoder decoder = new ImageDecoder(89_478_485L, true);

    @Test
    void pngRoundTripIsExact() throws Exception {
        RgbImage img = TestImages.random(13, 7, 1);
        assertThat(decoder.decode(TestImages.png(img), "png")).isEqualTo(img);
    }

    @Test
    void jpegBaselineAndProgressiveDecodeClose() throws Exception {
        RgbImage img = TestImages.smooth(40, 30);
        RgbImage baseline = decoder.decode(TestImages.jpeg(img), "jpg");
        RgbImage progressive = decoder.decode(progressiveJpeg(img), "jpeg");
        assertThat(maxDiff(baseline, img)).isLessThanOrEqualTo(12);
        assertThat(maxDiff(progressive, img)).isLessThanOrEqualTo(12);
    }

    @Test
    void greyPaletteAndAlphaConvertAsPillowDoes() throws Exception {
        BufferedImage grey = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setPixels(0, 0, 3, 1, new int[] {0, 77, 200});
        RgbImage g = decoder.decode(TestImages.png(grey), "png");
        assertThat(g.get(1, 0, 0)).isEqualTo(77);
        assertThat(g.get(1, 0, 1)).isEqualTo(77);
        assertThat(g.get(2, 0, 2)).isEqualTo(200);

        IndexColorModel palette = new IndexColorModel(8, 2, new byte[] {10, (byte) 250}, new byte[] {20, 5}, new byte[] {30, 99});
        BufferedImage indexed = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_INDEXED, palette);
        indexed.getRaster().setPixels(0, 0, 2, 1, new int[] {1, 0});
        RgbImage p = decoder.decode(TestImages.png(indexed), "png");
        assertThat(new int[] {p.get(0, 0, 0), p.get(0, 0, 1), p.get(0, 0, 2), p.get(1, 0, 0)}).containsExactly(250, 5, 99, 10);

        BufferedImage argb = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB);
        argb.setRGB(0, 0, 0x00_40_80_C0); // fully transparent: Pillow's convert("RGB") keeps the colour
        RgbImage a = decoder.decode(TestImages.png(argb), "png");
        assertThat(new int[] {a.get(0, 0, 0), a.get(0, 0, 1), a.get(0, 0, 2)}).containsExactly(0x40, 0x80, 0xC0);
    }

    @Test
    void cmykJpegDecodesToRgb() throws Exception {
        WritableRaster cmyk = Raster.createInterleavedRaster(java.awt.image.DataBuffer.TYPE_BYTE, 16, 16, 4, null);
        int[] px = new int[16 * 16 * 4];
        for (int i = 0; i < px.length; i += 4) {
            px[i] = 0;      // C
            px[i + 1] = 255; // M
            px[i + 2] = 255; // Y
            px[i + 3] = 0;  // K
        }
        cmyk.setPixels(0, 0, 16, 16, px);
        ImageWriter w = jdkJpegWriter();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            w.setOutput(ios);
            w.write(null, new IIOImage(cmyk, null, null), w.getDefaultWriteParam());
        } finally {
            w.dispose();
        }
        RgbImage rgb = decoder.decode(out.toByteArray(), "jpg");
        assertThat(rgb.width()).isEqualTo(16);
        // Cyan 0, magenta and yellow full: a red (exact values depend on the CMYK profile, and
        // an un-inverted 4-channel JPEG reads as its complement; either way the channels must differ widely).
        int r = rgb.get(8, 8, 0);
        int g = rgb.get(8, 8, 1);
        assertThat(Math.abs(r - g)).isGreaterThan(100);
    }

    @Test
    void exifOrientationTurnsTheImageUpright() throws Exception {
        RgbImage img = new RgbImage(2, 1, new byte[] {(byte) 255, 0, 0, 0, 0, (byte) 255});
        // Orientation 6: the camera was turned; shown upright the 2x1 image becomes 1x2, its left pixel on top.
        RgbImage rotated = ExifOrientation.apply(img, 6);
        assertThat(rotated.width()).isEqualTo(1);
        assertThat(rotated.height()).isEqualTo(2);
        assertThat(rotated.get(0, 0, 0)).isEqualTo(255);
        assertThat(rotated.get(0, 1, 2)).isEqualTo(255);
        RgbImage eight = ExifOrientation.apply(img, 8);
        assertThat(eight.get(0, 0, 2)).isEqualTo(255);
        assertThat(ExifOrientation.apply(img, 3).get(0, 0, 2)).isEqualTo(255);
        assertThat(ExifOrientation.apply(img, 2).get(0, 0, 2)).isEqualTo(255);

        RgbImage wide = TestImages.smooth(32, 16);
        byte[] jpeg = withExifOrientation(TestImages.jpeg(wide), 6);
        assertThat(ExifOrientation.read(jpeg)).isEqualTo(6);
        RgbImage upright = decoder.decode(jpeg, "jpg");
        assertThat(upright.width()).isEqualTo(16);
        assertThat(upright.height()).isEqualTo(32);
        RgbImage asStored = new ImageDecoder(1 << 20, false).decode(jpeg, "jpg");
        assertThat(asStored.width()).isEqualTo(32);
        assertThat(upright.rgb()).isEqualTo(ExifOrientation.apply(asStored, 6).rgb());
    }

    @Test
    void webpIsServedByTwelveMonkeys() throws Exception {
        // Modernizr's 1x1 lossless WebP.
        byte[] webp = Base64.getDecoder().decode("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==");
        RgbImage img = decoder.decode(webp, "webp");
        assertThat(img.width()).isEqualTo(1);
        assertThat(img.height()).isEqualTo(1);
    }

    @Test
    void badInputIsRefusedWithItsReason() {
        byte[] png = TestImages.png(TestImages.random(20, 20, 2));
        byte[] jpg = TestImages.jpeg(TestImages.smooth(64, 64));
        assertReason(new byte[0], "jpg", SkipReason.ZERO_BYTE_FILE);
        assertReason("not an image at all".getBytes(), "jpg", SkipReason.CORRUPT_IMAGE);
        assertReason(png, "jpg", SkipReason.WRONG_EXTENSION);
        assertReason(jpg, "png", SkipReason.WRONG_EXTENSION);
        assertReason(Arrays.copyOf(jpg, jpg.length / 2), "jpg", SkipReason.TRUNCATED_IMAGE);
        assertReason(Arrays.copyOf(png, png.length - 40), "png", SkipReason.TRUNCATED_IMAGE);
        byte[] junk = Arrays.copyOf(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0, 2}, 64);
        assertReason(junk, "jpg", SkipReason.CORRUPT_IMAGE);
    }

    @Test
    void decompressionBombsAreRefusedFromTheHeader() {
        assertReason(pngHeaderOnly(50_000, 50_000), "png", SkipReason.TOO_MANY_PIXELS);
        byte[] jpg = TestImages.jpeg(TestImages.smooth(16, 16));
        assertReason(withSofSize(jpg, 60_000, 60_000), "jpg", SkipReason.TOO_MANY_PIXELS);
        ImageDecoder small = new ImageDecoder(399, true);
        assertThatThrownBy(() -> small.decode(TestImages.png(TestImages.random(20, 20, 3)), "png"))
                .isInstanceOfSatisfying(BadRecordException.class, e -> {
                    assertThat(e.reason()).isEqualTo(SkipReason.TOO_MANY_PIXELS);
                    assertThat(e.getMessage()).contains("20x20");
                });
    }

    private void assertReason(byte[] bytes, String ext, SkipReason reason) {
        assertThatThrownBy(() -> decoder.decode(bytes, ext))
                .isInstanceOfSatisfying(BadRecordException.class, e -> assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason));
    }

    static int maxDiff(RgbImage a, RgbImage b) {
        int m = 0;
        for (int i = 0; i < a.rgb().length; i++) {
            m = Math.max(m, Math.abs((a.rgb()[i] & 0xFF) - (b.rgb()[i] & 0xFF)));
        }
        return m;
    }

    private static ImageWriter jdkJpegWriter() {
        var it = ImageIO.getImageWritersByFormatName("jpeg");
        ImageWriter chosen = null;
        while (it.hasNext()) {
            ImageWriter w = it.next();
            if (w.getClass().getName().startsWith("com.sun")) {
                return w;
            }
            chosen = w;
        }
        return chosen;
    }

    private static byte[] progressiveJpeg(RgbImage img) throws Exception {
        ImageWriter w = jdkJpegWriter();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            w.setOutput(ios);
            ImageWriteParam p = w.getDefaultWriteParam();
            p.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
            w.write(null, new IIOImage(RgbConversion.toBufferedImage(img), null, null), p);
        } finally {
            w.dispose();
        }
        byte[] b = out.toByteArray();
        assertThat(containsMarker(b, 0xC2)).as("progressive SOF2 present").isTrue();
        return b;
    }

    private static boolean containsMarker(byte[] b, int marker) {
        for (int i = 0; i + 1 < b.length; i++) {
            if ((b[i] & 0xFF) == 0xFF && (b[i + 1] & 0xFF) == marker) {
                return true;
            }
        }
        return false;
    }

    /** Inserts an APP1 Exif segment (big-endian TIFF, IFD0 with one orientation entry) after SOI. */
    static byte[] withExifOrientation(byte[] jpeg, int orientation) {
        ByteBuffer tiff = ByteBuffer.allocate(8 + 2 + 12 + 4);
        tiff.put(new byte[] {'M', 'M', 0, 42}).putInt(8).putShort((short) 1)
                .putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0).putInt(0);
        byte[] body = tiff.array();
        int len = 2 + 6 + body.length;
        ByteBuffer out = ByteBuffer.allocate(jpeg.length + 2 + len);
        out.put(jpeg, 0, 2).put((byte) 0xFF).put((byte) 0xE1).putShort((short) len).put(new byte[] {'E', 'x', 'i', 'f', 0, 0}).put(body);
        out.put(jpeg, 2, jpeg.length - 2);
        return out.array();
    }

    /** A PNG signature + IHDR claiming w x h + IEND: no pixel data at all. */
    static byte[] pngHeaderOnly(int w, int h) {
        ByteBuffer b = ByteBuffer.allocate(8 + 25 + 12);
        b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        ByteBuffer ihdr = ByteBuffer.allocate(17);
        ihdr.put(new byte[] {'I', 'H', 'D', 'R'}).putInt(w).putInt(h).put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        b.putInt(13).put(ihdr.array()).putInt(crc(ihdr.array()));
        b.putInt(0).put(new byte[] {'I', 'E', 'N', 'D'}).putInt(crc(new byte[] {'I', 'E', 'N', 'D'}));
        return b.array();
    }

    private static int crc(byte[] data) {
        CRC32 c = new CRC32();
        c.update(data);
        return (int) c.getValue();
    }

    /** The JPEG with its SOF0 frame size rewritten. */
    static byte[] withSofSize(byte[] jpeg, int w, int h) {
        byte[] b = jpeg.clone();
        for (int i = 2; i + 9 < b.length; i++) {
            if ((b[i] & 0xFF) == 0xFF && (b[i + 1] & 0xFF) == 0xC0) {
                b[i + 5] = (byte) (h >> 8);
                b[i + 6] = (byte) h;
                b[i + 7] = (byte) (w >> 8);
                b[i + 8] = (byte) w;
                return b;
            }
        }
        throw new AssertionError("no SOF0");
    }
}
