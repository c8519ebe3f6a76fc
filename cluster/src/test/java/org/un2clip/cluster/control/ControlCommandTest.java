package org.un2clip.cluster.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ControlCommandTest {

    @Test
    void consoleLinesParseAndRouteBackToTheSameCommand() {
        for (String line : new String[] {"status", "pause", "resume", "checkpoint", "set lr 0.001", "drain 2",
                "kill 0", "stop", "  SET  LR  1e-5 "}) {
            ControlCommand c = ControlCommand.parse(line);
            assertThat(ControlCommand.route(c.method(), c.path())).as(line).isEqualTo(c);
        }
        assertThat(ControlCommand.parse("set lr 1e-5")).isEqualTo(new ControlCommand.SetLr(1e-5));
    }

    @Test
    void badLinesNameTheProblem() {
        assertThatThrownBy(() -> ControlCommand.parse("reboot")).hasMessageContaining("unknown command 'reboot'");
        assertThatThrownBy(() -> ControlCommand.parse("set lr")).hasMessageContaining("usage: set lr V");
        assertThatThrownBy(() -> ControlCommand.parse("set lr NaN")).hasMessageContaining("finite");
        assertThatThrownBy(() -> ControlCommand.parse("drain")).hasMessageContaining("usage: drain RANK");
        assertThatThrownBy(() -> ControlCommand.parse("kill -1")).hasMessageContaining("rank must be >= 0");
        assertThatThrownBy(() -> ControlCommand.parse("pause now")).hasMessageContaining("takes no arguments");
    }

    @Test
    void statusTextShowsWhatTheOperatorNeeds() {
        String text = StatusText.format(FakeRunControl.sampleStatus(0.125));
        assertThat(text).contains("run fake-run  step 5/10 (50.0%)  loss 0.125000  lr 1.00e-05  42.5 img/s  ETA 12s")
                .contains("STALLED, waiting on ranks [1]")
                .contains("last checkpoint: step 4 at runs/fake/checkpoints/step-4")
                .contains("127.0.0.1:2552").contains("trainer")
                .contains("last step 0.250 s, 0.100 s ago");
        assertThat(text.lines().filter(l -> l.contains("LATE"))).hasSize(1).allMatch(l -> l.contains("  1  "));
        assertThat(StatusText.duration(3723)).isEqualTo("1h02m03s");
        assertThat(StatusText.duration(-1)).isEqualTo("-");
    }
}
