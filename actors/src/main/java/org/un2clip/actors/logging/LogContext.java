package org.un2clip.actors.logging;

import org.slf4j.MDC;

/**
 * The structured context of log lines: MDC keys {@code run}, {@code node}, {@code rank} and {@code step},
 * printed by conf/logback.xml. The MDC is per thread: a node sets run/node/rank on each thread that logs
 * (actor behaviors: at setup and in {@code Behaviors.withMdc}), and the step where a step is handled.
 */
public final class LogContext {
    public static final String RUN = "run";
    public static final String NODE = "node";
    public static final String RANK = "rank";
    public static final String STEP = "step";

    private LogContext() {}

    /** @param rank the trainer rank, or a negative number for a node without one */
    public static void node(String run, String node, int rank) {
        MDC.put(RUN, run);
        MDC.put(NODE, node);
        if (rank >= 0) {
            MDC.put(RANK, Integer.toString(rank));
        } else {
            MDC.remove(RANK);
        }
    }

    public static void step(long step) {
        MDC.put(STEP, Long.toString(step));
    }

    public static void clearStep() {
        MDC.remove(STEP);
    }
}
