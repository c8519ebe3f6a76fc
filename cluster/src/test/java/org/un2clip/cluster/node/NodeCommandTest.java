package org.un2clip.cluster.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeCommandTest {

    @Test
    void aOneCoreTrainerJvmStillCollectsWithG1() throws IOException, InterruptedException {
        List<String> cmd = LocalCluster.nodeCommand(1);
        assertThat(cmd).containsOnlyOnce("-XX:ActiveProcessorCount=1", "-XX:+UseG1GC");
        assertThat(cmd.get(cmd.size() - 1)).isEqualTo("node");

        // The JVM those flags start really runs G1 (on its own, one active processor means the serial collector).
        List<String> jvm = new ArrayList<>(cmd.subList(0, cmd.indexOf("-cp")));
        jvm.addAll(List.of("-XX:+PrintFlagsFinal", "-version"));
        Process p = new ProcessBuilder(jvm).redirectErrorStream(true).start();
        String flags = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isZero();
        assertThat(flags).containsPattern("bool UseG1GC\\s+= true").containsPattern("bool UseSerialGC\\s+= false");
    }
}
