package org.un2clip.actors;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

/** How data-plane actors poll: a time slice of polling with back-off, then back to the mailbox. */
public final class PollingIdle {
    public static final long SLICE_NANOS = 2_000_000;

    private PollingIdle() {}

    public static IdleStrategy strategy() {
        return new BackoffIdleStrategy(20, 10, 1_000, 200_000);
    }
}
