package org.un2clip.cluster.ops;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy;
import ch.qos.logback.core.util.FileSize;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The soak reads a node's log across its rotations: real files rotated by logback and by bin/un2clip-cluster. */
class NodeLogsTest {
    @TempDir
    Path tmp;

    @Test
    void aLogIsReadAcrossItsRotatedFilesOldestFirst() throws Exception {
        Path logs = Files.createDirectories(tmp.resolve("logs"));
        List<String> written = new ArrayList<>();
        // A run the supervisor restarted: the script kept the lost coordinator's log.
        written.add("trainer 1 lost (unreachable) #0\n");
        Files.writeString(logs.resolve("coordinator.log.restart-1"), written.get(0));
        // Other nodes' logs are not the coordinator's.
        Files.writeString(logs.resolve("trainer-0.log"), "trainer 1 lost (not this one)\n");
        Files.writeString(logs.resolve("supervisor.log"), "trainer 1 lost (nor this)\n");
        Thread.sleep(50);     // file times order the files: one step of the kernel's clock apart at least

        // The restarted coordinator logs through a logback rolling appender (gzip-compressed rotations).
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());   // 1.5 needs one to append
        context.start();
        RollingFileAppender<ILoggingEvent> appender = new RollingFileAppender<>();
        appender.setContext(context);
        appender.setFile(logs.resolve("coordinator.log").toString());
        FixedWindowRollingPolicy rolling = new FixedWindowRollingPolicy();
        rolling.setContext(context);
        rolling.setParent(appender);
        rolling.setFileNamePattern(logs.resolve("coordinator.log.%i.gz").toString());
        rolling.setMinIndex(1);
        rolling.setMaxIndex(9);
        rolling.start();
        SizeBasedTriggeringPolicy<ILoggingEvent> trigger = new SizeBasedTriggeringPolicy<>();
        trigger.setMaxFileSize(FileSize.valueOf("10MB"));   // the test rolls over itself, at known points
        trigger.setContext(context);
        trigger.start();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%msg%n");
        encoder.start();
        appender.setEncoder(encoder);
        appender.setRollingPolicy(rolling);
        appender.setTriggeringPolicy(trigger);
        appender.start();
        Logger log = context.getLogger("coordinator");
        log.addAppender(appender);
        log.setAdditive(false);

        NodeLogs nodeLogs = new NodeLogs(logs, "coordinator");
        int line = 1;
        for (int rotation = 0; rotation < 3; rotation++) {
            for (int i = 0; i < 4; i++, line++) {
                String text = (i % 2 == 0 ? "trainer 1 lost (stalled in step " + line + ")" : "rank 1 rejoined") + " #" + line;
                log.warn(text);
                written.add(text + "\n");
            }
            int before = Soak.count(nodeLogs.read(), "trainer 1 lost");
            Thread.sleep(50);
            appender.rollover();
            Thread.sleep(50);
            // What rotated away still counts: the soak compares counts before and after a fault.
            assertThat(Soak.count(nodeLogs.read(), "trainer 1 lost")).as("after rotation %d", rotation).isEqualTo(before);
        }
        log.warn("done: 12 steps #" + line);
        written.add("done: 12 steps #" + line + "\n");
        context.stop();

        assertThat(nodeLogs.files()).extracting(p -> p.getFileName().toString()).containsExactly(
                "coordinator.log.restart-1", "coordinator.log.3.gz", "coordinator.log.2.gz", "coordinator.log.1.gz",
                "coordinator.log");
        try (InputStream in = Files.newInputStream(logs.resolve("coordinator.log.3.gz"))) {
            assertThat(in.readNBytes(2)).as("gzip magic: a real compressed rotation").containsExactly(0x1f, 0x8b);
        }
        assertThat(nodeLogs.read()).isEqualTo(String.join("", written));
        assertThat(Soak.count(nodeLogs.read(), "trainer 1 lost")).isEqualTo(1 + 6);
        assertThat(new NodeLogs(tmp.resolve("none"), "coordinator").read()).isEmpty();
    }
}
