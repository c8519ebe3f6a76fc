package org.un2clip.cluster.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.un2clip.cluster.control.ControlClient;
import org.un2clip.cluster.control.ControlCommand;
import org.un2clip.cluster.control.ControlToken;
import org.un2clip.conf.KeyedRandom;

/**
 * A soak: a local cluster under {@code bin/un2clip-cluster} supervision trains for a while and a fault is
 * injected every few minutes, drawn from a seeded schedule (KeyedRandom(seed, 0, fault index, OTHER)):
 * a trainer SIGKILLed and a replacement started, a trainer frozen (SIGSTOP, SIGCONT once removed, then
 * replaced), the coordinator SIGKILLed (the supervisor restarts the run from its newest checkpoint), or the
 * coordinator SIGKILLed with its newest checkpoint damaged (truncated or one bit flipped) so that the restart
 * must skip it. Faults never overlap: each is recovered (or given up on) before the next. At the end the run
 * is stopped through the control endpoint and {@link SoakReport} is written to the run folder.
 */
public final class Soak {
    /** What can go wrong, in the order the schedule draws them. */
    public enum Fault { TRAINER_KILL, TRAINER_STALL, COORDINATOR_KILL, CHECKPOINT_DAMAGE }

    /** One scheduled fault: when (seconds after the cluster is up), what, which trainer, how to damage. */
    public record Planned(int index, double atSeconds, Fault fault, int rank, boolean truncate, double position) {}

    /**
     * @param minutes     how long faults are injected (the run is stopped after that)
     * @param faultEvery  mean seconds between faults (each gap uniform in [0.75, 1.25] × this)
     * @param settle      seconds of normal training after a recovery before the next fault (a fault whose time
     *                    came while the previous one was still recovering waits this long)
     * @param recoverWithin a fault not recovered within this is recorded as not recovered and the soak ends
     * @param datasetSize samples per epoch of the run (the accounting checks every complete epoch against it)
     */
    public record Settings(Path root, Path runDir, String config, List<String> sets, int trainers, long seed,
            double minutes, double faultEvery, double settle, Duration recoverWithin, int maxRestarts, long datasetSize,
            long globalBatch) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Settings s;
    private final PrintStream out;
    private final NodeLogs coordinatorLogs;

    public Soak(Settings settings, PrintStream out) {
        this.s = settings;
        this.out = out;
        this.coordinatorLogs = new NodeLogs(settings.runDir().resolve("logs"), "coordinator");
    }

    /** The fault schedule of a seed: the same seed, the same faults at the same offsets. */
    public static List<Planned> schedule(long seed, double minutes, double faultEvery, int trainers) {
        List<Planned> plan = new ArrayList<>();
        double t = 0;
        for (int i = 0; ; i++) {
            KeyedRandom r = KeyedRandom.of(seed, 0, i, KeyedRandom.Purpose.OTHER);
            t += faultEvery * (0.75 + 0.5 * r.nextDouble());
            if (t > minutes * 60) {
                return plan;
            }
            Fault f = Fault.values()[r.nextInt(Fault.values().length)];
            plan.add(new Planned(i, t, f, r.nextInt(trainers), r.nextInt(2) == 0, r.nextDouble()));
        }
    }

