package org.un2clip.data.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.un2clip.data.BadRecordException;
import org.un2clip.data.SkipLedger;
import org.un2clip.data.SkipReason;
import org.un2clip.data.TestImages;
import org.un2clip.data.tar.TarWriter;

class ShardIndexTest {
    @TempDir
    Path dir;

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    Path shard(String name, Object... namesAndBytes) throws IOException {
        Path p = dir.resolve(name);
        try (OutputStream os = Files.newOutputStream(p); TarWriter w = new TarWriter(os)) {
            for (int i = 0; i < namesAndBytes.length; i += 2) {
                Object c = namesAndBytes[i + 1];
                w.add((String) namesAndBytes[i], c instanceof String s ? utf8(s) : (byte[]) c);
            }
        }
        return p;
    }

    @Test
    void groupsMembersByKeyAsWebDatasetDoes() throws Exception {
        byte[] jpg = TestImages.jpeg(TestImages.smooth(8, 8));
        byte[] png = TestImages.png(TestImages.smooth(8, 8));
        Path p = shard("s.tar", "000000000.jpg", jpg, "000000000.txt", "a dog", "000000000.json", "{\"k\":1}",
                "sub/000000001.png", png, "sub/000000001.txt", "a cat", "000000002.seg.png", png, "000000002.jpg", jpg);
        SkipLedger ledger = new SkipLedger();
        ShardIndex index = ShardIndex.scan(p, ledger);
        assertThat(index.entries()).extracting(ShardIndex.Entry::key).containsExactly("000000000", "sub/000000001", "000000002");
        assertThat(index.entries()).extracting(ShardIndex.Entry::imageExt).containsExactly("jpg", "png", "jpg");
        assertThat(ledger.total()).isZero();
        try (WebDatasetSource src = new WebDatasetSource(index)) {
            assertThat(src.isOpen()).isFalse();
            RawRecord r = src.read(1);
            assertThat(src.isOpen()).isTrue();
            assertThat(r.image()).isEqualTo(png);
            assertThat(new String(r.caption(), StandardCharsets.UTF_8)).isEqualTo("a cat");
            assertThat(r.json()).isNull();
            assertThat(new String(src.read(0).json(), StandardCharsets.UTF_8)).isEqualTo("{\"k\":1}");
            assertThat(src.read(2).image()).isEqualTo(jpg);
        }
    }

    @Test
    void unsafeMembersAndKeysWithoutImageAreSkippedAndCounted() throws Exception {
        byte[] jpg = TestImages.jpeg(TestImages.smooth(8, 8));
        Path p = shard("s.tar", "a.jpg", jpg, "../evil.jpg", jpg, "b.txt", "orphan caption", "/abs.jpg", jpg, "c.jpg", jpg);
        SkipLedger ledger = new SkipLedger();
        ShardIndex index = ShardIndex.scan(p, ledger);
        assertThat(index.entries()).extracting(ShardIndex.Entry::key).containsExactly("a", "c");
        assertThat(ledger.count(SkipReason.UNSAFE_PATH)).isEqualTo(2);
        assertThat(ledger.count(SkipReason.MISSING_IMAGE)).isEqualTo(1);
        assertThat(ledger.records()).extracting(r -> r.key()).containsExactlyInAnyOrder("../evil.jpg", "b", "/abs.jpg");
        assertThat(ledger.records()).allSatisfy(r -> assertThat(r.source()).isEqualTo(p.toString()));
    }

    @Test
    void truncatedShardKeepsTheCompleteSamplesAndNamesTheBrokenOne() throws Exception {
        byte[] jpg = TestImages.jpeg(TestImages.smooth(32, 32));
        Path p = shard("s.tar", "a.jpg", jpg, "a.txt", "first", "b.jpg", jpg, "b.txt", "second");
        byte[] all = Files.readAllBytes(p);
        // Cut in the middle of b.jpg's content.
        int bOffset = 512 + pad(jpg.length) + 512 + 512 + 512;
        Files.write(p, Arrays.copyOf(all, bOffset + jpg.length / 2));
        SkipLedger ledger = new SkipLedger();
        ShardIndex index = ShardIndex.scan(p, ledger);
        assertThat(index.entries()).extracting(ShardIndex.Entry::key).containsExactly("a");
        assertThat(ledger.count(SkipReason.TRUNCATED_TAR)).isEqualTo(1);
        assertThat(ledger.records().get(0).key()).isEqualTo("b");
    }

    @Test
    void shardPatternsExpand() {
        assertThat(ShardPatterns.expand("cc3m-{00000..00003}.tar"))
                .containsExactly("cc3m-00000.tar", "cc3m-00001.tar", "cc3m-00002.tar", "cc3m-00003.tar");
        assertThat(ShardPatterns.expand("x-{8..11}.tar")).containsExactly("x-8.tar", "x-9.tar", "x-10.tar", "x-11.tar");
        assertThat(ShardPatterns.expand("{a,b}/p-{0..1}.tar")).containsExactly("a/p-0.tar", "a/p-1.tar", "b/p-0.tar", "b/p-1.tar");
        assertThat(ShardPatterns.expand("plain.tar")).containsExactly("plain.tar");
    }

    @Test
    void sourcesOpenPatternsLazilyAndNameMissingPaths() throws Exception {
        byte[] png = TestImages.png(TestImages.smooth(8, 8));
        shard("p-00.tar", "a.png", png, "b.png", png);
        shard("p-01.tar", "c.png", png);
        SkipLedger ledger = new SkipLedger();
        try (SampleSource src = Sources.open(List.of(dir + "/p-{00..01}.tar"), ledger)) {
            assertThat(src.size()).isEqualTo(3);
            assertThat(src.location(2)).isEqualTo(new SampleLocation(dir.resolve("p-01.tar").toString(), "c"));
            src.read(0);
            List<SampleSource> parts = ((ConcatSource) src).parts();
            assertThat(((WebDatasetSource) parts.get(0)).isOpen()).isTrue();
            assertThat(((WebDatasetSource) parts.get(1)).isOpen()).isFalse();
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Sources.open(List.of(dir + "/p-{00..02}.tar"), ledger))
                .isInstanceOf(DataSourceException.class).hasMessageContaining("p-02.tar");
    }

    @Test
    void captionsAreStrictUtf8() throws Exception {
        assertThat(Captions.decode(utf8("  caf\u00e9 \n"))).isEqualTo("caf\u00e9");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Captions.decode(new byte[] {'a', (byte) 0xC3, '(', 'b'}))
                .isInstanceOfSatisfying(BadRecordException.class, e -> assertThat(e.reason()).isEqualTo(SkipReason.BAD_CAPTION_ENCODING));
    }

    private static int pad(int n) {
        return (n + 511) / 512 * 512;
    }
}
