package org.un2clip.cluster.control;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/** A RunControl that records the calls it gets and answers with a fixed status (the endpoint is under test). */
public final class FakeRunControl implements RunControl {
    public final List<String> calls = new CopyOnWriteArrayList<>();
    public volatile boolean refuseNext;

    public static RunStatus sampleStatus(double loss) {
        return new RunStatus("fake-run", 5, 10, loss, 1.0e-5, 42.5, 12.0,
                List.of(new RunStatus.Member("127.0.0.1:2551", List.of("coordinator"), "Up"),
                        new RunStatus.Member("127.0.0.1:2552", List.of("trainer"), "Up")),
                List.of(new RunStatus.Rank(0, "127.0.0.1:2552", 0.25, 0.1),
                        new RunStatus.Rank(1, "127.0.0.1:2553", Double.NaN, Double.NaN)),
                new RunStatus.Checkpoint(4, "runs/fake/checkpoints/step-4"), false, true, List.of(1));
    }

    public volatile RunStatus status = sampleStatus(0.125);

    @Override
    public CompletionStage<RunStatus> status() {
        calls.add("status");
        return CompletableFuture.completedFuture(status);
    }

    private CompletionStage<ControlReply> reply(String call) {
        calls.add(call);
        if (refuseNext) {
            refuseNext = false;
            return CompletableFuture.completedFuture(ControlReply.refused(call + " refused"));
        }
        return CompletableFuture.completedFuture(ControlReply.accepted(call + " done"));
    }

    @Override public CompletionStage<ControlReply> pause() { return reply("pause"); }
    @Override public CompletionStage<ControlReply> resume() { return reply("resume"); }
    @Override public CompletionStage<ControlReply> checkpoint() { return reply("checkpoint"); }
    @Override public CompletionStage<ControlReply> setLr(double lr) { return reply("setLr " + lr); }
    @Override public CompletionStage<ControlReply> drain(int rank) { return reply("drain " + rank); }
    @Override public CompletionStage<ControlReply> kill(int rank) { return reply("kill " + rank); }
    @Override public CompletionStage<ControlReply> stop() { return reply("stop"); }
}
