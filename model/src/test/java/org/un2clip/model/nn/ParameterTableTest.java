package org.un2clip.model.nn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.un2clip.model.io.DType;
import org.un2clip.model.io.SafeTensorsFile;
import org.un2clip.model.io.SafeTensorsWriter;
import org.junit.jupiter.api.Test;

class ParameterTableTest {

    @Test
    void installingParametersWritesTheirStorageSoEarlierViewsSeeTheNewValues() {
        try (NDManager m = NDManager.newBaseManager(); ParameterTable t = new ParameterTable(m)) {
            t.add("a", 2, 3);
            t.add("b", 2);
            t.setTrainable(true);
            NDArray row = t.get("a").get("1"); // a view taken before the install, as model code may hold one
            float[] flat = {1, 2, 3, 4, 5, 6, 7, 8};
            for (int round = 0; round < 50; round++) {
                flat[0] = round;
                t.copyFrom(FloatBuffer.wrap(flat));
                System.gc(); // a swapped-out storage would be freed here
                assertThat(t.get("a").toFloatArray()).containsExactly(round, 2, 3, 4, 5, 6);
                assertThat(row.toFloatArray()).containsExactly(4, 5, 6);
            }
            float[] out = new float[8];
            t.copyTo(FloatBuffer.wrap(out));
            assertThat(out).containsExactly(49, 2, 3, 4, 5, 6, 7, 8);
            t.set("b", new float[] {-1, -2});
            assertThat(t.get("b").toFloatArray()).containsExactly(-1, -2);
        }
    }

    @Test
    void loadingReadsStraightIntoTheParametersStorage(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("w.safetensors");
        new SafeTensorsWriter().add("a", new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6})
                .add("b", DType.BF16, new long[] {2}, new float[] {-1.5f, 8}).write(file);
        try (NDManager m = NDManager.newBaseManager(); ParameterTable t = new ParameterTable(m);
             SafeTensorsFile source = SafeTensorsFile.open(file)) {
            t.add("a", 2, 3);
            t.add("b", 2);
            NDArray row = t.get("a").get("1");
            t.load("test weights", source, true);
            assertThat(t.get("a").toFloatArray()).containsExactly(1, 2, 3, 4, 5, 6);
            assertThat(row.toFloatArray()).as("a view taken before loading sees the loaded values").containsExactly(4, 5, 6);
            assertThat(t.get("b").toFloatArray()).containsExactly(-1.5f, 8);
        }
    }

    @Test
    void copyFromAdvancesTheBufferByTheTableSize() {
        try (NDManager m = NDManager.newBaseManager(); ParameterTable t = new ParameterTable(m)) {
            t.add("w", 3);
            FloatBuffer flat = FloatBuffer.wrap(new float[] {1, 2, 3, 9});
            t.copyFrom(flat);
            assertThat(flat.position()).isEqualTo(3);
            assertThat(t.parameterCount()).isEqualTo(3);
        }
    }
}
