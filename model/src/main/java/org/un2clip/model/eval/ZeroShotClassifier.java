package org.un2clip.model.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.un2clip.model.clip.ClipModel;
import org.un2clip.model.objective.ClipPreprocess;

/**
 * CLIP zero-shot classification: each class is the text embedding of its prompt; an image is assigned the class of
 * highest cosine similarity (CLIP's recipe, one prompt per class). Accuracy over labelled images.
 */
public final class ZeroShotClassifier {
    private static final int CHUNK = 64;

    private ZeroShotClassifier() {
    }

    /**
     * @param pixels      images (n, 3, R, R) row-major in [-1, 1]
     * @param labels      class index per image
     * @param promptIds   token ids (classes, context) of the class prompts
     * @return the fraction of images whose predicted class equals the label
     */
    public static double accuracy(ClipModel clip, NDManager parent, float[] pixels, int[] labels, long[] promptIds, int classes) {
        int r = clip.vision().config().resolution();
        int per = 3 * r * r;
        if (pixels.length != labels.length * per) {
            throw new IllegalArgumentException("zero-shot: " + pixels.length + " pixel values for " + labels.length + " images of " + r + " px");
        }
        ClipPreprocess preprocess = new ClipPreprocess(r, false);
        int correct = 0;
        try (NDManager m = parent.newSubManager()) {
            NDArray text = clip.encodeText(m.create(promptIds, new Shape(classes, promptIds.length / classes)));
            text = text.div(text.norm(new int[] {1}, true));
            for (int first = 0; first < labels.length; first += CHUNK) {
                int n = Math.min(CHUNK, labels.length - first);
                try (NDManager c = m.newSubManager()) {
                    float[] chunk = java.util.Arrays.copyOfRange(pixels, first * per, (first + n) * per);
                    NDArray img = clip.encodeImage(preprocess.apply(c.create(chunk, new Shape(n, 3, r, r))));
                    long[] predicted = img.matMul(text.transpose()).argMax(1).toLongArray();
                    for (int i = 0; i < n; i++) {
                        correct += predicted[i] == labels[first + i] ? 1 : 0;
                    }
                }
            }
        }
        return (double) correct / labels.length;
    }
}
