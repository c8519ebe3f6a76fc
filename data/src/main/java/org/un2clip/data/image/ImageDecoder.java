package org.un2clip.data.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import org.un2clip.data.BadRecordException;
import org.un2clip.data.SkipReason;

/**
 * Encoded bytes → {@link RgbImage}, through ImageIO: TwelveMonkeys' JPEG reader (CMYK/YCCK with ICC
 * profiles, progressive, lossless), the JDK's PNG reader, TwelveMonkeys' WebP reader. The format is taken
 * from the magic bytes and must agree with the extension; the pixel count is checked from the header before
 * any pixel is decoded; a JPEG that ends early (libjpeg's "premature end" warning, which Pillow refuses by
 * default) is refused too. Colour conversion follows Pillow's {@code convert("RGB")}: grey is replicated,
 * alpha is dropped (not composited), 16-bit samples keep their high byte.
 */
public final class ImageDecoder {
    private final long maxPixels;
    private final boolean applyExifOrientation;

    public ImageDecoder(long maxPixels, boolean applyExifOrientation) {
        if (maxPixels <= 0) {
            throw new IllegalArgumentException("maxPixels must be positive: " + maxPixels);
        }
        this.maxPixels = maxPixels;
        this.applyExifOrientation = applyExifOrientation;
    }

    public RgbImage decode(byte[] bytes, String extension) throws BadRecordException {
        if (bytes.length == 0) {
            throw new BadRecordException(SkipReason.ZERO_BYTE_FILE, "0 bytes");
        }
        ImageFormat format = ImageFormat.sniff(bytes);
        if (format == null) {
            throw new BadRecordException(SkipReason.CORRUPT_IMAGE, "not a JPEG, PNG or WebP stream");
        }
        ImageFormat named = ImageFormat.ofExtension(extension);
        if (named != format) {
            throw new BadRecordException(SkipReason.WRONG_EXTENSION, "." + extension + " holds " + format + " data");
        }
        RgbImage img = read(bytes, format);
        if (applyExifOrientation && format == ImageFormat.JPEG) {
            img = ExifOrientation.apply(img, ExifOrientation.read(bytes));
        }
        return img;
    }

    private RgbImage read(byte[] bytes, ImageFormat format) throws BadRecordException {
        ImageReader reader = readerFor(format);
        List<String> warnings = new ArrayList<>();
        try (ImageInputStream iis = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            reader.setInput(iis, true, true);
            reader.addIIOReadWarningListener(new IIOReadWarningListener() {
                @Override
                public void warningOccurred(ImageReader source, String warning) {
                    warnings.add(warning);
                }
            });
            long w = reader.getWidth(0);
            long h = reader.getHeight(0);
            if (w <= 0 || h <= 0) {
                throw new BadRecordException(SkipReason.CORRUPT_IMAGE, "header says " + w + "x" + h);
            }
            if (w * h > maxPixels) {
                throw new BadRecordException(SkipReason.TOO_MANY_PIXELS, w + "x" + h + " = " + w * h + " pixels > max " + maxPixels);
            }
            BufferedImage bi = reader.read(0);
            for (String warning : warnings) {
                if (warning.toLowerCase().contains("premature end")) {
                    throw new BadRecordException(SkipReason.TRUNCATED_IMAGE, warning);
                }
            }
            return RgbConversion.toRgb(bi);
        } catch (BadRecordException e) {
            throw e;
        } catch (IOException e) {
            throw new BadRecordException(hasEof(e) ? SkipReason.TRUNCATED_IMAGE : SkipReason.CORRUPT_IMAGE, format + ": " + message(e), e);
        } catch (RuntimeException e) {
            // Decoders signal some damaged streams with unchecked exceptions; the record is bad, not the run.
            throw new BadRecordException(SkipReason.CORRUPT_IMAGE, format + ": " + message(e), e);
        } finally {
            reader.dispose();
        }
    }

    private static ImageReader readerFor(ImageFormat format) throws BadRecordException {
        Iterator<ImageReader> it = ImageIO.getImageReadersByFormatName(format.imageIoName());
        ImageReader fallback = null;
        while (it.hasNext()) {
            ImageReader r = it.next();
            if (r.getClass().getName().startsWith("com.twelvemonkeys")) {
                if (fallback != null) {
                    fallback.dispose();
                }
                return r;
            }
            if (fallback == null) {
                fallback = r;
            } else {
                r.dispose();
            }
        }
        if (fallback == null) {
            throw new BadRecordException(SkipReason.CORRUPT_IMAGE, "no ImageIO reader for " + format);
        }
        return fallback;
    }

    private static boolean hasEof(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof EOFException || (t.getMessage() != null && t.getMessage().toLowerCase().contains("premature end"))) {
                return true;
            }
        }
        return false;
    }

    private static String message(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return root == e ? m : m + " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
    }
}
