package org.un2clip.data.source;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.un2clip.data.BadRecordException;
import org.un2clip.data.image.ImageDecoder;
import org.un2clip.data.image.RgbImage;

/** One image file a user named (a benchmark image, an image to reconstruct): decoded, or an error naming the file. */
public final class ImageFiles {
    private ImageFiles() {
    }

    /** @param what what the file is, for the message ("benchmark image", "input image") */
    public static RgbImage read(ImageDecoder decoder, Path file, String what) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new DataSourceException("cannot read " + what + " " + file + ": " + e, e);
        }
        try {
            return decoder.decode(bytes, ImageExtensions.extensionOf(file.getFileName().toString()));
        } catch (BadRecordException e) {
            throw new DataSourceException("bad " + what + " " + file + ": " + e.reason().label() + " (" + e.getMessage() + ")", e);
        }
    }
}
