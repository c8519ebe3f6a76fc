package org.un2clip.data.load;

import org.un2clip.data.BadRecordException;
import org.un2clip.data.SkipReason;
import org.un2clip.data.image.ImageDecoder;
import org.un2clip.data.image.RgbImage;
import org.un2clip.data.source.Captions;
import org.un2clip.data.source.RawRecord;
import org.un2clip.data.source.SampleSource;

/**
 * Sample index → {@link DecodedSample}: read the bytes, check the caption (UTF-8 always; present only when
 * the run needs captions — un²CLIP trains on images alone), decode the image. The loader and
 * {@code data verify} both go through here, so they accept and refuse exactly the same records.
 */
public final class RecordDecoder {
    private final SampleSource source;
    private final ImageDecoder decoder;
    private final boolean captionsRequired;

    public RecordDecoder(SampleSource source, ImageDecoder decoder, boolean captionsRequired) {
        this.source = source;
        this.decoder = decoder;
        this.captionsRequired = captionsRequired;
    }

    public SampleSource source() {
        return source;
    }

    public DecodedSample decode(int index) throws BadRecordException {
        RawRecord r = source.read(index);
        String caption = r.caption() == null ? null : Captions.decode(r.caption());
        if (captionsRequired && (caption == null || caption.isEmpty())) {
            throw new BadRecordException(SkipReason.MISSING_CAPTION, caption == null ? "no caption" : "empty caption");
        }
        RgbImage image = decoder.decode(r.image(), r.imageExt());
        return new DecodedSample(index, r.key(), image, caption);
    }
}
