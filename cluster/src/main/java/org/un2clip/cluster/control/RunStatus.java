package org.un2clip.cluster.control;

import java.util.List;

/**
 * A snapshot of a run for the operator.
 *
 * @param run the run's name (run.name)
 * @param step completed global steps
 * @param totalSteps steps the run will do
 * @param loss loss of the last completed step (NaN before the first)
 * @param lr learning rate of the next step
 * @param imagesPerSecond throughput over recent steps
 * @param etaSeconds estimated seconds to the last step (negative when unknown)
 * @param members cluster members with their roles
 * @param ranks one entry per trainer rank still training
 * @param lastCheckpoint the newest complete checkpoint, or null before the first
 * @param paused true while paused by the operator
 * @param stalled true while a step waits on late ranks beyond the stall bound
 * @param lateRanks the ranks a stalled step waits on
 * @param resumedFrom where this coordinator process resumed the run from (and which damaged checkpoints it
 *                    skipped), or null when it started the run fresh
 */
public record RunStatus(String run, long step, long totalSteps, double loss, double lr, double imagesPerSecond,
        double etaSeconds, List<Member> members, List<Rank> ranks, Checkpoint lastCheckpoint, boolean paused,
        boolean stalled, List<Integer> lateRanks, Resumed resumedFrom) {

    public RunStatus {
        members = List.copyOf(members);
        ranks = List.copyOf(ranks);
        lateRanks = List.copyOf(lateRanks);
    }

    /** A run that did not resume (or a view that does not know). */
    public RunStatus(String run, long step, long totalSteps, double loss, double lr, double imagesPerSecond,
            double etaSeconds, List<Member> members, List<Rank> ranks, Checkpoint lastCheckpoint, boolean paused,
            boolean stalled, List<Integer> lateRanks) {
        this(run, step, totalSteps, loss, lr, imagesPerSecond, etaSeconds, members, ranks, lastCheckpoint, paused,
                stalled, lateRanks, null);
    }

    /** A cluster member: its address ("host:port"), roles and Pekko member status (Up, Leaving, ...). */
    public record Member(String address, List<String> roles, String status) {
        public Member {
            roles = List.copyOf(roles);
        }
    }

    /**
     * A trainer rank: its node, the duration of its last step and how long ago it finished one.
     * NaN durations: not known yet.
     */
    public record Rank(int rank, String address, double lastStepSeconds, double secondsSinceLastStep) {}

    /** A complete checkpoint: the step it holds and where it is. */
    public record Checkpoint(long step, String path) {}

    /**
     * A resume: the step and folder of the checkpoint used (step 0 and path null when none verified, so the
     * run started over), and the newer checkpoints skipped because they failed verification, newest first.
     */
    public record Resumed(long step, String path, List<Damaged> skippedDamaged) {
        public Resumed {
            skippedDamaged = List.copyOf(skippedDamaged);
        }

        /** From what {@link org.un2clip.actors.checkpoint.CheckpointStore#restore()} found. */
        public static Resumed of(org.un2clip.actors.checkpoint.CheckpointStore.Restore r) {
            return new Resumed(r.state().map(s -> s.step()).orElse(0L),
                    r.checkpoint() == null ? null : r.checkpoint().toString(),
                    r.skipped().stream().map(d -> new Damaged(d.checkpoint().toString(), d.reason())).toList());
        }
    }

    /** A checkpoint that failed verification, and why. */
    public record Damaged(String path, String reason) {}
}
