package org.un2clip.data.synth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.un2clip.conf.KeyedRandom;
import org.un2clip.data.SkipLedger;
import org.un2clip.data.image.RgbImage;
import org.un2clip.data.mmvp.MmvpBenchmark;
import org.un2clip.data.source.RawRecord;
import org.un2clip.data.source.SampleSource;
import org.un2clip.data.source.Sources;

class MiniatureWorldTest {
    @TempDir
    Path dir;

    @Test
    void synthShardsAreByteIdenticalForTheSameSeed() throws Exception {
        SynthDatasetWriter.write(dir.resolve("a"), 25, 11, 64, 10);
        SynthDatasetWriter.write(dir.resolve("b"), 25, 11, 64, 10);
        SynthDatasetWriter.write(dir.resolve("c"), 25, 12, 64, 10);
        Map<String, String> a = hashes(dir.resolve("a"));
        assertThat(a.keySet()).containsExactly("synth-00000.tar", "synth-00001.tar", "synth-00002.tar");
        assertThat(hashes(dir.resolve("b"))).isEqualTo(a);
        assertThat(hashes(dir.resolve("c"))).isNotEqualTo(a);
    }

    @Test
    void synthShardsReadBackWithCaptionsAndAttributes() throws Exception {
        SynthDatasetWriter.write(dir, 12, 5, 48, 5);
        ObjectMapper json = new ObjectMapper();
        try (SampleSource src = Sources.open(List.of(dir.toString()), new SkipLedger(10, false))) {
            assertThat(src.size()).isEqualTo(12);
            for (int i = 0; i < 12; i++) {
                RawRecord r = src.read(i);
                Scene scene = SceneSampler.datasetScene(5, i);
                assertThat(r.imageExt()).isEqualTo("png");
                assertThat(new String(r.caption(), StandardCharsets.UTF_8)).isEqualTo(SceneCaptions.coarse(scene))
                        .startsWith("a photo of a");
                JsonNode meta = json.readTree(r.json());
                assertThat(meta.get("fine_caption").asText()).isEqualTo(SceneCaptions.fine(scene));
                assertThat(meta.get("attributes").get("kind").asText()).isEqualTo(scene.kind().noun());
                assertThat(meta.get("index").asInt()).isEqualTo(i);
            }
        }
    }

    @Test
    void pairBenchmarkIsByteIdenticalAndInMmvpLayout() throws Exception {
        PairBenchmarkWriter.write(dir.resolve("a"), 3, 9, 64, PairBenchmarkWriter.Format.PNG);
        PairBenchmarkWriter.write(dir.resolve("b"), 3, 9, 64, PairBenchmarkWriter.Format.PNG);
        PairBenchmarkWriter.write(dir.resolve("c"), 3, 10, 64, PairBenchmarkWriter.Format.PNG);
        Map<String, String> a = hashes(dir.resolve("a"));
        assertThat(a).hasSize(1 + 9 * 3 * 2);
        assertThat(hashes(dir.resolve("b"))).isEqualTo(a);
        assertThat(hashes(dir.resolve("c"))).isNotEqualTo(a);
        MmvpBenchmark bench = MmvpBenchmark.load(dir.resolve("a"));
        assertThat(bench.pairs()).hasSize(27);
        assertThat(bench.pairs().get(0).pattern()).isEqualTo("Orientation and Direction");
        assertThat(bench.pairs().get(26).pattern()).isEqualTo("Viewpoint and Perspective");
        assertThat(bench.pairs()).allSatisfy(p -> {
            assertThat(p.qid1() % 2).isEqualTo(1);
            assertThat(p.qid2()).isEqualTo(p.qid1() + 1);
            assertThat(p.statement1()).isNotEqualTo(p.statement2());
            assertThat(Files.readAllBytes(p.image1())).isNotEqualTo(Files.readAllBytes(p.image2()));
        });
    }

    @Test
    void everyPairDiffersInExactlyItsPatternsAttributeAndInPixels() {
        for (Pattern p : Pattern.values()) {
            for (int j = 0; j < 40; j++) {
                Scene[] pair = p.pair(KeyedRandom.of(3, 1 + p.ordinal(), j, KeyedRandom.Purpose.SYNTH_SCENE));
                Map<String, Object> a = pair[0].attributes();
                Map<String, Object> b = pair[1].attributes();
                Set<String> differing = new HashSet<>();
                a.forEach((k, v) -> {
                    if (!Objects.equals(v, b.get(k))) {
                        differing.add(k);
                    }
                });
                assertThat(differing).as(p + " pair " + j + ": " + a + " vs " + b).containsExactly(p.attribute());
                assertThat(SceneRenderer.render(pair[0], 64)).as(p + " pair " + j).isNotEqualTo(SceneRenderer.render(pair[1], 64));
                assertThat(SceneCaptions.description(pair[0])).isNotEqualTo(SceneCaptions.description(pair[1]));
            }
        }
    }

    @Test
    void renderingIsAliasedSoOnlyPaletteColoursAppear() {
        Set<Integer> palette = new HashSet<>(List.of(0xC8C8C8, 0x000000, 0xFFFFFF));
        for (Colour c : Colour.values()) {
            palette.add(c.rgb());
        }
        for (int i = 0; i < 50; i++) {
            RgbImage img = SceneRenderer.render(SceneSampler.datasetScene(1, i), 64);
            for (int k = 0; k < img.rgb().length; k += 3) {
                int rgb = (img.rgb()[k] & 0xFF) << 16 | (img.rgb()[k + 1] & 0xFF) << 8 | (img.rgb()[k + 2] & 0xFF);
                assertThat(palette).as("scene " + i).contains(rgb);
            }
        }
    }

    @Test
    void captionsAtTwoLevels() {
        Scene s = new Scene(ShapeKind.ARROW, Colour.RED, true, Placement.LEFT, Direction.LEFT, 2, true, false, '7', null, null,
                false, Viewpoint.FROM_LEFT);
        assertThat(SceneCaptions.coarse(s)).isEqualTo("a photo of an arrow");
        assertThat(SceneCaptions.fine(s)).isEqualTo("a photo of two large hollow red arrows pointing left, each with a dot in its middle,"
                + " in the center, with the digit 7 in the corner, seen from the left");
    }

    static Map<String, String> hashes(Path root) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                out.put(root.relativize(f).toString(), HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f))));
            }
        }
        return out;
    }
}
