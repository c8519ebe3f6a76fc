package org.un2clip.actors.objective;

import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.file.Path;
import org.un2clip.model.io.SafeTensorsWriter;
import org.un2clip.model.step.StepFunction;
import org.un2clip.model.step.TrainingBatch;

/**
 * The step functions {@code train.objective} names, with what the runtime needs around each: its data
 * (batches by sample id) and how its parameters are exported. "toy" now; "un2clip" joins when the DJL
 * objective and the data module's reader are merged.
 */
public interface Objectives {

    StepFunction create();

    /** The batch of these samples, as the step function takes it. */
    TrainingBatch batch(long epoch, long[] sampleIds);

    /** Writes the trained encoder (flat parameters) in the objective's upstream naming. */
    void writeEncoder(float[] flat, Path file) throws IOException;

    static Objectives of(Config c) {
        String name = c.getString("train.objective");
        if (name.equals("toy")) {
            return new Toy(c.getLong("train.seed"), c.getInt("train.toy.dim"));
        }
        throw new IllegalArgumentException("train.objective '" + name + "' is not available (known: toy)");
    }

    /** Linear regression over keyed synthetic samples. */
    record Toy(long seed, int dim) implements Objectives {
        @Override
        public StepFunction create() {
            return new ToyObjective(seed, dim);
        }

        @Override
        public TrainingBatch batch(long epoch, long[] ids) {
            ToySamples samples = new ToySamples(seed, dim);
            float[] pixels = new float[ids.length * (dim + 1)];
            for (int i = 0; i < ids.length; i++) {
                samples.fill(ids[i], pixels, i * (dim + 1));
            }
            return new TrainingBatch(epoch, ids, pixels, new long[] {ids.length, 1, 1, dim + 1});
        }

        @Override
        public void writeEncoder(float[] flat, Path file) throws IOException {
            new SafeTensorsWriter().metadata("format", "pt").metadata("objective", "toy")
                    .add("weight", new long[] {flat.length}, flat).write(file);
        }
    }
}
