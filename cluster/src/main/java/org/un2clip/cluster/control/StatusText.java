package org.un2clip.cluster.control;

import java.util.Locale;

/** The console's rendering of a {@link RunStatus}. */
public final class StatusText {
    private StatusText() {}

    public static String format(RunStatus s) {
        StringBuilder b = new StringBuilder();
        double percent = s.totalSteps() > 0 ? 100.0 * s.step() / s.totalSteps() : 0;
        b.append(String.format(Locale.ROOT, "run %s  step %d/%d (%.1f%%)  loss %s  lr %.3g  %.1f img/s  ETA %s%n",
                s.run(), s.step(), s.totalSteps(), percent, Double.isNaN(s.loss()) ? "-" : fixed(s.loss()), s.lr(),
                s.imagesPerSecond(), duration(s.etaSeconds())));
        String state = s.stalled() ? "STALLED, waiting on ranks " + s.lateRanks() : s.paused() ? "PAUSED" : "running";
        if (s.paused() && s.stalled()) {
            state = "PAUSED, " + state;
        }
        b.append("state: ").append(state).append('\n');
        b.append("last checkpoint: ").append(s.lastCheckpoint() == null ? "none"
                : "step " + s.lastCheckpoint().step() + " at " + s.lastCheckpoint().path()).append('\n');
        if (s.resumedFrom() != null) {
            RunStatus.Resumed r = s.resumedFrom();
            b.append("resumed from: ").append(r.path() == null ? "no checkpoint verified: started at step 0"
                    : "step " + r.step() + " at " + r.path()).append('\n');
            for (RunStatus.Damaged d : r.skippedDamaged()) {
                b.append("  skipped damaged checkpoint ").append(d.path()).append(": ").append(d.reason()).append('\n');
            }
        }
        b.append("members (").append(s.members().size()).append("):\n");
        for (RunStatus.Member m : s.members()) {
            b.append(String.format(Locale.ROOT, "  %-24s %-8s %s%n", m.address(), m.status(),
                    String.join(",", m.roles())));
        }
        b.append("ranks (").append(s.ranks().size()).append("):\n");
        for (RunStatus.Rank r : s.ranks()) {
            b.append(String.format(Locale.ROOT, "  %3d  %-24s last step %s, %s ago%s%n", r.rank(), r.address(),
                    seconds(r.lastStepSeconds()), seconds(r.secondsSinceLastStep()),
                    s.lateRanks().contains(r.rank()) ? "  LATE" : ""));
        }
        return b.toString();
    }

    private static String fixed(double v) {
        return String.format(Locale.ROOT, "%.6f", v);
    }

    private static String seconds(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.3f s", v);
    }

    /** "1h02m03s", "4m05s", "6s"; "-" when unknown (negative or NaN). */
    static String duration(double seconds) {
        if (!(seconds >= 0) || Double.isInfinite(seconds)) {
            return "-";
        }
        long s = Math.round(seconds);
        if (s >= 3600) {
            return String.format(Locale.ROOT, "%dh%02dm%02ds", s / 3600, s % 3600 / 60, s % 60);
        }
        if (s >= 60) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return s + "s";
    }
}
