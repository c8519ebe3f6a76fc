package org.un2clip.model.unclip;

import ai.djl.ndarray.NDArray;
import org.un2clip.model.nn.Taps;

/** One entry of a UNet {@code TimestepEmbedSequential}: takes the features, the embedding and the context. */
interface UNetLayer {
    NDArray forward(NDArray h, NDArray emb, NDArray context, Taps taps);
}
