package org.un2clip.actors.trainer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.un2clip.actors.objective.Objectives;
import org.un2clip.actors.plan.SampleAssignment;
import org.un2clip.model.step.TrainingBatch;

/**
 * One per trainer process: makes this rank's micro-batches of a step (its share of the global batch split
 * into micro-batches of at most {@code micro} samples), ahead of the trainer. Stateless between requests,
 * so a failure restarts it.
 */
public final class DataLoader {
    private DataLoader() {}

    public static Behavior<DataLoaderProtocol.Command> create(SampleAssignment assignment, Objectives objectives,
            int rank, int micro) {
        Behavior<DataLoaderProtocol.Command> b = Behaviors.receiveMessage(msg -> {
            if (msg instanceof DataLoaderProtocol.Prepare p) {
                long t0 = System.nanoTime();
                List<TrainingBatch> batches = split(assignment.samples(p.step(), rank, p.live()), assignment,
                        objectives, p.step(), micro);
                p.replyTo().tell(new TrainerProtocol.BatchReady(p.step(), p.generation(), batches,
                        System.nanoTime() - t0));
            }
            return Behaviors.same();
        });
        return Behaviors.supervise(b).onFailure(SupervisorStrategy.restart());
    }

    public static List<TrainingBatch> microBatches(SampleAssignment assignment, Objectives objectives, long step,
            int rank, int world, int micro) {
        return split(assignment.samples(step, rank, world), assignment, objectives, step, micro);
    }

    private static List<TrainingBatch> split(long[] ids, SampleAssignment assignment, Objectives objectives,
            long step, int micro) {
        long epoch = assignment.cursor(step).epoch();
        List<TrainingBatch> out = new ArrayList<>();
        for (int i = 0; i < ids.length; i += micro) {
            out.add(objectives.batch(epoch, Arrays.copyOfRange(ids, i, Math.min(ids.length, i + micro))));
        }
        return out;
    }
}
