package org.un2clip.data.tar;

/** Checks on member paths: nothing in a shard may point outside it. */
public final class TarPaths {
    private TarPaths() {
    }

    /** False for absolute paths, Windows drive paths, and any path with a {@code ..} component. */
    public static boolean isSafe(String name) {
        if (name.isEmpty() || name.startsWith("/") || name.startsWith("\\") || name.indexOf('\0') >= 0) {
            return false;
        }
        if (name.length() >= 2 && name.charAt(1) == ':') {
            return false;
        }
        for (String part : name.split("[/\\\\]")) {
            if (part.equals("..")) {
                return false;
            }
        }
        return true;
    }
}
