package org.un2clip.data.tar;

import java.io.IOException;

/** A tar archive that cannot be read on: it ends early ({@link #truncated()}) or a header is damaged. */
public final class TarFormatException extends IOException {
    private final boolean truncated;
    private final String member;

    public TarFormatException(String message, boolean truncated, String member) {
        super(message);
        this.truncated = truncated;
        this.member = member;
    }

    public boolean truncated() {
        return truncated;
    }

    /** The member being read when the archive broke, or null if it broke in a header. */
    public String member() {
        return member;
    }
}
