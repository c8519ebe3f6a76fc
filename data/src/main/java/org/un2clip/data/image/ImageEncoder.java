package org.un2clip.data.image;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/** RgbImage → PNG or JPEG bytes with ImageIO. Same pixels give the same bytes (no timestamps are written). */
public final class ImageEncoder {
    private ImageEncoder() {
    }

    public static byte[] png(RgbImage img) {
        return encode(img, "png", -1);
    }

    /** Baseline JPEG at the given quality (0..1). */
    public static byte[] jpeg(RgbImage img, float quality) {
        return encode(img, "jpeg", quality);
    }

    private static byte[] encode(RgbImage img, String format, float quality) {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName(format);
        if (!writers.hasNext()) {
            throw new IllegalStateException("no ImageIO writer for " + format);
        }
        ImageWriter writer = writers.next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            if (quality >= 0) {
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionQuality(quality);
            }
            writer.write(null, new IIOImage(RgbConversion.toBufferedImage(img), null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException("encoding " + format + " in memory failed", e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }
}
