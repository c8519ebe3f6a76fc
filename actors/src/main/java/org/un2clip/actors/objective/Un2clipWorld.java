package org.un2clip.actors.objective;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import org.un2clip.data.image.RgbImage;
import org.un2clip.data.synth.SceneRenderer;
import org.un2clip.data.synth.SceneSampler;
import org.un2clip.model.clip.ClipVision;
import org.un2clip.model.clip.ClipVisionConfig;
import org.un2clip.model.clip.ClipVisionFormat;
import org.un2clip.model.clip.ClipWeights;
import org.un2clip.model.golden.GoldenSet;
import org.un2clip.model.objective.ObjectiveOptions;
import org.un2clip.model.objective.ObjectiveStep;
import org.un2clip.model.objective.Un2clipObjective;
import org.un2clip.model.objective.golden.E2eSuite;
import org.un2clip.model.step.StepFunction;
import org.un2clip.model.step.TrainingBatch;

/**
 * The un²CLIP objective on the runtime: the encoder and the frozen generator (VAE, UNet, noise
 * augmentation) are built from a directory in golden format — {@code manifest.json} for the configuration,
 * {@code weights.safetensors} for the weights, the golden {@code e2e.context} as the constant empty-prompt
 * context — and the images are scenes of the miniature world, rendered by sample id at the generator's
 * resolution, so a sample is the same picture on every rank and no files are needed.
 */
public record Un2clipWorld(Path generator, ObjectiveOptions options, int querySlice, long worldSeed, int imageSize)
        implements Objectives {

    public static Un2clipWorld open(Path generator, ObjectiveOptions options, int querySlice, long worldSeed) {
        try (GoldenSet set = GoldenSet.open(generator)) {
            return new Un2clipWorld(generator, options, querySlice, worldSeed, set.config().path("image_size").asInt());
        }
    }

    @Override
    public StepFunction create() {
        NDManager manager = NDManager.newBaseManager();
        try (GoldenSet set = GoldenSet.open(generator)) {
            Un2clipObjective objective = E2eSuite.objective(manager, set, options, querySlice);
            long[] contextShape = set.shape("e2e.context");
            int rows = Math.toIntExact(contextShape[1]);
            int dim = Math.toIntExact(contextShape[2]);
            float[] context = java.util.Arrays.copyOf(set.floats("e2e.context"), rows * dim);
            return new OwnedStepFunction(new ObjectiveStep(manager, objective, context, new long[] {rows, dim}), manager);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    @Override
    public TrainingBatch batch(long epoch, long[] sampleIds) {
        int plane = imageSize * imageSize;
        float[] pixels = new float[sampleIds.length * 3 * plane];
        for (int i = 0; i < sampleIds.length; i++) {
            RgbImage image = SceneRenderer.render(SceneSampler.datasetScene(worldSeed, sampleIds[i]), imageSize);
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < imageSize; y++) {
                    for (int x = 0; x < imageSize; x++) {
                        pixels[(i * 3 + c) * plane + y * imageSize + x] = image.get(x, y, c) / 127.5f - 1f;
                    }
                }
            }
        }
        return new TrainingBatch(epoch, sampleIds, pixels, new long[] {sampleIds.length, 3, imageSize, imageSize});
    }

    @Override
    public void writeEncoder(float[] flat, Path file, String format) throws IOException {
        ClipVisionFormat naming = switch (format) {
            case "openai" -> ClipVisionFormat.OPENAI;
            case "hf" -> ClipVisionFormat.HF;
            default -> throw new IllegalArgumentException("export format must be openai or hf, got " + format);
        };
        try (NDManager manager = NDManager.newBaseManager(); GoldenSet set = GoldenSet.open(generator);
                ClipVision tower = ClipVision.create(ClipVisionConfig.fromJson(set.config().path("clip")), manager)) {
            tower.params().copyFrom(FloatBuffer.wrap(flat));
            ClipWeights.exportVision(tower, file, naming);
        }
    }
}
