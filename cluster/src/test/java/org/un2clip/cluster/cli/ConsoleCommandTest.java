package org.un2clip.cluster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.un2clip.cluster.control.ControlEndpointFixture;

/** The console's one-shot mode against a real endpoint over a fake run. */
class ConsoleCommandTest {
    @TempDir
    static Path runDir;
    static ControlEndpointFixture endpoint;

    @BeforeAll
    static void start() {
        endpoint = new ControlEndpointFixture(runDir);
    }

    @AfterAll
    static void stop() {
        endpoint.close();
    }

    @BeforeEach
    void clear() {
        endpoint.run.calls.clear();
    }

    private static MainTest.Run exec(String command) {
        return MainTest.run("console", "--connect", endpoint.server.address(), "--token-file",
                runDir.resolve("control.token").toString(), "--exec", command);
    }

    @Test
    void statusPrintsTheRun() {
        MainTest.Run r = exec("status");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("run fake-run  step 5/10").contains("last checkpoint: step 4");
        assertThat(endpoint.run.calls).containsExactly("status");
    }

    @Test
    void commandsDriveTheRun() {
        assertThat(exec("pause").out()).contains("ok: pause done");
        assertThat(exec("resume").exit()).isZero();
        assertThat(exec("set lr 3e-6").exit()).isZero();
        assertThat(exec("checkpoint").exit()).isZero();
        assertThat(exec("drain 1").exit()).isZero();
        assertThat(exec("stop").exit()).isZero();
        assertThat(endpoint.run.calls).containsExactly("pause", "resume", "setLr 3.0E-6", "checkpoint", "drain 1",
                "stop");
    }

    @Test
    void aRefusedCommandExitsOne() {
        endpoint.run.refuseNext = true;
        MainTest.Run r = exec("kill 4");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("refused: kill 4 refused");
    }

    @Test
    void aBadCommandIsAnErrorAndSendsNothing() {
        MainTest.Run r = exec("set lr fast");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).contains("error: not a learning rate: 'fast'");
        assertThat(endpoint.run.calls).isEmpty();
    }

    @Test
    void theRunDirIsEnoughOnTheCoordinatorsHost() {
        MainTest.Run r = MainTest.run("console", "--run-dir", runDir.toString(), "--exec", "status");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("step 5/10");
    }

    @Test
    void aWrongTokenIsRefused(@TempDir Path dir) throws Exception {
        Path wrong = dir.resolve("t");
        Files.writeString(wrong, "deadbeef");
        MainTest.Run r = MainTest.run("console", "--connect", endpoint.server.address(), "--token-file",
                wrong.toString(), "--exec", "stop");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).contains("missing or wrong control token");
        assertThat(endpoint.run.calls).isEmpty();
    }

    @Test
    void missingTokenOrAddressAreClearErrors(@TempDir Path empty) {
        MainTest.Run noToken = MainTest.run("console", "--connect", "127.0.0.1:1", "--exec", "status");
        assertThat(noToken.exit()).isEqualTo(2);
        assertThat(noToken.err()).contains("--token-file");
        MainTest.Run noRun = MainTest.run("console", "--run-dir", empty.toString(), "--exec", "status");
        assertThat(noRun.exit()).isEqualTo(2);
        assertThat(noRun.err()).contains("control.address does not exist");
    }

    @Test
    void aDeadEndpointIsNamed() throws Exception {
        MainTest.Run r = MainTest.run("console", "--connect", "127.0.0.1:1", "--token-file",
                runDir.resolve("control.token").toString(), "--exec", "status");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).contains("cannot connect to the control endpoint 127.0.0.1:1");
    }
}
