package org.un2clip.actors;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.un2clip.actors.coordinator.Coordinator;
import org.un2clip.actors.coordinator.CoordinatorProtocol;
import org.un2clip.actors.coordinator.RunResult;
import org.un2clip.actors.coordinator.RunSettings;
import org.un2clip.actors.coordinator.ShardFactory;
import org.un2clip.actors.objective.Objectives;
import org.un2clip.actors.plan.RunPlan;
import org.un2clip.actors.trainer.Trainer;
import org.un2clip.actors.trainer.TrainerProtocol;
import org.un2clip.actors.transport.TensorLink;
import org.un2clip.actors.transport.TransportSettings;
import org.un2clip.model.step.StepFunction;
import org.un2clip.model.step.TrainingBatch;

/**
 * Stall detection around a replacement trainer: the Coordinator with its real shard and real in-JVM trainers
 * on the toy objective, whose steps are paced so that the median step time, and with it the stall bound
 * (stall-factor × median), is known. A replacement whose first step (its warm-up) takes several bounds is
 * named but not removed; once it has reported, freezing it (as SIGSTOP would) gets it named after one bound
 * and removed after two.
 */
class StallDetectionTest {
    static final ActorTestKit kit = ActorTestKit.create(ConfigFactory.parseString(
            "pekko.actor.serialize-messages = on").withFallback(ConfigFactory.load()));
    static TensorLink link;
    /** Every step's compute time: long against the runtime's own milliseconds, so it sets the median. */
    static final long STEP_MS = 150;
    static final double STALL_FACTOR = 5;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        link = TensorLink.embedded(TransportSettings.defaults().withChunkBytes(4096));
    }

    @AfterAll
    static void stop() {
        kit.shutdownTestKit();
        link.close();
    }

    /**
     * One trainer's pace: its first step takes {@code warmUpMs} (a replacement's JVM and objective warm-up),
     * every later one {@link #STEP_MS}; while frozen it does not finish a step (as if SIGSTOPped).
     */
    static final class Pace {
        final long warmUpMs;
        volatile boolean frozen;

        Pace(long warmUpMs) {
            this.warmUpMs = warmUpMs;
        }

        Objectives around(Objectives inner) {
            return new Objectives() {
                @Override
                public StepFunction create() {
                    StepFunction f = inner.create();
                    return new StepFunction() {
                        boolean first = true;

                        @Override
                        public long parameterCount() {
                            return f.parameterCount();
                        }

                        @Override
                        public void initialParameters(FloatBuffer out) {
                            f.initialParameters(out);
                        }

                        @Override
                        public StepResult step(FloatBuffer parameters, TrainingBatch batch, FloatBuffer gradients) {
                            sleep(first ? warmUpMs : STEP_MS);
                            first = false;
                            while (frozen) {
                                sleep(10);
                            }
                            return f.step(parameters, batch, gradients);
                        }

                        @Override
                        public void close() {
                            f.close();
                        }
                    };
                }

                @Override
                public TrainingBatch batch(long epoch, long[] sampleIds) {
                    return inner.batch(epoch, sampleIds);
                }

                @Override
                public void writeEncoder(float[] flat, Path file, String format) throws IOException {
                    inner.writeEncoder(flat, file, format);
                }
            };
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aReplacementSlowInItsWarmUpStaysAndOneFrozenAfterItIsRemovedWithinTheBound() {
        long runId = 7100;
        // One micro-batch per rank's share at W = 1 and W = 2, so a step is one paced call either way.
        RunPlan plan = new RunPlan(runId, 2, 1, 4, 4, 1_000_000, 42, false, 0, 0.1, 0.01, 0.9, 0.999, 1e-8,
                "constant", 0, 0.0, 1.0, "toy", 64, false, 2000);
        var config = org.un2clip.conf.Un2clipConfig.load(Optional.empty(), List.of("run.dir=" + tmp,
                "train.objective=toy", "train.toy.dim=8", "train.stall-factor=" + STALL_FACTOR,
                "train.stall-floor=100ms"));
        Objectives toy = Objectives.of(config);
        CompletableFuture<RunResult> done = new CompletableFuture<>();
        ActorRef<CoordinatorProtocol.Command> coordinator = kit.spawn(Coordinator.create(plan,
                RunSettings.from(config), ShardFactory.onLink(link, "ipc"), toy, Optional.empty(), null, done), "coordinator-" + runId);
        ActorRef<TrainerProtocol.Command> t0 = trainer(0, new Pace(STEP_MS), toy, coordinator, runId, "a");
        ActorRef<TrainerProtocol.Command> t1 = trainer(1, new Pace(STEP_MS), toy, coordinator, runId, "a");
        TestProbe<CoordinatorProtocol.Status> probe = kit.createTestProbe();
        Pace replacementPace = null;
        try {
            await(coordinator, probe, 30, "10 steps over both ranks", s -> s.step() >= 10 && live(s).length == 2);

            // Rank 1 lost (its actor stops): the run goes on over rank 0.
            kit.stop(t1);
            await(coordinator, probe, 30, "rank 1 removed", s -> Arrays.equals(live(s), new int[] {0}));
            CoordinatorProtocol.Status beforeJoin = await(coordinator, probe, 30, "5 steps over rank 0",
                    s -> s.step() >= 20);

            // Its replacement's first step takes 4 stall bounds: removal would come at 2, the exemption lasts 10.
            double bound = bound();
            replacementPace = new Pace(Math.round(4 * bound * 1000));
            trainer(1, replacementPace, toy, coordinator, runId, "b");
            await(coordinator, probe, 30, "the replacement rejoined", s -> live(s).length == 2);
            long warmUpStart = System.nanoTime();
            boolean named = false;
            CoordinatorProtocol.Status s;
            do {
                s = status(coordinator, probe);
                assertThat(live(s)).as("live ranks %.1f s into the replacement's %.1f s warm-up (bound %.2f s)",
                        (System.nanoTime() - warmUpStart) / 1e9, 4 * bound, bound).containsExactly(0, 1);
                named |= s.stalled() && s.lateRanks().equals(List.of(1));
                sleep(50);
            } while (s.step() <= beforeJoin.step() + 1 + 10);
            assertThat(named).as("the warming-up replacement was named as late (so the stall path saw it)").isTrue();
            assertThat((System.nanoTime() - warmUpStart) / 1e9).as("the warm-up step really took more than 2 bounds")
                    .isGreaterThan(2 * bound);
            System.out.printf("stall bound %.2f s: a replacement's %.2f s warm-up was named late, not removed%n", bound,
                    4 * bound);
            assertThat(done).isNotDone();

            // Frozen after its warm-up: named within one bound, removed within two (plus the 0.5 s check period).
            bound = bound();
            replacementPace.frozen = true;
            long frozenAt = System.nanoTime();
            double namedAfter = Double.NaN;
            double removedAfter = Double.NaN;
            while ((System.nanoTime() - frozenAt) / 1e9 < 4 * bound + 10) {
                s = status(coordinator, probe);
                double t = (System.nanoTime() - frozenAt) / 1e9;
                if (Double.isNaN(namedAfter) && s.stalled() && s.lateRanks().contains(1)) {
                    namedAfter = t;
                }
                if (live(s).length == 1) {
                    removedAfter = t;
                    break;
                }
                sleep(20);
            }
            System.out.printf("stall bound %.2f s: frozen replacement named after %.2f s, removed after %.2f s%n",
                    bound, namedAfter, removedAfter);
            assertThat(namedAfter).as("named stalled (bound %.2f s)", bound).isLessThanOrEqualTo(bound + 1.0);
            // The open step may have begun up to a paced step before the freeze.
            assertThat(removedAfter).as("removed (bound %.2f s)", bound).isGreaterThan(2 * bound - STEP_MS / 1e3 - 0.1)
                    .isLessThanOrEqualTo(2 * bound + 1.5);
            assertThat(live(s)).containsExactly(0);
            long after = s.step();
            await(coordinator, probe, 30, "steps over rank 0 after the removal", x -> x.step() >= after + 3);
            assertThat(done).isNotDone();
        } finally {
            if (replacementPace != null) {
                replacementPace.frozen = false;
            }
            // Its last trainer stopped, the coordinator ends the run itself ("every trainer is lost").
            kit.stop(t0);
            try {
                done.get(20, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception expected) {
                // The run fails that way; only that it ended matters here.
            }
        }
    }

    private ActorRef<TrainerProtocol.Command> trainer(int rank, Pace pace, Objectives toy,
            ActorRef<CoordinatorProtocol.Command> coordinator, long runId, String generation) {
        return kit.spawn(Trainer.create(rank, link, "ipc", pace.around(toy), coordinator, runId),
                "trainer-" + runId + "-" + rank + generation, DispatcherSelector.fromConfig("un2clip-data-plane-dispatcher"));
    }

    private static int[] live(CoordinatorProtocol.Status s) {
        return s.ranks().stream().mapToInt(CoordinatorProtocol.RankStatus::rank).toArray();
    }

    private static CoordinatorProtocol.Status status(ActorRef<CoordinatorProtocol.Command> coordinator,
            TestProbe<CoordinatorProtocol.Status> probe) {
        coordinator.tell(new CoordinatorProtocol.GetStatus(probe.getRef()));
        return probe.receiveMessage(Duration.ofSeconds(10));
    }

    private static CoordinatorProtocol.Status await(ActorRef<CoordinatorProtocol.Command> coordinator,
            TestProbe<CoordinatorProtocol.Status> probe, int seconds, String what,
            Predicate<CoordinatorProtocol.Status> until) {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        CoordinatorProtocol.Status s;
        while (!until.test(s = status(coordinator, probe))) {
            assertThat(System.nanoTime()).as("waiting for %s; last status %s", what, s).isLessThan(deadline);
            sleep(20);
        }
        return s;
    }

    /** The Coordinator's stall bound now: stall-factor × the median of the last 20 step times of metrics.jsonl. */
    private double bound() {
        try {
            Matcher m = Pattern.compile("\"step_s\":([0-9.eE+-]+)").matcher(Files.readString(tmp.resolve("metrics.jsonl")));
            List<Double> steps = new java.util.ArrayList<>();
            while (m.find()) {
                steps.add(Double.parseDouble(m.group(1)));
            }
            double[] last = steps.subList(Math.max(0, steps.size() - 20), steps.size()).stream()
                    .mapToDouble(Double::doubleValue).sorted().toArray();
            int n = last.length;
            double median = n % 2 == 1 ? last[n / 2] : (last[n / 2 - 1] + last[n / 2]) / 2;
            return Math.max(0.1, STALL_FACTOR * median);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
