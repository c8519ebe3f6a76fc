package org.un2clip.model.objective;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import org.un2clip.model.clip.ClipModel;
import org.un2clip.model.nn.ParameterTable;
import org.un2clip.model.nn.Tensors;
import org.un2clip.model.step.StepFunction;
import org.un2clip.model.step.TrainingBatch;

/**
 * CLIP's contrastive pre-training as a step function: both towers and the learnable logit scale are trained with the
 * symmetric InfoNCE loss of OpenAI CLIP,
 * <pre>
 *   I = norm(E_img(x)),  T = norm(E_txt(tokens)),  logits = exp(min(s, ln 100)) · I Tᵀ
 *   loss = ½ (CE(logits, targets) + CE(logitsᵀ, targetsᵀ))
 * </pre>
 * The targets are CLIP's identity matrix, except that captions with identical tokens share their probability
 * mass (a row's target is uniform over the batch's copies of its caption): a small world repeats captions inside
 * one batch, and the identity would ask the model to tell identical texts apart.
 * Flat vector order: vision tower, text tower, {@code logit_scale}. Pixels (B, 3, R, R) in [-1, 1].
 */
public final class ContrastiveObjective implements StepFunction {
    public static final String LOGIT_SCALE = "logit_scale";
    /** CLIP clamps exp(logit_scale) at 100. */
    static final float MAX_LOG_SCALE = (float) Math.log(100);

    private final NDManager manager;
    private final ClipModel clip;
    private final ParameterTable scale;
    private final ClipPreprocess preprocess;
    private final TrainableTables tables;

    public ContrastiveObjective(NDManager manager, ClipModel clip) {
        this.manager = manager;
        this.clip = clip;
        this.scale = new ParameterTable(manager);
        scale.add(LOGIT_SCALE, 1);
        scale.set(LOGIT_SCALE, new float[] {clip.logitScale()});
        this.preprocess = new ClipPreprocess(clip.vision().config().resolution(), false);
        this.tables = new TrainableTables(List.of(clip.vision().params(), clip.text().params(), scale));
    }

    public ClipModel clip() {
        return clip;
    }

    @Override
    public long parameterCount() {
        return tables.count();
    }

    @Override
    public void initialParameters(FloatBuffer out) {
        tables.copyTo(out);
    }

    @Override
    public StepResult step(FloatBuffer parameters, TrainingBatch batch, FloatBuffer gradients) {
        if (batch.tokens() == null) {
            throw new IllegalArgumentException("contrastive objective: the batch carries no caption tokens");
        }
        StepResult result = tables.step(manager, parameters, gradients, "contrastive objective", m -> loss(m, batch));
        clip.setLogitScale(Math.min(scale.get(LOGIT_SCALE).getFloat(0), MAX_LOG_SCALE));
        return result;
    }

    /** The batch's symmetric InfoNCE loss (a scalar in {@code m}), recording gradients for the trainable tables. */
    NDArray loss(NDManager m, TrainingBatch batch) {
        int b = batch.size();
        NDArray pixels = m.create(batch.pixels(), new Shape(batch.shape()));
        NDArray image = clip.vision().encode(preprocess.apply(pixels));
        NDArray text = clip.text().encode(m.create(ids(batch), new Shape(b, batch.contextLength())));
        // + eps: the norm's gradient is undefined at 0
        image = image.div(image.norm(new int[] {1}, true).add(1e-6f));
        text = text.div(text.norm(new int[] {1}, true).add(1e-6f));
        NDArray logits = image.matMul(text.transpose()).mul(logitScale(scale.get(LOGIT_SCALE)));
        NDArray targets = m.create(targets(batch), new Shape(b, b));
        // Divisors as step-lived arrays: DJL frees a Java number's temporary before backward reads it.
        NDArray imageToText = logits.logSoftmax(1).mul(targets).sum().neg().div(Tensors.scalar(logits, b));
        NDArray textToImage = logits.transpose().logSoftmax(1).mul(targets.transpose()).sum().neg()
                .div(Tensors.scalar(logits, b));
        return imageToText.add(textToImage).div(Tensors.scalar(logits, 2));
    }

    /**
     * CLIP's multiplier of the cosine similarities, exp(min(s, ln 100)), differentiable in s. The bound is a
     * step-lived array: minimum's backward compares s with it, and DJL frees a Java number's temporary right after
     * the op (with that memory reused before backward, the gradient came out 0: ScalarLifetimeTest).
     */
    public static NDArray logitScale(NDArray s) {
        return s.minimum(Tensors.scalar(s, MAX_LOG_SCALE)).exp();
    }

    private static long[] ids(TrainingBatch batch) {
        long[] ids = new long[batch.tokens().length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = batch.tokens()[i];
        }
        return ids;
    }

    /** Row i: uniform over the samples whose caption tokens equal sample i's (row sums are 1, symmetric). */
    static float[] targets(TrainingBatch batch) {
        int b = batch.size();
        int n = batch.contextLength();
        int[] t = batch.tokens();
        float[] out = new float[b * b];
        for (int i = 0; i < b; i++) {
            int copies = 0;
            for (int j = 0; j < b; j++) {
                if (Arrays.equals(t, i * n, (i + 1) * n, t, j * n, (j + 1) * n)) {
                    out[i * b + j] = 1;
                    copies++;
                }
            }
            for (int j = 0; j < b; j++) {
                out[i * b + j] /= copies;
            }
        }
        return out;
    }

    @Override
    public void close() {
        scale.close();
    }
}
