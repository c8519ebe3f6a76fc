package org.un2clip.actors.transport;

/** The data plane could not move a tensor: the step that needed it fails loudly with this message. */
public final class TransportException extends RuntimeException {
    public TransportException(String message) {
        super(message);
    }
}
