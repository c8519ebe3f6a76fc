package org.un2clip.cluster.node;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts node JVMs on this host: the same java binary, class path and JVM flags as this process, each
 * with {@code -XX:ActiveProcessorCount} and OMP/MKL threads set to its share of the cores, logging to
 * {@code <run>/logs/<node>.log} (trainers: {@code trainer-<rank>.log}).
 */
public final class LocalCluster implements AutoCloseable {
    private final List<Process> children = new ArrayList<>();
    private final List<String> launchPrefix;

    public LocalCluster() {
        this(List.of());
    }

    /**
     * @param launchPrefix a command each node's java runs under, e.g. {@code ip netns exec NS} (tests put nodes
     *     in network namespaces that stand for hosts)
     */
    public LocalCluster(List<String> launchPrefix) {
        this.launchPrefix = List.copyOf(launchPrefix);
    }

    public void startTrainer(int rank, Path resolvedConfig, String seedNode, String aeronDirectory, int threads,
            Path logDir) throws IOException {
        startTrainer(rank, resolvedConfig, seedNode, aeronDirectory, threads, logDir, false);
    }

    /** @param session the trainer serves the coordinator node's successive runs ({@code node --session}) */
    public void startTrainer(int rank, Path resolvedConfig, String seedNode, String aeronDirectory, int threads,
            Path logDir, boolean session) throws IOException {
        List<String> args = new ArrayList<>(List.of("--role", "trainer", "--rank", Integer.toString(rank), "--config",
                resolvedConfig.toString(), "--seed-nodes", seedNode));
        if (aeronDirectory != null) {
            args.addAll(List.of("--aeron-dir", aeronDirectory));
        }
        if (session) {
            args.add("--session");
        }
        startNode("trainer-" + rank, args, threads, logDir);
    }

    /**
     * Starts {@code un2clip node ARGS} in a JVM like this one, its output in {@code logDir/NAME.log}.
     *
     * @return the process (under a launch prefix: the prefix's process, which execs java)
     */
    public Process startNode(String name, List<String> nodeArgs, int threads, Path logDir) throws IOException {
        Files.createDirectories(logDir);
        List<String> cmd = new ArrayList<>(launchPrefix);
        cmd.addAll(nodeCommand(threads));
        cmd.addAll(nodeArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(logDir.resolve(name + ".log").toFile());
        pb.environment().put("OMP_NUM_THREADS", Integer.toString(threads));
        pb.environment().put("MKL_NUM_THREADS", Integer.toString(threads));
        Process p = pb.start();
        children.add(p);
        return p;
    }

    /**
     * {@code java ... org.un2clip.cluster.cli.Main node} with this process's java, class path and JVM flags (what
     * {@link #startNode} runs; tests also hand it to bin/un2clip-cluster as its node command).
     */
    public static List<String> nodeCommand(int threads) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(
                System.getProperty("java.home") + File.separator + "bin" + File.separator + "java"));
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!arg.startsWith("-XX:ActiveProcessorCount") && !arg.startsWith("-agentlib:jdwp")) {
                cmd.add(arg);
            }
        }
        cmd.add("-XX:ActiveProcessorCount=" + threads);
        if (cmd.stream().noneMatch(a -> a.matches("-XX:\\+Use\\w+GC"))) {
            // One active processor would make the JVM pick the serial collector: a toy trainer (128 MB of samples
            // a step) spent a quarter of its time in its stop-the-world collections.
            cmd.add("-XX:+UseG1GC");
        }
        // The project root locates shipped resources (the public golden set); under a test runner it is a
        // system property rather than a JVM argument, so pass it on explicitly.
        String root = System.getProperty("un2clip.root");
        if (root != null && cmd.stream().noneMatch(a -> a.startsWith("-Dun2clip.root="))) {
            cmd.add("-Dun2clip.root=" + root);
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.un2clip.cluster.cli.Main", "node"));
        return cmd;
    }

    /** A child that exited with a non-zero code, or -1. */
    public int failedChild() {
        for (int i = 0; i < children.size(); i++) {
            Process p = children.get(i);
            if (!p.isAlive() && p.exitValue() != 0) {
                return i;
            }
        }
        return -1;
    }

    /** True while every child process runs. */
    public boolean allAlive() {
        return children.stream().allMatch(Process::isAlive);
    }

    /** Ends every child now (the run failed: nobody will tell them to shut down). */
    public void destroyAll() {
        for (Process p : children) {
            p.destroyForcibly();
        }
    }

    /** Waits for the children to exit on their own (they stop after Shutdown), then kills stragglers. */
    @Override
    public void close() {
        for (Process p : children) {
            try {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroy();
                    if (!p.waitFor(5, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                    }
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
