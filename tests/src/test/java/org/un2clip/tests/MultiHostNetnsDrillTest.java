package org.un2clip.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.un2clip.cluster.node.LocalCluster;

/**
 * Multi-host behaviour on one machine: every node in its own network namespace (a "host"), the namespaces
 * joined by veth pairs to a bridge in a "switch" namespace, 10.77.0.0/24 addresses. Pekko remoting (Artery
 * TCP) and the Aeron tensor link (transport.media = udp) cross the veths as between real hosts. Then a
 * trainer's link is cut (its switch port set down): the trainer must be detected and removed within the
 * 10 s bound, the run must go on over the survivors with exact sample accounting, and the cut-off side must
 * down itself (Split Brain Resolver keep-majority counted among coordinator-role members).
 *
 * <p>Needs root (CAP_NET_ADMIN) and iproute2: skipped, with the reason, where a namespace cannot be made.
 * Run: {@code mvn -o -B -Pdrills verify -pl tests -am -Dtest=MultiHostNetnsDrillTest
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("drill")
class MultiHostNetnsDrillTest {
    private static final int DATASET = 64;
    private static final int BATCH = 8;
    /**
     * The coordinator's address sorts after the trainers' (Pekko orders members by address string): in the
     * 1 vs 1 split, plain keep-majority would keep the trainer's side, so only the role decides for the
     * coordinator.
     */
    private static final String COORDINATOR_IP = "10.77.0.30";

    private final String nonce = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 4);
    private final List<String> namespaces = new ArrayList<>();
    private final List<Process> nodes = new ArrayList<>();

    @TempDir
    Path tmp;

    /** Why this machine cannot run the drill (null: it can), probed once for real. */
    private static String missing;

    @BeforeAll
    static void probe() {
        missing = probeNamespaces();
    }

    /** Per test, so every test is reported skipped with the reason (a class-level abort shows as 0 tests). */
    @BeforeEach
    void namespacesWork() {
        Assumptions.assumeTrue(missing == null, () -> "skipped: " + missing);
    }

    /** Null when namespaces, veth pairs and bridges can be made here; else why not. */
    private static String probeNamespaces() {
        String ns = "u2c-probe-" + ProcessHandle.current().pid();
        String veth = "u2p" + (ProcessHandle.current().pid() % 100000);
        try {
            Result add = ip("netns", "add", ns);
            if (add.exit != 0) {
                return "network namespaces unavailable here (needs root and iproute2): `ip netns add` said: "
                        + add.out.strip();
            }
            Result pair = ip("link", "add", veth, "type", "veth", "peer", "name", veth + "p", "netns", ns);
            if (pair.exit != 0) {
                return "veth pairs unavailable here: " + pair.out.strip();
            }
            Result bridge = ip("-n", ns, "link", "add", "br0", "type", "bridge");
            return bridge.exit == 0 ? null : "bridges unavailable here: " + bridge.out.strip();
        } catch (IOException e) {
            return "iproute2 (`ip`) cannot be run here: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while probing for network namespaces";
        } finally {
            try {
                ip("link", "del", veth);
                ip("netns", "del", ns);
            } catch (IOException | InterruptedException ignored) {
                // Nothing was made, or there is nothing to clean up with.
            }
        }
    }

    record Result(int exit, String out) {}

    private static Result ip(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(-1, "timed out");
        }
        return new Result(p.exitValue(), out);
    }

    private static void must(Result r, String what) {
        assertThat(r.exit).as(what + ": " + r.out).isZero();
    }

    private String ns(String host) {
        return "u2c-" + nonce + "-" + host;
    }

    /** The switch namespace with its bridge, and one namespace per host plugged into it. */
    private void network(List<String> hosts, List<String> addresses) throws Exception {
        String sw = ns("sw");
        must(ip("netns", "add", sw), "switch namespace");
        namespaces.add(sw);
        must(ip("-n", sw, "link", "add", "br0", "type", "bridge"), "bridge");
        must(ip("-n", sw, "link", "set", "br0", "up"), "bridge up");
        for (int i = 0; i < hosts.size(); i++) {
            String host = ns(hosts.get(i));
            must(ip("netns", "add", host), "namespace " + host);
            namespaces.add(host);
            String port = port(hosts.get(i));
            must(ip("link", "add", port + "h", "type", "veth", "peer", "name", port, "netns", sw), "veth " + port);
            must(ip("link", "set", port + "h", "netns", host), "veth into " + host);
            must(ip("-n", host, "link", "set", port + "h", "name", "eth0"), "eth0");
            must(ip("-n", host, "addr", "add", addresses.get(i) + "/24", "dev", "eth0"), "address");
            must(ip("-n", host, "link", "set", "eth0", "up"), "eth0 up");
            must(ip("-n", host, "link", "set", "lo", "up"), "lo up");   // control + metrics on 127.0.0.1
            must(ip("-n", sw, "link", "set", port, "master", "br0"), "port into the bridge");
            must(ip("-n", sw, "link", "set", port, "up"), "port up");
        }
    }

    /** The switch-side veth of a host (interface names are at most 15 characters). */
    private String port(String host) {
        return "u" + nonce + host;
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Process p : nodes) {
            p.destroyForcibly();
        }
        for (Process p : nodes) {
            p.waitFor(10, TimeUnit.SECONDS);
        }
        for (String n : namespaces) {
            ip("netns", "del", n);   // takes its veth ends along
        }
        List<String> left = new ArrayList<>();
        for (String line : ip("netns", "list").out.split("\n")) {
            if (line.startsWith("u2c-" + nonce)) {
                left.add(line);
            }
        }
        assertThat(left).as("namespaces left behind").isEmpty();
    }

    private Path config(int trainers, long steps) throws IOException {
        Path run = tmp.resolve("run");
        Path conf = tmp.resolve("run.conf");
        Files.writeString(conf, String.join("\n",
                "run { dir = \"" + run + "\", name = netns-drill }",
                "train { trainers = " + trainers + ", steps = " + steps + ", global-batch = " + BATCH
                        + ", micro-batch = 2, shards = 2, lr = 0.01, threads-per-trainer = 1,",
                "        toy { dim = 64, dataset-size = " + DATASET + " } }",
                // Between hosts: every node has its own media driver and tensors go over UDP.
                "transport.media = udp", ""));
        return conf;
    }

    private Process start(String host, String ip, String name, List<String> args) throws IOException {
        LocalCluster launcher = new LocalCluster(List.of("ip", "netns", "exec", ns(host)));
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of("--set", "cluster.host=" + ip, "--set", "transport.host=" + ip));
        Process p = launcher.startNode(name, all, 1, tmp.resolve("run/logs"));
        nodes.add(p);
        return p;
    }

    private Process coordinator(Path conf) throws IOException {
        return start("c", COORDINATOR_IP, "coordinator", List.of("--role", "coordinator", "--config", conf.toString(),
                "--set", "cluster.port=25520"));
    }

    private Process trainer(Path conf, int rank) throws IOException {
        return start("t" + rank, trainerIp(rank), "trainer-" + rank, List.of("--role", "trainer", "--rank",
                Integer.toString(rank), "--config", conf.toString(), "--seed-nodes", COORDINATOR_IP + ":25520"));
    }

    private static String trainerIp(int rank) {
        return "10.77.0.2" + (rank + 1);
    }

    /** UDP datagrams in + out of a namespace (/proc/net/snmp is per network namespace). */
    private long udpDatagrams(String host) throws Exception {
        Process p = new ProcessBuilder("ip", "netns", "exec", ns(host), "cat", "/proc/net/snmp").start();
        List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                .filter(l -> l.startsWith("Udp:")).toList();
        p.waitFor();
        List<String> names = List.of(lines.get(0).split("\\s+"));
        String[] values = lines.get(1).split("\\s+");
        return Long.parseLong(values[names.indexOf("InDatagrams")]) + Long.parseLong(values[names.indexOf("OutDatagrams")]);
    }

    private String log(String node) throws IOException {
        Path f = tmp.resolve("run/logs/" + node + ".log");
        return Files.exists(f) ? Files.readString(f) : "";
    }

    private void awaitSteps(long n, Process coordinator) throws Exception {
        long deadline = System.nanoTime() + 180_000_000_000L;
        while (RunRecords.lines(tmp.resolve("run/metrics.jsonl")) < n) {
            assertThat(System.nanoTime()).as("the run never got going; coordinator log:\n" + log("coordinator"))
                    .isLessThan(deadline);
            assertThat(coordinator.isAlive()).as("coordinator died:\n" + log("coordinator")).isTrue();
            Thread.sleep(100);
        }
    }

    /** Pekko's Split Brain Resolver's log line when a node's side downs itself. */
    private static String downsItself(String ip) {
        return "SBR took decision DownReachable and is downing [pekko://un2clip@" + ip + ":";
    }

    @Test
    void trainsOverUdpBetweenHostsAndSurvivesACutLink() throws Exception {
        network(List.of("c", "t0", "t1"), List.of(COORDINATOR_IP, trainerIp(0), trainerIp(1)));
        long steps = 2400;     // whole epochs: 64 / 8 = 8 steps each
        Path conf = config(2, steps);
        Process coordinator = coordinator(conf);
        Process t0 = trainer(conf, 0);
        Process t1 = trainer(conf, 1);
        awaitSteps(50, coordinator);
        long udp0 = udpDatagrams("t1");
        long before = RunRecords.lines(tmp.resolve("run/metrics.jsonl"));
        awaitSteps(before + 50, coordinator);
        long udp = udpDatagrams("t1") - udp0;
        // Each synchronous step needs at least a gradient slice out and a parameter slice in (2 shards: 4).
        assertThat(udp).as("UDP datagrams of trainer 1's host over 50 steps").isGreaterThanOrEqualTo(2 * 50);
        for (int r = 0; r < 2; r++) {
            assertThat(log("trainer-" + r)).contains("coordinator found at pekko://un2clip@" + COORDINATOR_IP + ":25520");
        }

        long atCut = RunRecords.lines(tmp.resolve("run/metrics.jsonl"));
        long cut = System.nanoTime();
        must(ip("-n", ns("sw"), "link", "set", port("t1"), "down"), "cut trainer 1's link");
        long deadline = cut + 30_000_000_000L;
        while (!log("coordinator").contains("trainer 1 lost")) {
            assertThat(System.nanoTime()).as("trainer 1 never detected:\n" + log("coordinator")).isLessThan(deadline);
            Thread.sleep(50);
        }
        double detected = (System.nanoTime() - cut) / 1e9;
        assertThat(detected).as("seconds from the cut to the coordinator's verdict").isLessThan(10);

        assertThat(coordinator.waitFor(300, TimeUnit.SECONDS)).as("the run ends").isTrue();
        assertThat(coordinator.exitValue()).as("coordinator exit; log:\n" + log("coordinator")).isZero();
        assertThat(log("coordinator")).contains("done: " + steps + " steps");
        assertThat(atCut).as("the cut came mid-run").isLessThan(steps);
        double longest = RunRecords.assertExactSampleAccounting(tmp.resolve("run"), steps, BATCH, DATASET);
        assertThat(longest).as("longest step (detection + re-plan), s").isLessThan(10);
        assertThat(t0.waitFor(60, TimeUnit.SECONDS)).as("the surviving trainer ends with the run").isTrue();
        // The cut-off trainer is alone with no coordinator-role member: the resolver downs its side.
        assertThat(t1.waitFor(90, TimeUnit.SECONDS)).as("the cut-off trainer downs itself; log:\n" + log("trainer-1"))
                .isTrue();
        assertThat(log("trainer-1")).contains(downsItself(trainerIp(1)));
        System.out.printf("netns drill: %d UDP datagrams on trainer 1's host in 50 steps; cut at step %d, "
                + "detected after %.2f s, longest step %.2f s%n", udp, atCut, detected, longest);
    }

    /**
     * bin/un2clip-cluster up --hosts across the namespaces: ssh is a stand-in that runs the command in the
     * namespace of the host it names (UN2CLIP_SSH), the node command is this JVM's (UN2CLIP_NODE). Each node must
     * bind Pekko and its Aeron endpoints to its own host's address: left on 127.0.0.1, no gradient or parameter
     * would reach it from another host and the run would not get past its first step.
     */
    @Test
    void theClusterScriptStartsEveryNodeOnItsHostsAddress() throws Exception {
        List<String> names = List.of("c", "t0", "t1");
        List<String> ips = List.of(COORDINATOR_IP, trainerIp(0), trainerIp(1));
        network(names, ips);
        long steps = 400;
        Path conf = config(2, steps);
        Path run = tmp.resolve("run");
        Path hosts = tmp.resolve("hosts");
        Files.writeString(hosts, COORDINATOR_IP + " coordinator -\n" + trainerIp(0) + " trainer cpu\n" + trainerIp(1)
                + " trainer cpu\n");
        StringBuilder ssh = new StringBuilder("#!/usr/bin/env bash\ncase \"$1\" in\n");
        for (int i = 0; i < names.size(); i++) {
            ssh.append("  ").append(ips.get(i)).append(") ns=").append(ns(names.get(i))).append(" ;;\n");
        }
        ssh.append("  *) echo \"ssh: $1: no such host\" >&2; exit 255 ;;\nesac\nshift\nexec ip netns exec \"$ns\" bash -c \"$*\"\n");
        Path sshStub = executable(tmp.resolve("netns-ssh"), ssh.toString());
        Path node = executable(tmp.resolve("node"), "#!/usr/bin/env bash\nexec " + String.join(" ",
                LocalCluster.nodeCommand(1).stream().map(a -> "'" + a.replace("'", "'\\''") + "'").toList()) + " \"$@\"\n");
        java.util.Map<String, String> env = java.util.Map.of("UN2CLIP_SSH", sshStub.toString(), "UN2CLIP_NODE",
                node.toString(), "UN2CLIP_UP_TIMEOUT", "240");
        try {
            Result up = clusterScript(env, "up", "--hosts", hosts.toString(), "--config", conf.toString(), "--run-dir",
                    run.toString(), "--port", "25520", "--max-restarts", "0");
            assertThat(up.exit).as(up.out).isZero();
            assertThat(up.out).contains("seed up at " + COORDINATOR_IP + ":25520");
            for (String name : List.of("coordinator", "trainer-0", "trainer-1")) {
                List<String> args = Files.readAllLines(run.resolve("cluster/" + name + ".args"));
                String ip = args.get(0);
                assertThat(String.join(" ", args)).as(name).contains("cluster.host=" + ip + " --set transport.host=" + ip);
            }
            long deadline = System.nanoTime() + 300_000_000_000L;
            while (!log("coordinator").contains("done: ")) {
                assertThat(System.nanoTime()).as("the run did not finish; coordinator log:\n" + log("coordinator"))
                        .isLessThan(deadline);
                Thread.sleep(200);
            }
            assertThat(log("coordinator")).contains("done: " + steps + " steps");
            for (int r = 0; r < 2; r++) {
                assertThat(log("trainer-" + r)).contains("coordinator found at pekko://un2clip@" + COORDINATOR_IP + ":25520");
            }
            RunRecords.assertExactSampleAccounting(run, steps, BATCH, DATASET);
            long udp = udpDatagrams("t1");
            assertThat(udp).as("UDP datagrams of trainer 1's host").isGreaterThanOrEqualTo(2 * steps);
            System.out.printf("netns drill, un2clip-cluster up --hosts: %d steps, %d UDP datagrams on trainer 1's host%n",
                    steps, udp);
        } finally {
            clusterScript(env, "down", "--run-dir", run.toString(), "--timeout", "5");
        }
    }

    private static Path executable(Path file, String text) throws IOException {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        return file;
    }

    private static Result clusterScript(java.util.Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash",
                Path.of(System.getProperty("un2clip.root"), "bin", "un2clip-cluster").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).as("bin/un2clip-cluster " + args[0]).isTrue();
        return new Result(p.exitValue(), out);
    }

    /** A coordinator and one trainer, joined; then the trainer's link is cut. Returns the trainer's JVM. */
    private Process oneVersusOne(String... overrides) throws Exception {
        network(List.of("c", "t0"), List.of(COORDINATOR_IP, trainerIp(0)));
        Path conf = config(1, 100_000);
        Files.writeString(conf, String.join("\n", overrides) + "\n", java.nio.file.StandardOpenOption.APPEND);
        Process coordinator = coordinator(conf);
        Process t0 = trainer(conf, 0);
        awaitSteps(50, coordinator);
        must(ip("-n", ns("sw"), "link", "set", port("t0"), "down"), "cut the trainer's link");
        // The coordinator sees its last trainer go and fails the run itself (it is not downed).
        assertThat(coordinator.waitFor(60, TimeUnit.SECONDS)).as("the coordinator ends (no trainer left)").isTrue();
        assertThat(log("coordinator")).contains("every trainer is lost (the last: rank 0, unreachable")
                .contains("coordinator leaving: ActorSystemTerminateReason");
        return t0;
    }

    @Test
    void inAOneVersusOneSplitTheCoordinatorsSideLives() throws Exception {
        Process t0 = oneVersusOne();
        // Counted among coordinator-role members the trainer's side has 0 of 1: it downs itself.
        assertThat(t0.waitFor(90, TimeUnit.SECONDS)).as("the trainer downs itself; log:\n" + log("trainer-0")).isTrue();
        assertThat(log("trainer-0")).contains(downsItself(trainerIp(0)));
        System.out.println("1 vs 1 split, majority-role = coordinator: the trainer's side downed itself");
    }

    /** The counter-test: what the role setting is for. */
    @Test
    void withoutTheRoleTheTrainersSideWouldKeepItselfAndDownTheCoordinator() throws Exception {
        Process t0 = oneVersusOne("membership.majority-role = \"\"");
        // 1 vs 1 with every member counted: the side with the lowest address (the trainer's) keeps itself.
        assertThat(t0.waitFor(90, TimeUnit.SECONDS)).as("the trainer ends; log:\n" + log("trainer-0")).isTrue();
        assertThat(log("trainer-0")).contains("SBR took decision DownUnreachable and is downing [pekko://un2clip@"
                + COORDINATOR_IP + ":25520]").doesNotContain(downsItself(trainerIp(0)));
        System.out.println("1 vs 1 split, no majority role: the trainer's side downed the coordinator");
    }
}
