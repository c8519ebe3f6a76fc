package org.un2clip.actors.serialization;

import java.util.LinkedHashMap;
import java.util.Map;
import org.un2clip.actors.aggregator.ShardProtocol;
import org.un2clip.actors.coordinator.CoordinatorProtocol;
import org.un2clip.actors.coordinator.RunHostProtocol;
import org.un2clip.actors.plan.RunPlan;
import org.un2clip.actors.trainer.DataLoaderProtocol;
import org.un2clip.actors.trainer.TrainerProtocol;

/**
 * The one list of classes that cross the wire, each with a fixed Kryo id: every JVM of a cluster agrees on
 * the ids because they are written here, not assigned in registration order at run time.
 * Append only; never reuse an id.
 */
public final class MessageRegistry {
    private MessageRegistry() {}

    public static Map<Class<?>, Integer> classes() {
        Map<Class<?>, Integer> m = new LinkedHashMap<>();
        m.put(String[].class, 100);
        m.put(long[].class, 101);
        m.put(float[].class, 102);
        m.put(double[].class, 103);
        m.put(int[].class, 104);
        m.put(RunPlan.class, 110);

        m.put(CoordinatorProtocol.RegisterTrainer.class, 200);
        m.put(CoordinatorProtocol.ShardReady.class, 201);
        m.put(CoordinatorProtocol.GradientNorm.class, 202);
        m.put(CoordinatorProtocol.ShardApplied.class, 203);
        m.put(CoordinatorProtocol.StepDone.class, 204);
        m.put(CoordinatorProtocol.NodeFailed.class, 205);
        m.put(CoordinatorProtocol.RequestCheckpoint.class, 206);
        m.put(CoordinatorProtocol.CheckpointDone.class, 207);
        m.put(CoordinatorProtocol.StepDeadline.class, 208);
        m.put(CoordinatorProtocol.Pause.class, 209);
        m.put(CoordinatorProtocol.Resume.class, 210);
        m.put(CoordinatorProtocol.CheckpointNow.class, 211);
        m.put(CoordinatorProtocol.SetLr.class, 212);
        m.put(CoordinatorProtocol.Drain.class, 213);
        m.put(CoordinatorProtocol.Kill.class, 214);
        m.put(CoordinatorProtocol.Stop.class, 215);
        m.put(CoordinatorProtocol.OperatorReply.class, 216);
        m.put(CoordinatorProtocol.HoldAck.class, 217);
        m.put(CoordinatorProtocol.StallCheck.class, 218);
        m.put(CoordinatorProtocol.TrainerLost.class, 219);
        // 220, 221: GetRunConfig, RunConfig (retired: the run host's RunOpen carries the configuration)

        m.put(TrainerProtocol.Begin.class, 300);
        m.put(TrainerProtocol.Poll.class, 301);
        m.put(TrainerProtocol.Shutdown.class, 302);
        m.put(TrainerProtocol.Hold.class, 303);
        m.put(TrainerProtocol.Release.class, 304);
        m.put(TrainerProtocol.Kill.class, 305);
        m.put(TrainerProtocol.Replan.class, 306);
        m.put(TrainerProtocol.LossScale.class, 307);

        m.put(DataLoaderProtocol.Prepare.class, 400);

        m.put(ShardProtocol.Begin.class, 500);
        m.put(ShardProtocol.Poll.class, 501);
        m.put(ShardProtocol.Apply.class, 502);
        m.put(ShardProtocol.Snapshot.class, 503);
        m.put(ShardProtocol.Shutdown.class, 504);
        m.put(ShardProtocol.Replan.class, 505);
        m.put(ShardProtocol.LossScale.class, 506);

        m.put(RunHostProtocol.ToRun.class, 600);
        m.put(RunHostProtocol.AwaitRun.class, 601);
        m.put(RunHostProtocol.RunOpen.class, 602);
        return m;
    }
}
