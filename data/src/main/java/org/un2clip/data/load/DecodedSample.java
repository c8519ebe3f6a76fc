package org.un2clip.data.load;

import org.un2clip.data.image.RgbImage;

/** A sample read and decoded: its global index, pixels, and caption (null when it has none). */
public record DecodedSample(int index, String key, RgbImage image, String caption) {
}
