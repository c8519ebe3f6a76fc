package org.un2clip.cluster.control;

import java.util.List;
import java.util.Locale;

/**
 * The commands of the control protocol, as the console types them and as the endpoint routes them. Each
 * knows its HTTP method and path; {@link #parse(String)} is the console grammar.
 */
public sealed interface ControlCommand {

    /** The console's command words, for help and completion. */
    List<String> WORDS = List.of("status", "watch", "pause", "resume", "checkpoint", "set", "drain", "kill", "stop",
            "help", "quit");

    String HELP = String.join("\n",
            "status          run, step, loss, lr, images/s, ETA, members, per-rank step times, last checkpoint",
            "watch [SEC]     status, refreshed every SEC seconds (default 2) until Ctrl-C / Enter",
            "pause           finish the open step, then wait",
            "resume          continue after pause",
            "checkpoint      write a checkpoint after the current step",
            "set lr V        use learning rate V from the next step on",
            "drain RANK      trainer RANK leaves after the current step",
            "kill RANK       kill trainer RANK at once (fault drills)",
            "stop            checkpoint, then stop every node",
            "help            this list",
            "quit            leave the console (the run goes on)");

    /** "GET" or "POST". */
    default String method() {
        return "POST";
    }

    /** Path and query of the request, e.g. {@code /drain/3}. */
    String path();

    record Status() implements ControlCommand {
        @Override public String method() { return "GET"; }
        @Override public String path() { return "/status"; }
    }

    record Pause() implements ControlCommand {
        @Override public String path() { return "/pause"; }
    }

    record Resume() implements ControlCommand {
        @Override public String path() { return "/resume"; }
    }

    record Checkpoint() implements ControlCommand {
        @Override public String path() { return "/checkpoint"; }
    }

    record SetLr(double lr) implements ControlCommand {
        public SetLr {
            if (!Double.isFinite(lr) || lr < 0) {
                throw new IllegalArgumentException("learning rate must be a finite number >= 0, got " + lr);
            }
        }

        @Override public String path() { return "/lr/" + lr; }
    }

    record Drain(int rank) implements ControlCommand {
        public Drain {
            checkRank(rank);
        }

        @Override public String path() { return "/drain/" + rank; }
    }

    record Kill(int rank) implements ControlCommand {
        public Kill {
            checkRank(rank);
        }

        @Override public String path() { return "/kill/" + rank; }
    }

    record Stop() implements ControlCommand {
        @Override public String path() { return "/stop"; }
    }

    private static void checkRank(int rank) {
        if (rank < 0) {
            throw new IllegalArgumentException("rank must be >= 0, got " + rank);
        }
    }

    /**
     * Parses one remote command as typed in the console ({@code watch}, {@code help} and {@code quit} are the
     * console's own and not parsed here).
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    static ControlCommand parse(String line) {
        String[] w = line.strip().split("\\s+");
        String verb = w[0].toLowerCase(Locale.ROOT);
        return switch (verb) {
            case "status" -> noArgs(w, new Status());
            case "pause" -> noArgs(w, new Pause());
            case "resume" -> noArgs(w, new Resume());
            case "checkpoint" -> noArgs(w, new Checkpoint());
            case "stop" -> noArgs(w, new Stop());
            case "set" -> {
                if (w.length != 3 || !w[1].equalsIgnoreCase("lr")) {
                    throw new IllegalArgumentException("usage: set lr V");
                }
                yield new SetLr(number(w[2], "learning rate"));
            }
            case "drain" -> new Drain(rankArg(w, "drain"));
            case "kill" -> new Kill(rankArg(w, "kill"));
            case "" -> throw new IllegalArgumentException("empty command (try help)");
            default -> throw new IllegalArgumentException("unknown command '" + w[0] + "' (try help)");
        };
    }

    /**
     * Maps a request's method and path back to a command; the endpoint's whole routing table.
     *
     * @throws java.util.NoSuchElementException for a path that is not a command (the endpoint answers 404)
     * @throws IllegalArgumentException for a bad argument (400)
     * @throws UnsupportedOperationException for the wrong method (405)
     */
    static ControlCommand route(String method, String path) {
        String[] p = path.replaceAll("^/+|/+$", "").split("/");
        ControlCommand c = switch (p.length == 1 ? p[0] : p[0] + "/") {
            case "status" -> new Status();
            case "pause" -> new Pause();
            case "resume" -> new Resume();
            case "checkpoint" -> new Checkpoint();
            case "stop" -> new Stop();
            case "lr/" -> p.length == 2 ? new SetLr(number(p[1], "learning rate")) : null;
            case "drain/" -> p.length == 2 ? new Drain(integer(p[1])) : null;
            case "kill/" -> p.length == 2 ? new Kill(integer(p[1])) : null;
            default -> null;
        };
        if (c == null) {
            throw new java.util.NoSuchElementException("no such command: " + path);
        }
        if (!c.method().equals(method)) {
            throw new UnsupportedOperationException(c.path() + " takes " + c.method() + ", not " + method);
        }
        return c;
    }

    private static ControlCommand noArgs(String[] w, ControlCommand c) {
        if (w.length != 1) {
            throw new IllegalArgumentException(w[0] + " takes no arguments");
        }
        return c;
    }

    private static int rankArg(String[] w, String verb) {
        if (w.length != 2) {
            throw new IllegalArgumentException("usage: " + verb + " RANK");
        }
        return integer(w[1]);
    }

    private static int integer(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a rank: '" + s + "'");
        }
    }

    private static double number(String s, String what) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a " + what + ": '" + s + "'");
        }
    }

    /** Calls the matching method of the run (Java 17: no pattern switch yet). */
    static java.util.concurrent.CompletionStage<?> apply(ControlCommand c, RunControl run) {
        if (c instanceof Status) {
            return run.status();
        } else if (c instanceof Pause) {
            return run.pause();
        } else if (c instanceof Resume) {
            return run.resume();
        } else if (c instanceof Checkpoint) {
            return run.checkpoint();
        } else if (c instanceof SetLr s) {
            return run.setLr(s.lr());
        } else if (c instanceof Drain d) {
            return run.drain(d.rank());
        } else if (c instanceof Kill k) {
            return run.kill(k.rank());
        } else if (c instanceof Stop) {
            return run.stop();
        }
        throw new IllegalStateException("unhandled command " + c);
    }
}