    public SoakReport run() throws Exception {
        Files.createDirectories(s.runDir());
        List<Planned> plan = schedule(s.seed(), s.minutes(), s.faultEvery(), s.trainers());
        say("schedule (seed " + s.seed() + "): " + plan.size() + " faults over " + s.minutes() + " min");
        for (Planned p : plan) {
            say(String.format("  #%d at %.0f s: %s%s", p.index(), p.atSeconds(), p.fault(),
                    p.fault() == Fault.TRAINER_KILL || p.fault() == Fault.TRAINER_STALL ? " rank " + p.rank() : ""));
        }
        List<String> up = new ArrayList<>(List.of("up", "--local", Integer.toString(s.trainers()), "--config",
                s.config(), "--run-dir", s.runDir().toString(), "--port", "0", "--max-restarts",
                Integer.toString(s.maxRestarts())));
        for (String kv : s.sets()) {
            up.add("--set");
            up.add(kv);
        }
        Instant started = Instant.now();
        String upOut = cluster(up.toArray(String[]::new));
        say(upOut.strip());
        long t0 = System.nanoTime();
        List<SoakReport.FaultOutcome> outcomes = new ArrayList<>();
        boolean healthy = true;
        long settled = t0;
        for (Planned p : plan) {
            long at = Math.max(t0 + (long) (p.atSeconds() * 1e9), settled);
            if (at > t0 + (long) (s.minutes() * 60e9)) {
                say("fault #" + p.index() + " and later: past the soak's end after slow recoveries, not injected");
                break;
            }
            long wait = at - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000);
            }
            say(String.format("fault #%d (%s) at %.0f s", p.index(), p.fault(), (System.nanoTime() - t0) / 1e9));
            SoakReport.FaultOutcome o = inject(p);
            outcomes.add(o);
            settled = System.nanoTime() + (long) (s.settle() * 1e9);
            say("  -> " + o);
            if (!o.recovered()) {
                healthy = false;
                say("not recovered: the soak ends here");
                break;
            }
        }
        long remaining = t0 + (long) (s.minutes() * 60e9) - System.nanoTime();
        if (healthy && remaining > 0) {
            Thread.sleep(remaining / 1_000_000);
        }
        String stop = stopRun();
        say("stop: " + stop);
        cluster("down", "--run-dir", s.runDir().toString(), "--timeout", "20");
        SoakReport report = SoakReport.of(s, started, Instant.now(), plan.size(), outcomes, stop,
                SampleAccounting.of(s.runDir().resolve("metrics.jsonl")), s.datasetSize(), s.globalBatch());
        report.write(s.runDir());
        say("report: " + s.runDir().resolve("soak-report.md") + " and soak-report.json");
        return report;
    }

    // ---- faults ----

    private SoakReport.FaultOutcome inject(Planned p) throws Exception {
        return switch (p.fault()) {
            case TRAINER_KILL -> trainerFault(p, false);
            case TRAINER_STALL -> trainerFault(p, true);
            case COORDINATOR_KILL -> coordinatorFault(p, false);
            case CHECKPOINT_DAMAGE -> coordinatorFault(p, true);
        };
    }

    /** SIGKILL (or SIGSTOP) trainer R; wait until the coordinator removes it; start a replacement; wait until it rejoined. */
    private SoakReport.FaultOutcome trainerFault(Planned p, boolean stall) throws Exception {
        String node = "trainer-" + p.rank();
        long pid = pid(node);
        String lost = "trainer " + p.rank() + " lost";
        String rejoined = "rank " + p.rank() + " rejoined";
        int lostBefore = count(coordinatorLog(), lost);
        int rejoinedBefore = count(coordinatorLog(), rejoined);
        int stalledBefore = count(coordinatorLog(), "stalled: open for");
        long maxStep = maxStep();
        long t = System.nanoTime();
        signal(pid, stall ? "STOP" : "KILL");
        double named = Double.NaN;
        long deadline = t + s.recoverWithin().toNanos();
        while (count(coordinatorLog(), lost) == lostBefore && System.nanoTime() < deadline) {
            if (stall && Double.isNaN(named) && count(coordinatorLog(), "stalled: open for") > stalledBefore) {
                named = (System.nanoTime() - t) / 1e9;
            }
            Thread.sleep(100);
        }
        if (count(coordinatorLog(), lost) == lostBefore) {
            if (stall) {
                signal(pid, "CONT");
            }
            return outcome(p, node, t, Double.NaN, named, false, 0, "the coordinator never reported '" + lost + "'");
        }
        double detected = (System.nanoTime() - t) / 1e9;
        if (stall) {
            // Removed from the run (its member downed): let it run again so it can see that and exit.
            signal(pid, "CONT");
            if (!awaitTrue(30, () -> !alive(pid))) {
                signal(pid, "KILL");
                awaitTrue(10, () -> !alive(pid));
            }
        } else {
            awaitTrue(10, () -> !alive(pid));
        }
        String restart = cluster("restart", "--run-dir", s.runDir().toString(), node);
        boolean joined = awaitTrue(remainingSeconds(deadline), () -> count(coordinatorLog(), rejoined) > rejoinedBefore);
        long atRejoin = maxStep();
        int lostAfterRejoin = count(coordinatorLog(), lost);
        // Recovered = the replacement is still in the run 3 steps after it rejoined (not removed again, e.g. as stalled).
        boolean back = joined && awaitTrue(remainingSeconds(deadline), () -> maxStep() > atRejoin + 2)
                && count(coordinatorLog(), lost) == lostAfterRejoin;
        String how = occurrence(coordinatorLog(), lost, lostBefore);
        String detail = (stall ? "SIGSTOP; " + (Double.isNaN(named) ? "not named stalled before removal, "
                : "named stalled after " + fmt(named) + " s, ") : "SIGKILL; ")
                + "removed after " + fmt(detected) + " s (" + how + "); replacement " + (back ? "rejoined"
                : joined ? "rejoined but was removed again within 3 steps" : "did NOT rejoin: " + restart.strip());
        return outcome(p, node, t, detected, named, back, 0, detail);
    }

    /** SIGKILL the coordinator (and damage its newest checkpoint); the supervisor restarts the run. */
    private SoakReport.FaultOutcome coordinatorFault(Planned p, boolean damage) throws Exception {
        long pid = pid("coordinator");
        int restartsBefore = restarts().size();
        long maxStep = maxStep();
        long t = System.nanoTime();
        signal(pid, "KILL");
        String damaged = null;
        if (damage) {
            // The supervisor needs a poll, the trainers' stop and a JVM start before it reads the checkpoints.
            damaged = damageNewestCheckpoint(p);
        }
        long deadline = t + s.recoverWithin().toNanos();
        if (!awaitTrue(remainingSeconds(deadline), () -> restarts().size() > restartsBefore)) {
            return outcome(p, "coordinator", t, Double.NaN, Double.NaN, false, 0,
                    "no restart recorded in restarts.jsonl (supervisor log: " + s.runDir().resolve("logs/supervisor.log")
                            + ")");
        }
        JsonNode r = restarts().get(restartsBefore);
        double detected = r.get("detected_epoch_s").asDouble() - (System.currentTimeMillis() / 1e3
                - (System.nanoTime() - t) / 1e9);
        long resumed = r.get("resumed_step").asLong();
        boolean progressed = awaitTrue(remainingSeconds(deadline), () -> maxStep() > maxStep);
        double recovered = (System.nanoTime() - t) / 1e9;
        long redone = Math.max(0, maxStep + 1 - resumed);
        String detail = "SIGKILL; supervisor detected it after " + fmt(detected) + " s, cluster up again "
                + r.get("back_up_s").asText() + " s after that, resumed from step " + resumed + " ("
                + r.get("checkpoint").asText() + "), trained past step " + maxStep + " again after " + fmt(recovered)
                + " s";
        boolean ok = progressed;
        if (damage) {
            boolean skipped = r.get("skipped_damaged").asInt() >= 1 && damaged != null
                    && !r.get("checkpoint").asText().equals(damaged);
            detail += damaged == null ? "; no checkpoint existed yet to damage" : "; damaged " + damaged
                    + (skipped ? ": skipped by the resume (" + r.get("skipped_damaged") + " damaged)"
                    : ": NOT reported as skipped");
            ok &= damaged == null || skipped;
        }
        return outcome(p, "coordinator", t, detected, Double.NaN, ok, redone, detail);
    }

    /** Truncates the newest checkpoint's optimizer file, or flips one bit at a drawn position; returns its folder. */
    private String damageNewestCheckpoint(Planned p) throws IOException {
        Path dir = s.runDir().resolve("checkpoints");
        Path newest;
        try (Stream<Path> list = Files.list(dir)) {
            newest = list.filter(x -> x.getFileName().toString().matches("step-\\d{8}")).sorted()
                    .reduce((a, b) -> b).orElse(null);
        }
        if (newest == null) {
            return null;
        }
        Path file = newest.resolve("optimizer.safetensors");
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            if (p.truncate()) {
                f.setLength((long) (f.length() * p.position()));
            } else {
                long at = Math.min(f.length() - 1, (long) (f.length() * p.position()));
                f.seek(at);
                int b = f.read();
                f.seek(at);
                f.write(b ^ 0x04);
            }
        }
        say("  damaged " + file + (p.truncate() ? " (truncated)" : " (one bit flipped)"));
        return newest.toString();
    }

    private String stopRun() {
        try {
            String address = Files.readString(s.runDir().resolve("control.address")).strip();
            var reply = new ControlClient(address, ControlToken.readFrom(s.runDir().resolve("control.token")))
                    .command(new ControlCommand.Stop());
            boolean done = awaitTrue(600, () -> coordinatorLog().contains("done: "));
            return reply.message() + (done ? "; " + line(coordinatorLog(), "done: ") : "; no done line within 600 s");
        } catch (Exception e) {
            return "stop failed: " + e.getMessage();
        }
    }

    // ---- helpers ----

    private SoakReport.FaultOutcome outcome(Planned p, String target, long t, double detected, double named,
            boolean recovered, long redone, String detail) {
        return new SoakReport.FaultOutcome(p.index(), p.fault().name(), target,
                Instant.now().minusNanos(System.nanoTime() - t).toString(), detected, named,
                (System.nanoTime() - t) / 1e9, recovered, redone, detail);
    }

    private String cluster(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", s.root().resolve("bin/un2clip-cluster").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        // JVM + DJL start-up on a busy machine can outlast the script's default 120 s wait.
        pb.environment().putIfAbsent("UN2CLIP_UP_TIMEOUT", "300");
        Process proc = pb.start();
        String text = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        proc.waitFor(10, TimeUnit.MINUTES);
        if (proc.exitValue() != 0 && args[0].equals("up")) {
            throw new IllegalStateException("bin/un2clip-cluster up failed:\n" + text);
        }
        return text;
    }

    private long pid(String node) throws IOException {
        return Long.parseLong(Files.readString(s.runDir().resolve("cluster/" + node + ".pid")).strip());
    }

    private static void signal(long pid, String sig) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).inheritIO().start().waitFor();
    }

    /** Alive and not a zombie (orphans are not always reaped on this kind of machine). */
    private static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return !stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException e) {
            return false;
        }
    }

    /** The coordinator's log with the files it rotated into (restarts, a rolling appender), oldest first. */
    private String coordinatorLog() {
        try {
            return coordinatorLogs.read();
        } catch (IOException e) {
            return "";
        }
    }

    /** How often needle occurs in text (the soak's way of seeing a log line appear). */
    static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    /** The rest of the line of the n-th (0-based) occurrence of needle, up to its first ')'. */
    private static String occurrence(String text, String needle, int n) {
        int i = text.indexOf(needle);
        for (int k = 0; k < n && i >= 0; k++) {
            i = text.indexOf(needle, i + 1);
        }
        if (i < 0) {
            return "";
        }
        int end = text.indexOf(')', i);
        int eol = text.indexOf('\n', i);
        return text.substring(i, end >= 0 && (eol < 0 || end < eol) ? end + 1 : eol < 0 ? text.length() : eol);
    }

    private static String line(String text, String needle) {
        int i = text.indexOf(needle);
        int end = text.indexOf('\n', i);
        return i < 0 ? "" : text.substring(i, end < 0 ? text.length() : end);
    }

    /** The highest step in metrics.jsonl (its last line: steps are written in order within one coordinator). */
    private long maxStep() {
        try {
            Path m = s.runDir().resolve("metrics.jsonl");
            if (!Files.exists(m)) {
                return -1;
            }
            List<String> lines = Files.readAllLines(m);
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (!lines.get(i).isBlank()) {
                    try {
                        return JSON.readTree(lines.get(i)).get("step").asLong();
                    } catch (IOException e) {
                        // A line being written: the one before.
                    }
                }
            }
            return -1;
        } catch (IOException e) {
            return -1;
        }
    }

    private List<JsonNode> restarts() {
        List<JsonNode> out = new ArrayList<>();
        try {
            Path f = s.runDir().resolve("restarts.jsonl");
            if (Files.exists(f)) {
                for (String l : Files.readAllLines(f)) {
                    out.add(JSON.readTree(l));
                }
            }
        } catch (IOException e) {
            // Being written: the next poll reads it whole.
        }
        return out;
    }

    private static long remainingSeconds(long deadlineNanos) {
        return Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000_000L);
    }

    private static boolean awaitTrue(long seconds, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(100);
        }
        return true;
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "-" : String.format(java.util.Locale.ROOT, "%.2f", v);
    }

    private void say(String line) {
        out.println(Instant.now() + " soak: " + line);
        out.flush();
    }
}
