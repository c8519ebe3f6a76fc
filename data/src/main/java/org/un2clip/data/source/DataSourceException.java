package org.un2clip.data.source;

/** A dataset path that cannot be used at all (missing, unreadable, unknown kind): names the path. */
public final class DataSourceException extends RuntimeException {
    public DataSourceException(String message) {
        super(message);
    }

    public DataSourceException(String message, Throwable cause) {
        super(message, cause);
    }
}
