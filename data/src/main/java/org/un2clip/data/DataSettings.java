package org.un2clip.data;

import com.typesafe.config.Config;
import java.util.List;
import org.un2clip.data.image.ImageDecoder;
import org.un2clip.data.preprocess.PixelView;

/** The {@code data} section of the configuration, typed (keys documented in conf/defaults.conf). */
public record DataSettings(List<String> paths, String captionsFile, boolean captionsRequired, int imageSize, int clipSize,
                           boolean clipAntialias, int decodeThreads, int prefetch, long maxPixels, boolean exifOrientation,
                           int keepBadRecords, int synthImageSize, int synthShardSize) {

    public static DataSettings from(Config root) {
        Config c = root.getConfig("data");
        return new DataSettings(c.getStringList("paths"), c.getString("captions-file"), c.getBoolean("captions-required"),
                positive(c, "image-size"), positive(c, "clip-size"), c.getBoolean("clip-antialias"),
                positive(c, "decode-threads"), positive(c, "prefetch"), c.getLong("max-pixels"),
                c.getBoolean("exif-orientation"), c.getInt("keep-bad-records"),
                positive(c, "synth.image-size"), positive(c, "synth.shard-size"));
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
