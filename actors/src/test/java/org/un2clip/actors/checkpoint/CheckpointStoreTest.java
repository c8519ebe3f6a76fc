package org.un2clip.actors.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointStoreTest {
    @TempDir
    Path tmp;

    private static TrainingState state(long step) {
        return new TrainingState(step, step, 42, 0, step * 8, 1.0, new float[] {step, 2, 3}, new float[] {4, 5, 6},
                new float[] {7, 8, 9}, Double.NaN, 0);
    }

    @Test
    void keepsTheLastKAndFallsBackPastADamagedNewest() throws Exception {
        CheckpointStore store = new CheckpointStore(tmp, 2);
        store.write(state(1), "a = 1");
        store.write(state(2), "a = 1");
        Path newest = store.write(state(3), "a = 1");
        assertThat(store.list()).extracting(p -> p.getFileName().toString()).containsExactly("step-00000003",
                "step-00000002");
        assertThat(store.loadNewest().orElseThrow().master()).containsExactly(3, 2, 3);
        assertThat(Files.readString(newest.resolve("config.conf"))).isEqualTo("a = 1");

        try (RandomAccessFile f = new RandomAccessFile(newest.resolve("optimizer.safetensors").toFile(), "rw")) {
            f.seek(f.length() - 2);
            f.write(0x7f);
        }
        TrainingState back = store.loadNewest().orElseThrow();
        assertThat(back.step()).isEqualTo(2);
        assertThat(back.offset()).isEqualTo(16);

        Files.delete(store.list().get(1).resolve("manifest.json"));
        assertThat(store.loadNewest()).isEmpty();
        assertThat(tmp).isDirectoryNotContaining("glob:**/.tmp-*");
    }

    @Test
    void restoreNamesTheDamagedCheckpointsItSkippedAndTheOneItUses() throws Exception {
        CheckpointStore store = new CheckpointStore(tmp, 3);
        Path first = store.write(state(1), "a = 1");
        Path second = store.write(state(2), "a = 1");
        Path third = store.write(state(3), "a = 1");
        CheckpointStore.Restore clean = store.restore();
        assertThat(clean.checkpoint()).isEqualTo(third);
        assertThat(clean.skipped()).isEmpty();

        // The newest truncated, the one before it with one flipped bit.
        Path opt = third.resolve("optimizer.safetensors");
        try (RandomAccessFile f = new RandomAccessFile(opt.toFile(), "rw")) {
            f.setLength(f.length() / 2);
        }
        try (RandomAccessFile f = new RandomAccessFile(second.resolve("coordinator.json").toFile(), "rw")) {
            f.seek(3);
            int b = f.read();
            f.seek(3);
            f.write(b ^ 0x01);
        }
        CheckpointStore.Restore r = store.restore();
        assertThat(r.checkpoint()).isEqualTo(first);
        assertThat(r.state().orElseThrow().step()).isEqualTo(1);
        assertThat(r.skipped()).extracting(CheckpointStore.Damaged::checkpoint).containsExactly(third, second);
        assertThat(r.skipped().get(0).reason()).contains("optimizer.safetensors has").contains("manifest says");
        assertThat(r.skipped().get(1).reason()).contains("coordinator.json fails its CRC32C check");

        Files.delete(first.resolve("manifest.json"));
        CheckpointStore.Restore none = store.restore();
        assertThat(none.state()).isEmpty();
        assertThat(none.checkpoint()).isNull();
        assertThat(none.skipped()).hasSize(3);
    }

    @Test
    void anOperatorsLearningRateAndTheLossScalerSurviveTheCheckpoint() throws Exception {
        CheckpointStore store = new CheckpointStore(tmp, 2);
        store.write(state(1), "a = 1");
        assertThat(store.loadNewest().orElseThrow().lrOverride()).isNaN();
        TrainingState s = state(2);
        store.write(new TrainingState(s.step(), s.adamStep(), s.seed(), s.epoch(), s.offset(), s.lossScale(),
                s.master(), s.expAvg(), s.expAvgSq(), 1.5e-5, 0), "a = 1");
        assertThat(store.loadNewest().orElseThrow().lrOverride()).isEqualTo(1.5e-5);
        store.write(new TrainingState(3, 3, 42, 0, 24, 4096.0, s.master(), s.expAvg(), s.expAvgSq(), Double.NaN, 17),
                "a = 1");
        assertThat(store.loadNewest().orElseThrow()).extracting(TrainingState::lossScale,
                TrainingState::lossScaleGoodSteps).containsExactly(4096.0, 17);
    }
}
