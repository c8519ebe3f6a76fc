package org.un2clip.conf;

/** A configuration problem, reported before anything starts. The message names the key or file. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
