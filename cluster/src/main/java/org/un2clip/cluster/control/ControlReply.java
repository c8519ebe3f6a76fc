package org.un2clip.cluster.control;

/** The answer to a command: whether the run accepted it, and a line for the operator. */
public record ControlReply(boolean accepted, String message) {

    public static ControlReply accepted(String message) {
        return new ControlReply(true, message);
    }

    public static ControlReply refused(String message) {
        return new ControlReply(false, message);
    }
}
