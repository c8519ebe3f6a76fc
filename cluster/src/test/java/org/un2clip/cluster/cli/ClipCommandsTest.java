package org.un2clip.cluster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.un2clip.model.io.SafeTensorsFile;
import org.un2clip.model.io.WeightSource;

class ClipCommandsTest {

    @Test
    void tokenizePrintsOneLineOfIdsPerText() {
        MainTest.Run r = MainTest.run("tokenize", "--no-pad", "a photo of a cat", "A photo of a dog.");
        assertThat(r.exit()).isZero();
        assertThat(r.out().strip().split("\n")).containsExactly(
                "49406 320 1125 539 320 2368 49407", "49406 320 1125 539 320 1929 269 49407");
        MainTest.Run padded = MainTest.run("tokenize", "cat");
        assertThat(padded.out().strip().split(" ")).hasSize(77).endsWith("0");
    }

    @Test
    void convertToHfAndBackIsExact(@TempDir Path dir) {
        Path golden = MainTest.GoldenPaths.weights();
        Path hf = dir.resolve("hf.safetensors");
        Path openai = dir.resolve("openai.safetensors");
        MainTest.Run toHf = MainTest.run("clip", "convert", golden.toString(), hf.toString(), "--to", "hf");
        assertThat(toHf.exit()).as(toHf.err()).isZero();
        assertThat(toHf.out()).contains("(OPENAI naming)").contains("(HF naming)");
        MainTest.Run back = MainTest.run("clip", "convert", hf.toString(), openai.toString(), "--to", "openai");
        assertThat(back.exit()).as(back.err()).isZero();
        try (WeightSource original = SafeTensorsFile.open(golden); WeightSource roundTrip = SafeTensorsFile.open(openai)) {
            assertThat(roundTrip.names()).allMatch(n -> n.startsWith("visual.")).hasSize(32);
            for (String name : roundTrip.names()) {
                assertThat(java.util.Arrays.equals(roundTrip.readFloats(name), original.readFloats(name))).as(name).isTrue();
            }
        }
    }

    @Test
    void convertErrorsAreClear(@TempDir Path dir) {
        MainTest.Run badTarget = MainTest.run("clip", "convert", MainTest.GoldenPaths.weights().toString(),
                dir.resolve("x.safetensors").toString(), "--to", "onnx");
        assertThat(badTarget.exit()).isEqualTo(2);
        assertThat(badTarget.err()).contains("--to must be openai, bare or hf");
        MainTest.Run wrongPreset = MainTest.run("clip", "convert", MainTest.GoldenPaths.weights().toString(),
                dir.resolve("y.safetensors").toString(), "--to", "hf", "--preset", "ViT-B-32");
        assertThat(wrongPreset.exit()).isEqualTo(2);
        assertThat(wrongPreset.err()).contains("shape mismatch: conv1.weight");
    }
}
