package org.un2clip.cluster.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.Test;
import org.un2clip.cluster.node.ClusterConfig;
import org.un2clip.conf.Un2clipConfig;

class LongRunMembershipTest {

    @Test
    void defaultsGiveKeepMajorityAndADetectorInsideTheTenSecondBudget() {
        Config pekko = LongRunMembership.pekko(Un2clipConfig.defaults()).withFallback(ConfigFactory.defaultReference());
        assertThat(pekko.getString("pekko.cluster.split-brain-resolver.active-strategy")).isEqualTo("keep-majority");
        assertThat(pekko.getString("pekko.cluster.downing-provider-class")).endsWith("SplitBrainResolverProvider");
        Duration pause = pekko.getDuration("pekko.cluster.failure-detector.acceptable-heartbeat-pause");
        Duration interval = pekko.getDuration("pekko.cluster.failure-detector.heartbeat-interval");
        // A killed node is marked unreachable after about pause + 2 intervals.
        assertThat(pause.plus(interval.multipliedBy(2))).isLessThanOrEqualTo(Duration.ofSeconds(10));
        assertThat(pekko.getBoolean("pekko.coordinated-shutdown.run-by-jvm-shutdown-hook")).isTrue();
        // The 1 vs 1 tie (coordinator + one trainer) is decided by the coordinator role.
        assertThat(pekko.getString("pekko.cluster.split-brain-resolver.keep-majority.role")).isEqualTo("coordinator");
    }

    @Test
    void everyNodeRunsTheMembershipSection() {
        Config un2clip = with("membership.stable-after=9s");
        for (String role : ClusterConfig.ROLES) {
            Config node = ClusterConfig.of(un2clip, role, 0, List.of("10.1.0.1:25520"));
            assertThat(node.getStringList("pekko.cluster.roles")).containsExactly(role);
            assertThat(node.getString("pekko.cluster.downing-provider-class")).endsWith("SplitBrainResolverProvider");
            assertThat(node.getString("pekko.cluster.split-brain-resolver.active-strategy")).isEqualTo("keep-majority");
            assertThat(node.getString("pekko.cluster.split-brain-resolver.keep-majority.role")).isEqualTo("coordinator");
            assertThat(node.getDuration("pekko.cluster.split-brain-resolver.stable-after")).hasSeconds(9);
            assertThat(node.getDuration("pekko.cluster.failure-detector.acceptable-heartbeat-pause"))
                    .isEqualTo(Un2clipConfig.defaults().getDuration("membership.failure-detector.acceptable-heartbeat-pause"));
            assertThat(node.getDuration("pekko.coordinated-shutdown.phases.cluster-exiting.timeout")).hasSeconds(15);
        }
        assertThatThrownBy(() -> ClusterConfig.of(un2clip, "referee", 0, List.of())).hasMessageContaining("referee");
    }

    @Test
    void badSettingsNameTheirKey() {
        assertThatThrownBy(() -> LongRunMembership.pekko(with("membership.split-brain-resolver=keep-luckiest")))
                .hasMessageContaining("membership.split-brain-resolver").hasMessageContaining("keep-luckiest");
        assertThatThrownBy(() -> LongRunMembership.pekko(
                with("membership.failure-detector.acceptable-heartbeat-pause=1s")))
                .hasMessageContaining("acceptable-heartbeat-pause must be >= 3s");
        assertThatThrownBy(() -> LongRunMembership.pekko(with("membership.failure-detector.heartbeat-interval=3s")))
                .hasMessageContaining("heartbeat-interval");
        assertThatThrownBy(() -> LongRunMembership.pekko(with("membership.split-brain-resolver=keep-referee")))
                .hasMessageContaining("keep-referee");     // not a Pekko 1.7 strategy: it would fail at start
        assertThatThrownBy(() -> LongRunMembership.pekko(with("membership.majority-role=gpu")))
                .hasMessageContaining("membership.majority-role").hasMessageContaining("gpu");
    }

    private static Config with(String override) {
        return Un2clipConfig.load(Optional.empty(), List.of(override));
    }

    @Test
    void aLeavingNodeClosesItsStepThenLeavesTheCluster() throws Exception {
        Config pekko = ConfigFactory.parseString(String.join("\n",
                        "pekko.actor.provider = cluster", "pekko.remote.artery.canonical.hostname = 127.0.0.1",
                        "pekko.remote.artery.canonical.port = 0", "pekko.loglevel = WARNING",
                        "pekko.coordinated-shutdown.exit-jvm = off", "pekko.cluster.jmx.enabled = off"))
                .withFallback(LongRunMembership.pekko(Un2clipConfig.defaults()))
                .withFallback(ConfigFactory.defaultReference());
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "leave-test", pekko);
        Cluster cluster = Cluster.get(system);
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (cluster.selfMember().status() != org.apache.pekko.cluster.MemberStatus.up()
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(cluster.selfMember().status()).isEqualTo(org.apache.pekko.cluster.MemberStatus.up());
        AtomicBoolean stepClosedWhileMember = new AtomicBoolean();
        GracefulLeave.install(system, "trainer-0", () -> {
            stepClosedWhileMember.set(!cluster.isTerminated());
            return CompletableFuture.completedFuture(Done.getInstance());
        });
        // What SIGTERM triggers through the JVM shutdown hook.
        CoordinatedShutdown.get(system).runAll(CoordinatedShutdown.jvmExitReason())
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertThat(stepClosedWhileMember).isTrue();
        assertThat(cluster.isTerminated()).isTrue();
        system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void metricsPortsAreStablePerRank() {
        assertThat(NodeObservability.portFor(0, 3)).isZero();
        assertThat(NodeObservability.portFor(9100, -1)).isEqualTo(9100);
        assertThat(NodeObservability.portFor(9100, 0)).isEqualTo(9101);
        assertThatThrownBy(() -> NodeObservability.portFor(65535, 0)).hasMessageContaining("no port");
    }
}
