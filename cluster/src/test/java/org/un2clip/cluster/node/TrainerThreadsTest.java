package org.un2clip.cluster.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.un2clip.conf.Un2clipConfig;

class TrainerThreadsTest {

    @Test
    void automaticThreadsLeaveOneCoreToTheRuntimeAndSplitTheRestAmongTrainers() {
        var auto = Un2clipConfig.load(Optional.empty(), List.of());
        assertThat(LocalRun.threadsPerTrainer(auto, 1, 2)).isEqualTo(1);
        assertThat(LocalRun.threadsPerTrainer(auto, 1, 16)).isEqualTo(15);
        assertThat(LocalRun.threadsPerTrainer(auto, 4, 16)).isEqualTo(3);
        assertThat(LocalRun.threadsPerTrainer(auto, 4, 2)).as("never below one").isEqualTo(1);
        assertThat(LocalRun.threadsPerTrainer(auto, 1, 1)).isEqualTo(1);
    }

    @Test
    void aConfiguredCountIsTakenAsIs() {
        var fixed = Un2clipConfig.load(Optional.empty(), List.of("train.threads-per-trainer=6"));
        assertThat(LocalRun.threadsPerTrainer(fixed, 4, 2)).isEqualTo(6);
    }
}
