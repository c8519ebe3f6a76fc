package org.un2clip.actors.coordinator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Hosts the runs' Coordinators: in a cluster it is the cluster singleton (role coordinator) that trainers reach
 * through the singleton proxy. A singleton is started once per actor system, while one coordinator node serves
 * several runs in a row (a session), so the singleton is this host and each run's Coordinator is its child.
 *
 * <p>Routing is by run number ({@link RunHostProtocol.ToRun}): a trainer addresses the run it was told of
 * ({@link RunHostProtocol.RunOpen}), so a late message of a run that ended (a StepDone or a failure report
 * of its trainer) never reaches the next run's Coordinator, whose steps and ranks it would corrupt; it is dropped
 * with a log line. Until some run starts, trainers wait ({@link RunHostProtocol.AwaitRun}) rather than send.
 */
public final class RunHost extends AbstractBehavior<RunHostProtocol.Command> {
    /** A run whose Coordinator is alive. */
    private record Running(ActorRef<CoordinatorProtocol.Command> coordinator, long runId, String config) {}

    private final Map<Integer, Running> running = new HashMap<>();
    private final List<RunHostProtocol.AwaitRun> waiting = new ArrayList<>();
    /** The newest run's number; 0 before the first. */
    private int newest;

    public static Behavior<RunHostProtocol.Command> create() {
        return Behaviors.setup(RunHost::new);
    }

    /**
     * What a trainer gets as its Coordinator: each message is sent to {@code host} addressed to run {@code run}
     * (one such actor per run a trainer node serves, so a message keeps the run it was sent for).
     */
    public static Behavior<CoordinatorProtocol.Command> addressedTo(ActorRef<RunHostProtocol.Command> host, int run) {
        return Behaviors.receive((ctx, command) -> {
            host.tell(new RunHostProtocol.ToRun(run, command));
            return Behaviors.same();
        });
    }

    private RunHost(ActorContext<RunHostProtocol.Command> ctx) {
        super(ctx);
    }

    @Override
    public Receive<RunHostProtocol.Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(RunHostProtocol.StartRun.class, this::onStart)
                .onMessage(RunHostProtocol.ToRun.class, this::onToRun)
                .onMessage(RunHostProtocol.AwaitRun.class, this::onAwait)
                .onMessage(RunHostProtocol.RunStopped.class, m -> {
                    running.remove(m.run());
                    getContext().getLog().info("run {}: its coordinator stopped", m.run());
                    return this;
                })
                .build();
    }

    private Behavior<RunHostProtocol.Command> onStart(RunHostProtocol.StartRun m) {
        int run = ++newest;
        ActorRef<CoordinatorProtocol.Command> c = getContext().spawn(m.coordinator(), "run-" + run);
        getContext().watchWith(c, new RunHostProtocol.RunStopped(run));
        running.put(run, new Running(c, m.runId(), m.config()));
        getContext().getLog().info("run {} (run id {}): coordinator started at {}", run, m.runId(), c.path());
        m.replyTo().tell(new RunHostProtocol.Started(run, c));
        RunHostProtocol.RunOpen open = new RunHostProtocol.RunOpen(run, m.runId(), m.config(), c);
        waiting.removeIf(w -> {
            if (w.after() >= run) {
                return false;   // told of a run this host never started (another incarnation's): wait on
            }
            w.replyTo().tell(open);
            return true;
        });
        return this;
    }

    private Behavior<RunHostProtocol.Command> onToRun(RunHostProtocol.ToRun m) {
        Running r = running.get(m.run());
        if (r != null) {
            r.coordinator().tell(m.command());
        } else if (m.run() <= newest) {
            getContext().getLog().info("dropped {} for run {}: that run is over (newest run: {})",
                    m.command().getClass().getSimpleName(), m.run(), newest);
        } else {
            getContext().getLog().warn("dropped {} for run {}: no such run was started here (newest run: {})",
                    m.command().getClass().getSimpleName(), m.run(), newest);
        }
        return this;
    }

    private Behavior<RunHostProtocol.Command> onAwait(RunHostProtocol.AwaitRun m) {
        Running r = running.get(newest);
        if (r != null && newest > m.after()) {
            m.replyTo().tell(new RunHostProtocol.RunOpen(newest, r.runId(), r.config(), r.coordinator()));
        } else {
            waiting.add(m);
        }
        return this;
    }
}
