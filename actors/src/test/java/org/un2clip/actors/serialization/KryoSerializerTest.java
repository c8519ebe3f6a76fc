package org.un2clip.actors.serialization;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.util.HashSet;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.un2clip.actors.coordinator.CoordinatorProtocol;
import org.un2clip.actors.coordinator.RunHostProtocol;
import org.un2clip.actors.plan.RunPlan;
import org.un2clip.actors.trainer.TrainerProtocol;

class KryoSerializerTest {
    static final ActorTestKit kit = ActorTestKit.create(ConfigFactory.parseString(
            "pekko.actor.serialize-messages = on").withFallback(ConfigFactory.load()));

    @AfterAll
    static void stop() {
        kit.shutdownTestKit();
    }

    private Object roundTrip(Object o) {
        Serialization s = SerializationExtension.get(Adapter.toClassic(kit.system()));
        assertThat(s.findSerializerFor(o)).isInstanceOf(KryoSerializer.class);
        byte[] bytes = s.serialize(o).get();
        return s.deserialize(bytes, KryoSerializer.IDENTIFIER, "").get();
    }

    @Test
    void controlMessagesRoundTripWithActorRefs() {
        TestProbe<TrainerProtocol.Command> probe = kit.createTestProbe();
        var reg = new CoordinatorProtocol.RegisterTrainer(3, probe.getRef(), "127.0.0.1:4000");
        var back = (CoordinatorProtocol.RegisterTrainer) roundTrip(reg);
        assertThat(back.rank()).isEqualTo(3);
        assertThat(back.endpoint()).isEqualTo("127.0.0.1:4000");
        assertThat(back.trainer()).isEqualTo(probe.getRef());

        RunPlan plan = new RunPlan(9, 2, 3, 8, 2, 5, 42, true, 1, 1e-3, 0.01, 0.9, 0.999, 1e-8, "cosine", 2, 1.0,
                1.0, "toy", 64, false, 2000);
        var begin = (TrainerProtocol.Begin) roundTrip(new TrainerProtocol.Begin(plan, 4, new String[] {"a", "b"}));
        assertThat(begin.plan()).isEqualTo(plan);
        assertThat(begin.startStep()).isEqualTo(4);
        assertThat(begin.shardEndpoints()).containsExactly("a", "b");

        assertThat(roundTrip(new TrainerProtocol.LossScale(5, 32768.0))).isEqualTo(new TrainerProtocol.LossScale(5, 32768.0));
        assertThat(roundTrip(new org.un2clip.actors.aggregator.ShardProtocol.LossScale(5, 0.5)))
                .isEqualTo(new org.un2clip.actors.aggregator.ShardProtocol.LossScale(5, 0.5));
        assertThat(roundTrip(new CoordinatorProtocol.GradientNorm(7, 3, 1, 2.5)))
                .isEqualTo(new CoordinatorProtocol.GradientNorm(7, 3, 1, 2.5));
    }

    @Test
    void runHostMessagesRoundTripWithTheirCommand() {
        TestProbe<CoordinatorProtocol.Command> coordinator = kit.createTestProbe();
        TestProbe<RunHostProtocol.RunOpen> trainerNode = kit.createTestProbe();
        var toRun = new RunHostProtocol.ToRun(2, new CoordinatorProtocol.StepDone(1, 2, 0, 0.5, 4, 1, 2, 3, 4, 5));
        assertThat(roundTrip(toRun)).isEqualTo(toRun);
        var await = new RunHostProtocol.AwaitRun(1, trainerNode.getRef());
        assertThat(roundTrip(await)).isEqualTo(await);
        var open = new RunHostProtocol.RunOpen(2, -5L, "train.steps = 3", coordinator.getRef());
        assertThat(roundTrip(open)).isEqualTo(open);
    }

    @Test
    void messagesSentBetweenActorsGoThroughTheSerializer() {
        TestProbe<CoordinatorProtocol.Command> probe = kit.createTestProbe();
        probe.getRef().tell(new CoordinatorProtocol.StepDone(1, 2, 0, 0.5, 4, 1, 2, 3, 4, 5));
        assertThat(probe.receiveMessage()).isEqualTo(new CoordinatorProtocol.StepDone(1, 2, 0, 0.5, 4, 1, 2, 3, 4, 5));
    }

    @Test
    void classIdsAreUnique() {
        assertThat(new HashSet<>(MessageRegistry.classes().values())).hasSize(MessageRegistry.classes().size());
    }
}
