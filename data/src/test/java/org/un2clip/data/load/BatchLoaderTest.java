package org.un2clip.data.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.un2clip.data.DatasetVerifier;
import org.un2clip.data.SkipLedger;
import org.un2clip.data.SkipReason;
import org.un2clip.data.TestImages;
import org.un2clip.data.image.ImageDecoder;
import org.un2clip.data.image.RgbImage;
import org.un2clip.data.preprocess.ImagePreprocessor;
import org.un2clip.data.preprocess.PixelView;
import org.un2clip.data.sampler.GlobalSampler;
import org.un2clip.data.sampler.SamplerState;
import org.un2clip.data.source.SampleSource;
import org.un2clip.data.source.Sources;
import org.un2clip.data.tar.TarWriter;

class BatchLoaderTest {
    @TempDir
    Path dir;

    static final List<PixelView> VIEWS = List.of(new PixelView.OpenAiClip(8));

    /** A shard with good samples interleaved with one of every kind of bad record; the tar is cut at the end. */
    Path shardWithEveryBadCase() throws Exception {
        Path p = dir.resolve("mixed-000.tar");
        byte[] good = TestImages.png(TestImages.smooth(12, 10));
        byte[] jpg = TestImages.jpeg(TestImages.smooth(64, 64));
        byte[] huge = TestImages.pngHeaderOnly(40_000, 40_000);
        try (OutputStream os = Files.newOutputStream(p); TarWriter w = new TarWriter(os)) {
            w.add("g0.png", good);
            w.add("g0.txt", "good zero".getBytes(StandardCharsets.UTF_8));
            w.add("corrupt.jpg", Arrays.copyOf(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0, 2}, 80));
            w.add("truncated.jpg", Arrays.copyOf(jpg, jpg.length / 2));
            w.add("empty.jpg", new byte[0]);
            w.add("wrongext.jpg", good);
            w.add("g1.png", good);
            w.add("g1.txt", "good one".getBytes(StandardCharsets.UTF_8));
            w.add("../escape.png", good);
            w.add("badcaption.png", good);
            w.add("badcaption.txt", new byte[] {'x', (byte) 0xFF, (byte) 0xFE});
            w.add("nocaption.png", good);
            w.add("bomb.png", huge);
            w.add("g2.png", good);
            w.add("g2.txt", "good two".getBytes(StandardCharsets.UTF_8));
            w.add("cut.png", good);
        }
        byte[] all = Files.readAllBytes(p);
        // Cut the archive inside the last member's content (cut.png): the truncated-tar case.
        int header = new String(all, StandardCharsets.ISO_8859_1).lastIndexOf("cut.png");
        Files.write(p, Arrays.copyOf(all, header + 512 + good.length / 2));
        return p;
    }

    @Test
    void everyBadRecordIsSkippedCountedAndNamedAndTheRunGoesOn() throws Exception {
        Path shard = shardWithEveryBadCase();
        SkipLedger ledger = new SkipLedger(100, false);
        try (SampleSource src = Sources.open(List.of(shard.toString()), ledger)) {
            assertThat(ledger.count(SkipReason.UNSAFE_PATH)).isEqualTo(1);
            assertThat(ledger.count(SkipReason.TRUNCATED_TAR)).isEqualTo(1);
            RecordDecoder records = new RecordDecoder(src, new ImageDecoder(89_478_485L, true), true);
            int[] all = java.util.stream.IntStream.range(0, src.size()).toArray();
            try (BatchLoader loader = new BatchLoader(records, new ImagePreprocessor(VIEWS), ledger,
                    List.of(Arrays.copyOfRange(all, 0, 5), Arrays.copyOfRange(all, 5, all.length)).iterator(), 2, 2)) {
                LoadedBatch b0 = loader.next();
                LoadedBatch b1 = loader.next();
                assertThat(loader.next()).isNull();
                List<String> captions = new ArrayList<>(Arrays.asList(b0.captions()));
                captions.addAll(Arrays.asList(b1.captions()));
                assertThat(captions).containsExactly("good zero", "good one", "good two");
                assertThat(b0.requested() + b1.requested()).isEqualTo(src.size());
                assertThat(b0.pixels(0)).hasSize(b0.size() * VIEWS.get(0).length());
            }
        }
        Map<SkipReason, Long> counts = ledger.counts();
        assertThat(counts).containsEntry(SkipReason.CORRUPT_IMAGE, 1L).containsEntry(SkipReason.TRUNCATED_IMAGE, 1L)
                .containsEntry(SkipReason.ZERO_BYTE_FILE, 1L).containsEntry(SkipReason.WRONG_EXTENSION, 1L)
                .containsEntry(SkipReason.BAD_CAPTION_ENCODING, 1L).containsEntry(SkipReason.MISSING_CAPTION, 1L)
                .containsEntry(SkipReason.TOO_MANY_PIXELS, 1L).containsEntry(SkipReason.UNSAFE_PATH, 1L)
                .containsEntry(SkipReason.TRUNCATED_TAR, 1L);
        assertThat(ledger.records()).extracting(r -> r.key())
                .contains("corrupt", "truncated", "empty", "wrongext", "../escape.png", "badcaption", "nocaption", "bomb", "cut");
        assertThat(ledger.records()).allSatisfy(r -> assertThat(r.source()).isEqualTo(shard.toString()));
    }

    @Test
    void verifierCountsTheSameWayWithoutCaptionsRequired() throws Exception {
        Path shard = shardWithEveryBadCase();
        SkipLedger ledger = new SkipLedger(100, false);
        DatasetVerifier.Report r;
        try (SampleSource src = Sources.open(List.of(shard.toString()), ledger)) {
            r = DatasetVerifier.verify(src, new ImageDecoder(89_478_485L, true), false, 2, ledger);
        }
        assertThat(r.ok()).isEqualTo(4); // g0, g1, g2, nocaption (captions not required)
        assertThat(r.bad()).isEqualTo(8);
        assertThat(ledger.count(SkipReason.MISSING_CAPTION)).isZero();
    }

    @Test
    void batchesComeInShareOrderWithPixelsOfTheirSamples() throws Exception {
        List<RgbImage> images = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            RgbImage img = TestImages.random(9 + i, 11, i);
            images.add(img);
            Files.write(dir.resolve(String.format("img%02d.png", i)), TestImages.png(img));
        }
        SkipLedger ledger = new SkipLedger(10, false);
        GlobalSampler sampler = new GlobalSampler(12, 4, 5);
        try (SampleSource src = Sources.open(List.of(dir.toString()), ledger);
             BatchLoader loader = new BatchLoader(new RecordDecoder(src, new ImageDecoder(1 << 20, true), false),
                     new ImagePreprocessor(VIEWS), ledger, new RankBatches(sampler, SamplerState.START, 2, 1, 3), 3, 2)) {
            SamplerState at = SamplerState.START;
            for (int step = 0; step < 3; step++) {
                LoadedBatch b = loader.next();
                assertThat(b.samples()).isEqualTo(sampler.plan(at, 2).share(1).samples());
                for (int i = 0; i < b.size(); i++) {
                    float[] expected = ImagePreprocessor.single(images.get(b.samples()[i]), VIEWS.get(0));
                    assertThat(Arrays.copyOfRange(b.pixels(0), i * expected.length, (i + 1) * expected.length)).isEqualTo(expected);
                }
                at = sampler.next(at);
            }
            assertThat(loader.next()).isNull();
        }
    }

    @Test
    void trainingLoaderFromTheConfiguration() throws Exception {
        for (int i = 0; i < 6; i++) {
            Files.write(dir.resolve("i" + i + ".jpg"), TestImages.jpeg(TestImages.smooth(30 + i, 20)));
        }
        org.un2clip.data.DataSettings s = org.un2clip.data.DataSettings.from(org.un2clip.conf.Un2clipConfig.load(
                java.util.Optional.empty(), List.of("data.image-size=32", "data.clip-size=16", "data.prefetch=1")));
        SkipLedger ledger = s.ledger();
        try (SampleSource src = s.open(List.of(dir.toString()), ledger);
             BatchLoader loader = s.trainingLoader(src, new GlobalSampler(src.size(), 4, 0), SamplerState.START, 2, 0, 3, ledger)) {
            LoadedBatch b = loader.next();
            assertThat(b.views()).containsExactly(new PixelView.Vae(32), new PixelView.StabilityClip(32, 16, true));
            assertThat(b.size()).isEqualTo(2);
            assertThat(b.pixels(0)).hasSize(2 * 3 * 32 * 32);
            assertThat(b.pixels(1)).hasSize(2 * 3 * 16 * 16);
            assertThat(loader.next().size()).isEqualTo(1); // step 2 of 6 samples at batch 4: the epoch's last 2, rank 0 of 2
            assertThat(loader.next().size()).isEqualTo(2);
            assertThat(loader.next()).isNull();
        }
    }

    @Test
    void backPressureBoundsWhatIsLoadedAhead() throws Exception {
        Files.write(dir.resolve("a.png"), TestImages.png(TestImages.smooth(8, 8)));
        AtomicInteger pulled = new AtomicInteger();
        Iterator<int[]> endless = new Iterator<>() {
            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public int[] next() {
                pulled.incrementAndGet();
                return new int[] {0};
            }
        };
        SkipLedger ledger = new SkipLedger(10, false);
        try (SampleSource src = Sources.open(List.of(dir.toString()), ledger);
             BatchLoader loader = new BatchLoader(new RecordDecoder(src, new ImageDecoder(1 << 20, true), false),
                     new ImagePreprocessor(VIEWS), ledger, endless, 1, 2)) {
            Thread.sleep(300);
            assertThat(loader.queued()).isEqualTo(2);
            assertThat(pulled.get()).isLessThanOrEqualTo(3);
            loader.next();
            Thread.sleep(200);
            assertThat(pulled.get()).isLessThanOrEqualTo(4);
        }
    }
}
