package org.un2clip.cluster.control;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.un2clip.actors.checkpoint.CheckpointStore;
import org.un2clip.cluster.report.MetricsJsonl;
import org.un2clip.cluster.report.StepRecord;

/**
 * A read-only {@link RunControl} that observes a run from outside its coordinator: progress from the
 * tail of metrics.jsonl, members from this node's view of the Pekko Cluster, the newest checkpoint from
 * the checkpoint folder. It lets the console show {@code status}/{@code watch} of any run; every command
 * is refused until the coordinator implements RunControl itself (paused/stalled are not observable from
 * outside and read false).
 */
public final class ObservedRunControl implements RunControl {
    /** Steps averaged for images/s and the ETA. */
    private static final int WINDOW = 20;
    private final ClassicActorSystemProvider system;
    private final String run;
    private final long totalSteps;
    private final Path metrics;
    private final CheckpointStore checkpoints;

    public ObservedRunControl(ClassicActorSystemProvider system, Config c) {
        this.system = system;
        this.run = c.getString("run.name");
        this.totalSteps = c.getLong("train.steps");
        Path runDir = Path.of(c.getString("run.dir"));
        this.metrics = runDir.resolve("metrics.jsonl");
        this.checkpoints = new CheckpointStore(runDir.resolve("checkpoints"), c.getInt("checkpoint.keep"));
    }

    @Override
    public CompletionStage<RunStatus> status() {
        try {
            return CompletableFuture.completedFuture(observe());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private RunStatus observe() {
        List<StepRecord> recent = MetricsJsonl.tail(metrics, WINDOW);
        long done = recent.isEmpty() ? 0 : recent.get(recent.size() - 1).step() + 1;
        double loss = recent.isEmpty() ? Double.NaN : recent.get(recent.size() - 1).loss();
        double lr = recent.isEmpty() ? Double.NaN : recent.get(recent.size() - 1).lr();
        double seconds = recent.stream().mapToDouble(StepRecord::stepSeconds).filter(Double::isFinite).sum();
        double rate = recent.stream().mapToDouble(StepRecord::imagesPerSecond).filter(Double::isFinite).average()
                .orElse(Double.NaN);
        double eta = recent.isEmpty() || seconds <= 0 ? -1 : seconds / recent.size() * (totalSteps - done);
        List<RunStatus.Rank> ranks = new ArrayList<>();
        if (!recent.isEmpty()) {
            recent.get(recent.size() - 1).rankStepSeconds()
                    .forEach((rank, s) -> ranks.add(new RunStatus.Rank(rank, "", s, Double.NaN)));
        }
        return new RunStatus(run, done, totalSteps, loss, lr, rate, eta, ClusterMembers.of(system), ranks, newestCheckpoint(),
                false, false, List.of());
    }

    private RunStatus.Checkpoint newestCheckpoint() {
        try {
            List<Path> list = checkpoints.list();
            if (list.isEmpty()) {
                return null;
            }
            Path newest = list.get(0);
            return new RunStatus.Checkpoint(Long.parseLong(newest.getFileName().toString().substring(5)),
                    newest.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + checkpoints.root() + ": " + e.getMessage(), e);
        }
    }

    private static CompletionStage<ControlReply> notYet(String what) {
        return CompletableFuture.completedFuture(ControlReply.refused(what
                + ": this run's coordinator does not take control commands (read-only status)"));
    }

    @Override public CompletionStage<ControlReply> pause() { return notYet("pause"); }
    @Override public CompletionStage<ControlReply> resume() { return notYet("resume"); }
    @Override public CompletionStage<ControlReply> checkpoint() { return notYet("checkpoint"); }
    @Override public CompletionStage<ControlReply> setLr(double lr) { return notYet("set lr"); }
    @Override public CompletionStage<ControlReply> drain(int rank) { return notYet("drain"); }
    @Override public CompletionStage<ControlReply> kill(int rank) { return notYet("kill"); }
    @Override public CompletionStage<ControlReply> stop() { return notYet("stop"); }
}
