package org.un2clip.data.source;

import java.util.List;
import java.util.Locale;

/** The image extensions the readers accept, in the order preferred when a key has several. */
public final class ImageExtensions {
    public static final List<String> ALL = List.of("jpg", "jpeg", "png", "webp");

    private ImageExtensions() {
    }

    public static boolean isImage(String ext) {
        return ALL.contains(ext.toLowerCase(Locale.ROOT));
    }

    /** The extension of a file name after its last dot, lower case, or "" if none. */
    public static String extensionOf(String fileName) {
        int slash = Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\'));
        int dot = fileName.lastIndexOf('.');
        return dot > slash ? fileName.substring(dot + 1).toLowerCase(Locale.ROOT) : "";
    }
}
