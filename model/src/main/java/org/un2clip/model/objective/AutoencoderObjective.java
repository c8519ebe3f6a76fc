package org.un2clip.model.objective;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.FloatBuffer;
import java.util.List;
import org.un2clip.conf.KeyedRandom;
import org.un2clip.model.nn.Taps;
import org.un2clip.model.nn.Tensors;
import org.un2clip.model.step.StepFunction;
import org.un2clip.model.step.TrainingBatch;
import org.un2clip.model.unclip.AutoencoderKL;

/**
 * First-stage training of a (tiny) ldm {@code AutoencoderKL}: reconstruction of a posterior sample plus a weighted
 * KL to N(0, I), both as per-element means,
 * <pre>
 *   z = mean + exp(½ logvar) ε          loss = mse(decode(z), x) + klWeight · ½ mean(mean² + exp(logvar) − 1 − logvar)
 * </pre>
 * (ldm adds LPIPS and a patch GAN for photographs; flat-coloured miniature scenes reconstruct well from MSE alone).
 * ε is keyed by (seed, epoch, sample id, POSTERIOR_SAMPLE). Flat order: encoder table, decoder table. Pixels in [-1, 1].
 */
public final class AutoencoderObjective implements StepFunction {
    private final NDManager manager;
    private final AutoencoderKL vae;
    private final long seed;
    private final float klWeight;
    private final TrainableTables tables;

    public AutoencoderObjective(NDManager manager, AutoencoderKL vae, long seed, double klWeight) {
        if (vae.decoderParameters() == null) {
            throw new IllegalArgumentException("autoencoder objective: the VAE must be built with its decoder");
        }
        this.manager = manager;
        this.vae = vae;
        this.seed = seed;
        this.klWeight = (float) klWeight;
        this.tables = new TrainableTables(List.of(vae.encoderParameters(), vae.decoderParameters()));
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
        return tables.step(manager, parameters, gradients, "autoencoder objective", m -> {
            NDArray image = m.create(batch.pixels(), new Shape(batch.shape()));
            AutoencoderKL.Posterior p = vae.encode(image, Taps.NONE);
            NDArray eps = m.create(noise(batch, p.mean().getShape()), p.mean().getShape());
            NDArray recon = vae.decode(p.sample(eps));
            NDArray mse = recon.sub(image).square().mean();
            // Multipliers as step-lived arrays: DJL frees a Java number's temporary before backward reads it.
            NDArray kl = p.mean().square().add(p.logvar().exp()).sub(1).sub(p.logvar()).mean()
                    .mul(Tensors.scalar(mse, 0.5f));
            return mse.add(kl.mul(Tensors.scalar(mse, klWeight)));
        });
    }

    private float[] noise(TrainingBatch batch, Shape latent) {
        int per = Math.toIntExact(latent.size() / latent.get(0));
        float[] out = new float[per * batch.size()];
        for (int i = 0; i < batch.size(); i++) {
            KeyedRandom.of(seed, batch.epoch(), batch.sampleIds()[i], KeyedRandom.Purpose.POSTERIOR_SAMPLE).fillGaussian(out, i * per, per);
        }
        return out;
    }

    @Override
    public void close() {
        // The VAE belongs to the caller; per-step arrays close with each step's sub-manager.
    }
}
