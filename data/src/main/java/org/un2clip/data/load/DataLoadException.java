package org.un2clip.data.load;

/** The loader itself failed (not a bad record: those are skipped): carries the cause to the consumer. */
public final class DataLoadException extends RuntimeException {
    public DataLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
