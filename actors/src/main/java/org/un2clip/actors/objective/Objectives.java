package org.un2clip.actors.objective;

import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.file.Path;
import org.un2clip.model.io.SafeTensorsWriter;
import org.un2clip.model.objective.ObjectiveOptions;
import org.un2clip.model.step.StepFunction;
import org.un2clip.model.step.TrainingBatch;

/**
 * The step functions {@code train.objective} names, with what the runtime needs around each: its data
 * (batches by sample id) and how its parameters are exported: "toy" (pure-Java linear regression, for
 * runtime tests and benchmarks), "un2clip" (the DJL objective on a golden-format generator and the
 * miniature world, {@link Un2clipWorld}) and "demo-stage" (one training stage of the demo,
 * {@link org.un2clip.actors.objective.demo.DemoStage}).
 */
public interface Objectives {

    StepFunction create();

    /** The batch of these samples, as the step function takes it. */
    TrainingBatch batch(long epoch, long[] sampleIds);

    /** Writes the trained encoder (flat parameters) in the objective's upstream (OpenAI) naming. */
    default void writeEncoder(float[] flat, Path file) throws IOException {
        writeEncoder(flat, file, "openai");
    }

    /** Writes the trained encoder in {@code format}: "openai" (upstream CLIP names) or "hf" (transformers names). */
    void writeEncoder(float[] flat, Path file, String format) throws IOException;

    static Objectives of(Config c) {
        String name = c.getString("train.objective");
        if (name.equals("toy")) {
            return new Toy(c.getLong("train.seed"), c.getInt("train.toy.dim"),
                    c.getDuration("train.toy.min-step-time").toNanos());
        }
        if (name.equals("un2clip")) {
            String dir = c.getString("train.un2clip.generator");
            Path generator = dir.isEmpty()
                    ? Path.of(System.getProperty("un2clip.root", "."), "model/src/test/resources/golden/public")
                    : Path.of(dir);
            return Un2clipWorld.open(generator, ObjectiveOptions.fromConfig(c),
                    c.getInt("model.attention-query-slice"), c.getLong("train.seed"));
        }
        if (name.equals(org.un2clip.actors.objective.demo.DemoStage.OBJECTIVE)) {
            return org.un2clip.actors.objective.demo.DemoStage.of(c);
        }
        throw new IllegalArgumentException("train.objective '" + name + "' is not available (known: toy, un2clip, "
                + org.un2clip.actors.objective.demo.DemoStage.OBJECTIVE + ")");
    }

    /** Linear regression over keyed synthetic samples. */
    record Toy(long seed, int dim, long minStepNanos, ToySamples samples) implements Objectives {
        public Toy(long seed, int dim, long minStepNanos) {
            this(seed, dim, minStepNanos, new ToySamples(seed, dim));
        }

        @Override
        public StepFunction create() {
            return new ToyObjective(seed, dim, minStepNanos);
        }

        @Override
        public TrainingBatch batch(long epoch, long[] ids) {
            float[] pixels = new float[ids.length * (dim + 1)];
            for (int i = 0; i < ids.length; i++) {
                samples.fill(ids[i], pixels, i * (dim + 1));
            }
            return new TrainingBatch(epoch, ids, pixels, new long[] {ids.length, 1, 1, dim + 1});
        }

        @Override
        public void writeEncoder(float[] flat, Path file, String format) throws IOException {
            if (!format.equals("openai") && !format.equals("hf")) {
                throw new IllegalArgumentException("export format must be openai or hf, got " + format);
            }
            // The toy model has one tensor; both namings call it "weight".
            new SafeTensorsWriter().metadata("format", "pt").metadata("objective", "toy")
                    .add("weight", new long[] {flat.length}, flat).write(file);
        }
    }
}
