package org.un2clip.actors.coordinator;

import java.util.BitSet;

/** What the operator has asked of the run: a pause (and which trainers acknowledged it), a stop, an lr override. */
final class OperatorState {
    boolean paused;
    /** While paused: the first step no trainer may start. */
    long pauseAt = -1;
    /** Ranks that acknowledged the hold at {@link #pauseAt}. */
    final BitSet held = new BitSet();
    boolean stopping;
    /** The learning rate set by `set lr`; NaN: the schedule's. */
    double lrOverride = Double.NaN;

    void pause(long at) {
        paused = true;
        pauseAt = at;
        held.clear();
    }

    void resume() {
        paused = false;
        pauseAt = -1;
        held.clear();
    }

    /** Every live rank acknowledged the hold. */
    boolean allHeld(BitSet live) {
        BitSet missing = (BitSet) live.clone();
        missing.andNot(held);
        return missing.isEmpty();
    }
}
