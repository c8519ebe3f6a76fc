package org.un2clip.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/un2clip-cluster's orchestration (seed first, wait for it, trainers with the seed's address,
 * membership wait, pid files, idempotent up/down, graceful leave then kill, clear errors), driven with a
 * fake node program that prints what a real node prints (UN2CLIP_NODE), so the test is about the script.
 */
class ClusterScriptTest {
    private static final Path SCRIPT = Path.of(System.getProperty("un2clip.root"), "bin", "un2clip-cluster");

    /** Logs its arguments and the ready line of its role; leaves on SIGTERM unless FAKE_IGNORE_TERM is set. */
    private static final String FAKE_NODE = String.join("\n",
            "#!/usr/bin/env bash",
            "echo \"args: $*\"",
            "echo \"on: ${FAKE_HOST:-this machine}\"",
            "role=''; rank=''; seeds=''; port=0",
            "while [ $# -gt 0 ]; do case \"$1\" in",
            "  --role) role=$2; shift 2;; --rank) rank=$2; shift 2;; --seed-nodes) seeds=$2; shift 2;;",
            "  --set) case \"$2\" in cluster.port=*) port=${2#*=};; esac; shift 2;;",
            "  *) shift;; esac; done",
            "if [ -n \"${FAKE_IGNORE_TERM:-}\" ]; then trap '' TERM; else trap 'echo leaving; exit 0' TERM; fi",
            "[ -n \"${FAKE_FAIL_ROLE:-}\" ] && [ \"$role\" = \"$FAKE_FAIL_ROLE\" ] && { echo 'boom: bad config' >&2; exit 3; }",
            "if [ \"$role\" = coordinator ]; then echo \"coordinator node at 127.0.0.1:$port, aeron directory /dev/shm/fake-aeron\";",
            "else echo \"rank $rank: coordinator found at pekko://un2clip@$seeds/user/coordinator\"; fi",
            "while true; do sleep 1 & wait $!; done",
            "");

    /**
     * Stands in for ssh (UN2CLIP_SSH): runs the remote command here, with FAKE_HOST set to the host it was asked
     * for (the fake node prints it), so that a hosts file with other hosts' names can be driven on this machine.
     */
    private static final String FAKE_SSH = String.join("\n",
            "#!/usr/bin/env bash",
            "while [[ \"$1\" == -* ]]; do shift; done",
            "export FAKE_HOST=\"$1\"; shift",
            "exec bash -c \"$*\"",
            "");

    @TempDir
    Path tmp;
    Path runDir;
    Path fakeNode;
    Path config;
    /** The environment that makes ssh the fake one. */
    Map<String, String> fakeSsh;

    record Result(int exit, String out) {}

    @BeforeEach
    void setUp() throws IOException {
        runDir = tmp.resolve("run");
        fakeNode = tmp.resolve("fake-node");
        Files.writeString(fakeNode, FAKE_NODE);
        Files.setPosixFilePermissions(fakeNode, PosixFilePermissions.fromString("rwx------"));
        config = tmp.resolve("run.conf");
        Files.writeString(config, "train.steps = 3\n");
        Path ssh = tmp.resolve("fake-ssh");
        Files.writeString(ssh, FAKE_SSH);
        Files.setPosixFilePermissions(ssh, PosixFilePermissions.fromString("rwx------"));
        fakeSsh = Map.of("UN2CLIP_SSH", ssh.toString());
    }

    @AfterEach
    void tearDown() throws Exception {
        // Never leave fake nodes behind, whatever a test did.
        script(fakeSsh, "down", "--run-dir", runDir.toString(), "--timeout", "1");
    }

