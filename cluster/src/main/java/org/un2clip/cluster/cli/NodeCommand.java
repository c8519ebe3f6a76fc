package org.un2clip.cluster.cli;

import com.typesafe.config.Config;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.un2clip.actors.InProcessRun;
import org.un2clip.actors.checkpoint.CheckpointStore;
import org.un2clip.actors.coordinator.RunResult;
import org.un2clip.actors.coordinator.RunSettings;
import org.un2clip.cluster.node.CoordinatorNode;
import org.un2clip.cluster.node.TrainerNode;
import org.un2clip.conf.Un2clipConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "node", description = {
        "Run one cluster node, as the bootstrap script starts them on many hosts. The coordinator (also called",
        "aggregator: one process hosts the coordinator, the gradient shards and the checkpointer) founds the",
        "cluster when --seed-nodes is empty; trainers join it."})
final class NodeCommand implements Callable<Integer> {

    @Option(names = "--role", required = true, paramLabel = "ROLE", description = "coordinator, aggregator or trainer")
    String role;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The run's configuration.")
    String config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a configuration key (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--seed-nodes", split = ",", paramLabel = "HOST:PORT", description = "Cluster seed nodes.")
    List<String> seedNodes = new ArrayList<>();

    @Option(names = "--rank", paramLabel = "R", description = "Trainer rank, 0 .. train.trainers-1.")
    Integer rank;

    @Option(names = "--aeron-dir", paramLabel = "DIR", description = "Trainer, IPC: the host's Aeron directory.")
    String aeronDir;

    @Option(names = "--resume", description = "Coordinator: continue from the newest checkpoint in run.dir.")
    boolean resume;

    @Option(names = "--session", description = "Trainer: serve the coordinator node's successive runs (each run's"
            + " configuration comes from its Coordinator); exit when the coordinator node leaves.")
    boolean session;

    @Override
    public Integer call() throws Exception {
        Config c = Un2clipConfig.load(Optional.of(config), overrides);
        switch (role) {
            case "trainer" -> {
                if (rank == null) {
                    throw new Main.UserError("--role trainer needs --rank");
                }
                return TrainerNode.run(c, rank, seedNodes, aeronDir, session);
            }
            case "coordinator", "aggregator" -> {
                // A supervised restart (bin/un2clip-cluster) resumes even when no checkpoint verifies yet: the run
                // then starts over at step 0, which is what an uninterrupted run did too.
                Optional<CheckpointStore.Restore> restored = resume
                        ? Optional.of(InProcessRun.restore(RunSettings.from(c))) : Optional.empty();
                // (CheckpointStore logs the checkpoint used and each damaged one it skipped.)
                if (restored.isPresent() && restored.get().checkpoint() == null) {
                    System.out.println("resume: no complete checkpoint in " + RunSettings.from(c).checkpoints()
                            + ", starting at step 0");
                }
                try (CoordinatorNode node = new CoordinatorNode(c, seedNodes, restored, System.out)) {
                    System.out.println("coordinator node at " + node.clusterAddress() + ", aeron directory "
                            + node.aeronDirectory());
                    RunResult r = node.done().get();
                    System.out.printf("done: %d steps, final loss %.6f%n", r.steps(), r.lastLoss());
                    return 0;
                }
            }
            default -> throw new Main.UserError("--role must be coordinator, aggregator or trainer, got " + role);
        }
    }
}
