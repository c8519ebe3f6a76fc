package org.un2clip.data;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.util.List;
import org.un2clip.data.image.ImageDecoder;
import org.un2clip.data.load.BatchLoader;
import org.un2clip.data.load.RankBatches;
import org.un2clip.data.load.RecordDecoder;
import org.un2clip.data.preprocess.ImagePreprocessor;
import org.un2clip.data.preprocess.PixelView;
import org.un2clip.data.sampler.GlobalSampler;
import org.un2clip.data.sampler.SamplerState;
import org.un2clip.data.source.SampleSource;
import org.un2clip.data.source.ShardIndexCache;
import org.un2clip.data.source.Sources;

/** The {@code data} section of the configuration, typed (keys documented in conf/defaults.conf). */
public record DataSettings(List<String> paths, String captionsFile, boolean captionsRequired, int imageSize, int clipSize,
                           boolean clipAntialias, int decodeThreads, int prefetch, long maxPixels, boolean exifOrientation,
                           String indexCache, int keepBadRecords, int synthImageSize, int synthShardSize) {

    public static DataSettings from(Config root) {
        Config c = root.getConfig("data");
        return new DataSettings(c.getStringList("paths"), c.getString("captions-file"), c.getBoolean("captions-required"),
                positive(c, "image-size"), positive(c, "clip-size"), c.getBoolean("clip-antialias"),
                positive(c, "decode-threads"), positive(c, "prefetch"), c.getLong("max-pixels"),
                c.getBoolean("exif-orientation"), c.getString("index-cache"), c.getInt("keep-bad-records"),
                positive(c, "synth.image-size"), positive(c, "synth.shard-size"));
    }

    /** Opens {@code paths} (the configured ones when empty) with the configured captions file and index cache. */
    public SampleSource open(List<String> paths, SkipLedger ledger) {
        return Sources.open(paths.isEmpty() ? this.paths : paths, captionsFile.isEmpty() ? null : Path.of(captionsFile),
                indexCache.isEmpty() ? null : new ShardIndexCache(Path.of(indexCache)), ledger);
    }

    /**
     * A rank's loader for the un²CLIP training layout: its shares of {@code steps} steps from {@code from},
     * decoded with this section's decoder, threads and prefetch.
     */
    public BatchLoader trainingLoader(SampleSource source, GlobalSampler sampler, SamplerState from, int worldSize, int rank,
                                      long steps, SkipLedger ledger) {
        return new BatchLoader(new RecordDecoder(source, decoder(), captionsRequired), new ImagePreprocessor(trainingViews()),
                ledger, new RankBatches(sampler, from, worldSize, rank, steps), decodeThreads, prefetch);
    }

    public ImageDecoder decoder() {
        return new ImageDecoder(maxPixels, exifOrientation);
    }

    /** The un²CLIP training layout: the VAE image and the encoder's input made from it. */
    public List<PixelView> trainingViews() {
        return List.of(new PixelView.Vae(imageSize), new PixelView.StabilityClip(imageSize, clipSize, clipAntialias));
    }

    public SkipLedger ledger() {
        return new SkipLedger(keepBadRecords, true);
    }

    private static int positive(Config c, String key) {
        int v = c.getInt(key);
        if (v <= 0) {
            throw new org.un2clip.conf.ConfigException("data." + key + " must be positive, got " + v);
        }
        return v;
    }
}
