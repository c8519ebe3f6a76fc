package org.un2clip.data.tar;

/**
 * One member of a tar archive, after long-name (GNU 'L', pax 'path') and pax 'size' records are applied.
 *
 * @param name the member's path as stored (never normalised: callers check it with {@link TarPaths#isSafe})
 * @param type the typeflag: '0' (regular file), '5' (directory), '1'/'2' (links), ...
 * @param size the content length in bytes
 * @param dataOffset the byte offset of the content in the archive, for random access later
 */
public record TarEntry(String name, char type, long size, long dataOffset) {
    public boolean isRegularFile() {
        return type == '0' || type == '\0' || type == '7';
    }
}