    private Result script(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("UN2CLIP_NODE", fakeNode.toString());
        pb.environment().put("UN2CLIP_UP_TIMEOUT", "20");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out);
    }

    private Result up(Map<String, String> env, String... more) throws Exception {
        List<String> a = new ArrayList<>(List.of("up", "--config", config.toString(), "--run-dir", runDir.toString(),
                "--port", Integer.toString(freePort())));
        a.addAll(List.of(more));
        return script(env, a.toArray(String[]::new));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private List<Long> pids() throws IOException {
        return Files.readAllLines(runDir.resolve("cluster/nodes")).stream()
                .map(l -> Long.parseLong(l.split(" ")[2])).toList();
    }

    /** Alive and not a zombie (this machine's init does not reap orphans, so killed nodes linger as zombies). */
    private static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return !stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void upLocalStartsTheSeedThenTrainersAndDownStopsThemGracefully() throws Exception {
        Result up = up(Map.of(), "--local", "2", "--set", "train.lr=0.01");
        assertThat(up.exit()).as(up.out()).isZero();
        assertThat(up.out()).contains("seed up at 127.0.0.1:").contains("up: coordinator + 2 trainer(s)");
        List<String> nodes = Files.readAllLines(runDir.resolve("cluster/nodes"));
        assertThat(nodes).extracting(l -> l.split(" ")[0]).containsExactly("coordinator", "trainer-0", "trainer-1");
        assertThat(Files.readString(runDir.resolve("cluster/trainer-1.pid")).strip()).isEqualTo(nodes.get(2).split(" ")[2]);
        String seedPort = Files.readString(runDir.resolve("logs/coordinator.log")).replaceAll("(?s).*127\\.0\\.0\\.1:(\\d+),.*", "$1");
        String trainer1 = Files.readString(runDir.resolve("logs/trainer-1.log"));
        assertThat(trainer1).contains("--role trainer --rank 1 --seed-nodes 127.0.0.1:" + seedPort)
                .contains("--set train.trainers=2").contains("--set train.lr=0.01")
                .contains("--aeron-dir /dev/shm/fake-aeron").contains("--set run.dir=" + runDir.toRealPath());
        assertThat(pids()).allMatch(pid -> running(pid));

        Result status = script(Map.of(), "status", "--run-dir", runDir.toString());
        assertThat(status.exit()).isZero();
        assertThat(status.out()).contains("3 of 3 node(s) running");

        // Idempotent: a second up starts nothing.
        List<Long> before = pids();
        Result again = up(Map.of(), "--local", "2");
        assertThat(again.exit()).isZero();
        assertThat(again.out()).contains("already up: 3 node(s) running");
        assertThat(pids()).isEqualTo(before);

        Result logs = script(Map.of(), "logs", "--run-dir", runDir.toString(), "trainer-0");
        assertThat(logs.out()).contains("==== trainer-0").contains("rank 0: coordinator found");

        Result down = script(Map.of(), "down", "--run-dir", runDir.toString(), "--timeout", "10");
        assertThat(down.exit()).isZero();
        // Trainers leave before the coordinator.
        assertThat(down.out().indexOf("trainer-1 on 127.0.0.1 left")).isLessThan(
                down.out().indexOf("coordinator on 127.0.0.1 left")).isPositive();
        assertThat(before).noneMatch(pid -> running(pid));
        assertThat(Files.readString(runDir.resolve("logs/trainer-0.log"))).contains("leaving");
        assertThat(runDir.resolve("cluster/nodes")).doesNotExist();
        assertThat(runDir.resolve("cluster/trainer-0.pid")).doesNotExist();

        Result downAgain = script(Map.of(), "down", "--run-dir", runDir.toString());
        assertThat(downAgain.exit()).isZero();
        assertThat(downAgain.out()).contains("nothing to stop");
        assertThat(script(Map.of(), "status", "--run-dir", runDir.toString()).exit()).isEqualTo(1);
    }

    @Test
    void aNodeThatIgnoresSigtermIsKilledAfterTheTimeout() throws Exception {
        assertThat(up(Map.of("FAKE_IGNORE_TERM", "1"), "--local", "1").exit()).isZero();
        List<Long> started = pids();
        Result down = script(Map.of(), "down", "--run-dir", runDir.toString(), "--timeout", "1");
        assertThat(down.out()).contains("trainer-0 on 127.0.0.1 did not leave within 1s: killed");
        assertThat(started).noneMatch(pid -> running(pid));
    }

    @Test
    void aDeadNodeShowsInStatus() throws Exception {
        assertThat(up(Map.of(), "--local", "2").exit()).isZero();
        long trainer0 = pids().get(1);
        ProcessHandle handle = ProcessHandle.of(trainer0).orElseThrow();
        handle.destroyForcibly();
        handle.onExit().get(10, TimeUnit.SECONDS);
        Result status = script(Map.of(), "status", "--run-dir", runDir.toString());
        assertThat(status.exit()).isEqualTo(1);
        assertThat(status.out()).containsPattern("trainer-0 .*DEAD").contains("2 of 3 node(s) running");

        // The operator (or a drill) brings a replacement up with the same arguments.
        Result restart = script(Map.of(), "restart", "--run-dir", runDir.toString(), "trainer-0");
        assertThat(restart.exit()).as(restart.out()).isZero();
        assertThat(restart.out()).contains("trainer-0 is back");
        long replacement = Long.parseLong(Files.readString(runDir.resolve("cluster/trainer-0.pid")).strip());
        assertThat(replacement).isNotEqualTo(trainer0);
        assertThat(running(replacement)).isTrue();
        assertThat(Files.readString(runDir.resolve("logs/trainer-0.log"))).contains("--role trainer --rank 0");
        assertThat(script(Map.of(), "status", "--run-dir", runDir.toString()).out()).contains("3 of 3 node(s) running");
        Result again = script(Map.of(), "restart", "--run-dir", runDir.toString(), "trainer-0");
        assertThat(again.exit()).isEqualTo(2);
        assertThat(again.out()).contains("trainer-0 on 127.0.0.1 is still running");
        assertThat(script(Map.of(), "restart", "--run-dir", runDir.toString(), "trainer-9").out())
                .contains("no node named 'trainer-9'");

        long trainer1 = Long.parseLong(Files.readString(runDir.resolve("cluster/trainer-1.pid")).strip());
        ProcessHandle.of(trainer1).orElseThrow().destroyForcibly();
        while (running(trainer1)) {
            Thread.sleep(20);
        }
        Result down = script(Map.of(), "down", "--run-dir", runDir.toString(), "--timeout", "5");
        assertThat(down.out()).contains("trainer-1 on 127.0.0.1 was not running").contains("trainer-0 on 127.0.0.1 left")
                .contains("coordinator on 127.0.0.1 left");
    }

    @Test
    void aSeedThatFailsStopsTheStartWithItsLog() throws Exception {
        Result up = up(Map.of("FAKE_FAIL_ROLE", "coordinator"), "--local", "1");
        assertThat(up.exit()).isEqualTo(2);
        assertThat(up.out()).contains("coordinator on 127.0.0.1 exited before it was up").contains("boom: bad config");
    }

    @Test
    void clearErrorsForAPortInUseAMissingJdkAndAnUnreachableHost() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Result r = script(Map.of(), "up", "--local", "1", "--config", config.toString(), "--run-dir",
                    runDir.toString(), "--port", Integer.toString(taken.getLocalPort()));
            assertThat(r.exit()).isEqualTo(2);
            assertThat(r.out()).contains("port " + taken.getLocalPort() + " is in use on 127.0.0.1");
        }
        Result noJdk = up(Map.of("UN2CLIP_JAVA", "/nonexistent/bin/java"), "--local", "1");
        assertThat(noJdk.exit()).isEqualTo(2);
        assertThat(noJdk.out()).contains("no JDK on 127.0.0.1");

        Path hosts = tmp.resolve("hosts");
        Files.writeString(hosts, "# seed\nlocalhost coordinator -\nno-such-host.invalid trainer cuda:0,cuda:1\n");
        Result unreachable = up(Map.of("UN2CLIP_SSH", "ssh -o BatchMode=yes -o ConnectTimeout=2"), "--hosts",
                hosts.toString());
        assertThat(unreachable.exit()).isEqualTo(2);
        assertThat(unreachable.out()).contains("host no-such-host.invalid is unreachable");
        assertThat(runDir.resolve("cluster/nodes")).doesNotExist();
    }

    @Test
    void aHostsFileStartsOneTrainerPerDeviceAndNamesItsBadLines() throws Exception {
        Path hosts = tmp.resolve("hosts");
        Files.writeString(hosts, "localhost coordinator,trainer cpu,cpu\n");
        Result up = up(Map.of(), "--hosts", hosts.toString());
        assertThat(up.exit()).as(up.out()).isZero();
        assertThat(Files.readString(runDir.resolve("logs/trainer-1.log"))).contains("--set model.device=cpu")
                .contains("--set train.trainers=2");

        Files.writeString(hosts, "a coordinator -\nb trainer gpu0\n");
        assertThat(script(Map.of(), "up", "--hosts", hosts.toString(), "--config", config.toString(), "--run-dir",
                tmp.resolve("other").toString()).out()).contains("line 2: bad device 'gpu0'");
        Files.writeString(hosts, "a trainer cpu\n");
        assertThat(script(Map.of(), "up", "--hosts", hosts.toString(), "--config", config.toString(), "--run-dir",
                tmp.resolve("other").toString()).out()).contains("exactly one host must have the coordinator role");
    }

    @Test
    void everyNodeOfAHostsFileBindsToItsOwnHost() throws Exception {
        // Two "remote" hosts (through the fake ssh): each node must bind Pekko and Aeron to the host it runs on,
        // not to the 127.0.0.1 default, or the other hosts cannot reach it.
        Path hosts = tmp.resolve("hosts");
        Files.writeString(hosts, "gpu01.test coordinator,trainer cpu\ngpu02.test trainer cpu,cpu\n");
        Result up = up(fakeSsh, "--hosts", hosts.toString());
        assertThat(up.exit()).as(up.out()).isZero();
        assertThat(Files.readAllLines(runDir.resolve("cluster/nodes"))).extracting(l -> l.split(" ")[0] + " " + l.split(" ")[1])
                .containsExactly("coordinator gpu01.test", "trainer-0 gpu01.test", "trainer-1 gpu02.test",
                        "trainer-2 gpu02.test");
        Map<String, String> hostOf = Map.of("coordinator", "gpu01.test", "trainer-0", "gpu01.test",
                "trainer-1", "gpu02.test", "trainer-2", "gpu02.test");
        for (var e : hostOf.entrySet()) {
            String log = Files.readString(runDir.resolve("logs/" + e.getKey() + ".log"));
            assertThat(log).as(e.getKey()).contains("on: " + e.getValue())
                    .contains("--set cluster.host=" + e.getValue() + " --set transport.host=" + e.getValue())
                    .doesNotContain("127.0.0.1 ");
        }
        // The seed's Aeron directory (IPC) only for the trainer on the seed's host.
        assertThat(Files.readString(runDir.resolve("logs/trainer-0.log"))).contains("--aeron-dir /dev/shm/fake-aeron");
        assertThat(Files.readString(runDir.resolve("logs/trainer-1.log"))).doesNotContain("--aeron-dir");

        // A replacement keeps its host's addresses (restart reuses the recorded arguments).
        long trainer2 = pids().get(3);
        ProcessHandle.of(trainer2).orElseThrow().destroyForcibly();
        while (running(trainer2)) {
            Thread.sleep(20);
        }
        Result restart = script(fakeSsh, "restart", "--run-dir", runDir.toString(), "trainer-2");
        assertThat(restart.exit()).as(restart.out()).isZero();
        assertThat(Files.readString(runDir.resolve("logs/trainer-2.log"))).contains("on: gpu02.test")
                .contains("--set cluster.host=gpu02.test --set transport.host=gpu02.test");
        assertThat(script(fakeSsh, "down", "--run-dir", runDir.toString(), "--timeout", "5").out())
                .contains("trainer-1 on gpu02.test left").contains("coordinator on gpu01.test left");
    }

    @Test
    void localNodesBindToTheLoopback() throws Exception {
        assertThat(up(Map.of(), "--local", "1").exit()).isZero();
        for (String node : List.of("coordinator", "trainer-0")) {
            assertThat(Files.readString(runDir.resolve("logs/" + node + ".log"))).as(node)
                    .contains("--set cluster.host=127.0.0.1 --set transport.host=127.0.0.1");
        }
    }

    @Test
    void restartCoordinatorIsRefusedWhileTheSupervisorRuns() throws Exception {
        assertThat(up(Map.of(), "--local", "1").exit()).isZero();
        long supervisor = Long.parseLong(Files.readString(runDir.resolve("cluster/supervisor.pid")).strip());
        List<Long> before = pids();
        Result refused = script(Map.of(), "restart", "--run-dir", runDir.toString(), "coordinator");
        assertThat(refused.exit()).isEqualTo(2);
        assertThat(refused.out()).contains("restart coordinator refused: the supervisor (pid " + supervisor + ")");
        assertThat(pids()).isEqualTo(before).allMatch(pid -> running(pid));
        assertThat(running(supervisor)).isTrue();
        // The refusal is the supervisor's doing: once it is gone, the same command goes on to its usual checks.
        ProcessHandle.of(supervisor).orElseThrow().destroy();   // not via down: the nodes stay
        while (running(supervisor)) {
            Thread.sleep(20);
        }
        Result manual = script(Map.of(), "restart", "--run-dir", runDir.toString(), "coordinator");
        assertThat(manual.out()).as("without a supervisor the coordinator may be restarted by hand")
                .doesNotContain("refused").contains("coordinator on 127.0.0.1 is still running");
        assertThat(script(Map.of(), "down", "--run-dir", runDir.toString(), "--timeout", "5").exit()).isZero();

        // --max-restarts 0: no supervisor; restart coordinator is the manual path and works.
        Result up = up(Map.of(), "--local", "1", "--max-restarts", "0");
        assertThat(up.exit()).as(up.out()).isZero();
        assertThat(up.out()).doesNotContain("supervisor up");
        long coordinator = pids().get(0);
        ProcessHandle.of(coordinator).orElseThrow().destroyForcibly();
        while (running(coordinator)) {
            Thread.sleep(20);
        }
        Result restart = script(Map.of(), "restart", "--run-dir", runDir.toString(), "coordinator");
        assertThat(restart.exit()).as(restart.out()).isZero();
        assertThat(restart.out()).contains("restart 1: cluster up again");
        assertThat(pids().get(0)).isNotEqualTo(coordinator);
        assertThat(pids()).allMatch(pid -> running(pid));
    }
}
