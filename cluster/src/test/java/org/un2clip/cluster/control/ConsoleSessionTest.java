package org.un2clip.cluster.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConsoleSessionTest {

    @Test
    void watchRefreshesUntilToldToStopAndLocalCommandsSendNothing(@TempDir Path dir) {
        try (ControlEndpointFixture endpoint = new ControlEndpointFixture(dir)) {
            StringWriter text = new StringWriter();
            ConsoleSession session = new ConsoleSession(endpoint.client(), new PrintWriter(text));
            List<Long> waits = new ArrayList<>();
            assertThat(session.execute("watch 0.5", ms -> {
                waits.add(ms);
                return waits.size() < 3;
            })).isEqualTo(ConsoleSession.Outcome.OK);
            assertThat(waits).containsExactly(500L, 500L, 500L);
            assertThat(endpoint.run.calls).containsExactly("status", "status", "status");
            assertThat(text.toString().split("step 5/10", -1)).hasSize(4);

            endpoint.run.calls.clear();
            assertThat(session.execute("help", ms -> false)).isEqualTo(ConsoleSession.Outcome.OK);
            assertThat(text.toString()).contains("drain RANK");
            assertThat(session.execute("quit", ms -> false)).isEqualTo(ConsoleSession.Outcome.QUIT);
            assertThat(session.execute("   ", ms -> false)).isEqualTo(ConsoleSession.Outcome.OK);
            assertThat(session.execute("watch 0", ms -> false)).isEqualTo(ConsoleSession.Outcome.ERROR);
            assertThat(text.toString()).contains("error: watch: the period must be at least 0.1 s");
            assertThat(endpoint.run.calls).isEmpty();
        }
    }
}
