package org.un2clip.cluster.control;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongPredicate;

/**
 * Executes console lines against a control endpoint and prints the answers. Shared by the interactive
 * console and {@code --exec}; the interactive loop adds only line editing, history and completion.
 */
public final class ConsoleSession {
    /** What a line did: for one-shot exit codes and for the loop to know when to end. */
    public enum Outcome { OK, REFUSED, ERROR, QUIT }

    private final ControlClient client;
    private final PrintWriter out;

    public ConsoleSession(ControlClient client, PrintWriter out) {
        this.client = client;
        this.out = out;
    }

    /**
     * @param keepWatching called between refreshes of {@code watch} with the milliseconds to wait; false ends
     *     the watch (a key press, Ctrl-C, or a test's count)
     */
    public Outcome execute(String line, LongPredicate keepWatching) {
        String trimmed = line.strip();
        String verb = trimmed.isEmpty() ? "" : trimmed.split("\\s+")[0].toLowerCase(Locale.ROOT);
        try {
            switch (verb) {
                case "" -> {
                    return Outcome.OK;
                }
                case "help", "?" -> {
                    out.println(ControlCommand.HELP);
                    return Outcome.OK;
                }
                case "quit", "exit" -> {
                    return Outcome.QUIT;
                }
                case "watch" -> {
                    return watch(trimmed, keepWatching);
                }
                default -> {
                    ControlCommand command = ControlCommand.parse(trimmed);
                    if (command instanceof ControlCommand.Status) {
                        out.print(StatusText.format(client.status()));
                        return Outcome.OK;
                    }
                    ControlReply reply = client.command(command);
                    out.println((reply.accepted() ? "ok: " : "refused: ") + reply.message());
                    return reply.accepted() ? Outcome.OK : Outcome.REFUSED;
                }
            }
        } catch (IllegalArgumentException | ControlClient.ControlException e) {
            out.println("error: " + e.getMessage());
            return Outcome.ERROR;
        } finally {
            out.flush();
        }
    }

    private Outcome watch(String line, LongPredicate keepWatching) {
        String[] w = line.split("\\s+");
        if (w.length > 2) {
            throw new IllegalArgumentException("usage: watch [SECONDS]");
        }
        double period;
        try {
            period = w.length == 2 ? Double.parseDouble(w[1]) : 2.0;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("watch: not a number of seconds: '" + w[1] + "'");
        }
        if (!(period >= 0.1) || Double.isInfinite(period)) {
            throw new IllegalArgumentException("watch: the period must be at least 0.1 s, got " + w[1]);
        }
        long waitMs = Math.round(period * 1000);
        do {
            // Clear screen and home (ANSI), so the table stays in place like top(1).
            out.print("\033[H\033[2J");
            out.print(StatusText.format(client.status()));
            out.flush();
        } while (keepWatching.test(waitMs));
        return Outcome.OK;
    }
}
