package org.un2clip.data;

/** A record that cannot be used; the caller skips it and records it in a {@link SkipLedger}. */
public final class BadRecordException extends Exception {
    private final SkipReason reason;

    public BadRecordException(SkipReason reason, String detail) {
        super(detail);
        this.reason = reason;
    }

    public BadRecordException(SkipReason reason, String detail, Throwable cause) {
        super(detail, cause);
        this.reason = reason;
    }

    public SkipReason reason() {
        return reason;
    }
}
