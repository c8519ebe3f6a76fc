package org.un2clip.model.io;

import java.nio.file.Path;

/** A weight file that cannot be read as stated. The message names the file and, where known, the tensor. */
public final class WeightFileException extends RuntimeException {
    public WeightFileException(Path file, String tensor, String problem) {
        super(file + (tensor == null ? "" : ": tensor '" + tensor + "'") + ": " + problem);
    }

    public WeightFileException(Path file, String tensor, String problem, Throwable cause) {
        super(file + (tensor == null ? "" : ": tensor '" + tensor + "'") + ": " + problem, cause);
    }
}
