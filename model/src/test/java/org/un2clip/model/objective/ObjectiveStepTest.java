package org.un2clip.model.objective;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.un2clip.model.golden.GoldenSet;
import org.un2clip.model.nn.ParameterTable;
import org.un2clip.model.objective.golden.E2eSuite;
import org.un2clip.model.step.StepFunction;
import org.un2clip.model.step.TrainingBatch;
import org.un2clip.model.unclip.ShippedGoldenSet;

/** The objective as a step function on the public golden model (tiny), with keyed random draws. */
class ObjectiveStepTest {
    private static GoldenSet set;
    private static NDManager manager;

    @BeforeAll
    static void open() {
        set = GoldenSet.open(ShippedGoldenSet.dir());
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
        set.close();
    }

    private static ObjectiveStep step(ObjectiveOptions options) {
        Un2clipObjective objective = E2eSuite.objective(manager, set, options, 16);
        float[] context = set.floats("e2e.context");
        long[] s = set.shape("e2e.context");
        float[] one = java.util.Arrays.copyOf(context, (int) (s[1] * s[2]));
        return new ObjectiveStep(manager, objective, one, new long[] {s[1], s[2]});
    }

    private static TrainingBatch batch(long epoch, long... ids) {
        SplittableRandom r = new SplittableRandom(ids[0] * 31 + epoch);
        float[] px = new float[ids.length * 3 * 32 * 32];
        for (int i = 0; i < px.length; i++) {
            px[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return new TrainingBatch(epoch, ids, px, new long[] {ids.length, 3, 32, 32});
    }

    private static float[] params(StepFunction f) {
        FloatBuffer p = FloatBuffer.allocate((int) f.parameterCount());
        f.initialParameters(p);
        return p.array();
    }

    private static double[] stepGradients(StepFunction f, float[] params, TrainingBatch b, double[] lossOut) {
        FloatBuffer g = FloatBuffer.allocate(params.length);
        StepFunction.StepResult r = f.step(FloatBuffer.wrap(params), b, g);
        lossOut[0] = r.loss();
        double[] out = new double[params.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = g.get(i);
        }
        return out;
    }

    @Test
    void generatorStaysFrozenAndRecordsNoGradientOverSeveralSteps() {
        ObjectiveStep f = step(ObjectiveOptions.defaults());
        Map<String, float[]> unetBefore = snapshot(f.objective().unet().parameters());
        Map<String, float[]> vaeBefore = snapshot(f.objective().vae().encoderParameters());
        float[] p = params(f);
        assertThat(p.length).isEqualTo(f.objective().encoder().params().parameterCount());
        AdamW adamw = new AdamW(new AdamW.Hyper(1e-3, 0.9, 0.999, 1e-8, 0.01));
        AdamW.State state = new AdamW.State(p.length);
        float[] g = new float[p.length];
        for (int s = 0; s < 2; s++) {
            f.step(FloatBuffer.wrap(p), batch(0, 10 + s, 20 + s), FloatBuffer.wrap(g));
            assertThat(maxAbs(g)).isGreaterThan(0);
            adamw.step(p, g, 0, state);
        }
        assertThat(snapshot(f.objective().unet().parameters())).containsExactlyEntriesOf(unetBefore);
        assertThat(snapshot(f.objective().vae().encoderParameters())).containsExactlyEntriesOf(vaeBefore);
        for (NDArray a : f.objective().unet().parameters().arrays().values()) {
            assertThat(a.hasGradient()).as(a.getName()).isFalse();
        }
        for (NDArray a : f.objective().vae().encoderParameters().arrays().values()) {
            assertThat(a.hasGradient()).as(a.getName()).isFalse();
        }
    }

    @Test
    void encoderGradientsEqualCentralFiniteDifferences() {
        ObjectiveStep f = step(ObjectiveOptions.defaults().withNoiseLevel(300));
        float[] p = params(f);
        TrainingBatch b = batch(1, 5);
        double[] loss = new double[1];
        double[] g = stepGradients(f, p, b, loss);
        // the largest gradient coordinate plus two fixed ones (class embedding, last proj entry)
        int[] coords = {argMax(g, -1), 0, p.length - 1};
        for (int c : coords) {
            double h = 1e-2 * Math.max(1, Math.abs(p[c]));
            float[] plus = p.clone();
            float[] minus = p.clone();
            plus[c] += (float) h;
            minus[c] -= (float) h;
            double hEff = ((double) plus[c] - minus[c]) / 2;
            double fd = (lossAt(f, plus, b) - lossAt(f, minus, b)) / (2 * hEff);
            assertThat(g[c]).as("coordinate %d: analytic %g, finite difference %g", c, g[c], fd)
                    .isCloseTo(fd, org.assertj.core.data.Offset.offset(2e-2 * Math.abs(fd) + 1e-6));
        }
        assertThat(Math.abs(g[coords[0]])).isGreaterThan(1e-4);
    }

    @Test
    void sameInputsGiveTheSameBitsAndASampleGetsTheSameDrawsAnywhereInTheBatch() {
        ObjectiveStep f = step(ObjectiveOptions.defaults().withNoiseLevel(-1));
        float[] p = params(f);
        TrainingBatch b = batch(2, 7, 8);
        double[] l1 = new double[1];
        double[] l2 = new double[1];
        assertThat(stepGradients(f, p, b, l2)).isEqualTo(stepGradients(f, p, b, l1));
        assertThat(l1[0]).isEqualTo(l2[0]);

        ObjectiveOptions o = f.objective().options();
        Draws ab = Draws.keyed(o, 2, new long[] {7, 8}, 256, 48, 1000);
        Draws ba = Draws.keyed(o, 2, new long[] {9, 7}, 256, 48, 1000);
        assertThat(ba.timesteps()[1]).isEqualTo(ab.timesteps()[0]);
        assertThat(ba.levels()[1]).isEqualTo(ab.levels()[0]);
        assertThat(java.util.Arrays.copyOfRange(ba.latentNoise(), 256, 512)).isEqualTo(java.util.Arrays.copyOf(ab.latentNoise(), 256));
        Draws otherEpoch = Draws.keyed(o, 3, new long[] {7, 8}, 256, 48, 1000);
        assertThat(otherEpoch.latentNoise()).isNotEqualTo(ab.latentNoise());
    }

    @Test
    void fullConditioningDropoutCutsTheEncoderOff() {
        ObjectiveOptions o = ObjectiveOptions.defaults();
        ObjectiveStep f = step(new ObjectiveOptions(o.seed(), 0, 1.0, 0, 1000, false, "none", true, false, true));
        float[] p = params(f);
        float[] g = new float[p.length];
        f.step(FloatBuffer.wrap(p), batch(0, 1, 2), FloatBuffer.wrap(g));
        assertThat(maxAbs(g)).isZero();
    }

    @Test
    void identityProjectorLeavesTheLossUnchangedAndIsTrained() {
        TrainingBatch b = batch(0, 3, 4);
        ObjectiveOptions o = ObjectiveOptions.defaults();
        ObjectiveStep plain = step(o);
        ObjectiveStep projected = step(new ObjectiveOptions(o.seed(), 0, 0, 0, 1000, false, "identity", true, false, true));
        assertThat(projected.parameterCount()).isEqualTo(plain.parameterCount() + 48 * 48 + 48);
        double[] l1 = new double[1];
        double[] l2 = new double[1];
        stepGradients(plain, params(plain), b, l1);
        double[] g = stepGradients(projected, params(projected), b, l2);
        assertThat(l2[0]).isCloseTo(l1[0], org.assertj.core.data.Offset.offset(1e-6 * Math.abs(l1[0])));
        double projectorGrad = 0;
        for (int i = (int) plain.parameterCount(); i < g.length; i++) {
            projectorGrad = Math.max(projectorGrad, Math.abs(g[i]));
        }
        assertThat(projectorGrad).isGreaterThan(0);
    }

    @Test
    void generatorTrainingTrainsTheUNetAlone() {
        ObjectiveStep f = step(ObjectiveOptions.generatorTraining(5));
        assertThat(f.parameterCount()).isEqualTo(f.objective().unet().parameters().parameterCount());
        Map<String, float[]> encoderBefore = snapshot(f.objective().encoder().params());
        float[] p = params(f);
        float[] g = new float[p.length];
        f.step(FloatBuffer.wrap(p), batch(0, 11, 12, 13, 14), FloatBuffer.wrap(g));
        assertThat(maxAbs(g)).isGreaterThan(0);
        assertThat(snapshot(f.objective().encoder().params())).containsExactlyEntriesOf(encoderBefore);
        for (NDArray a : f.objective().encoder().params().arrays().values()) {
            assertThat(a.hasGradient()).isFalse();
        }
    }

    private static double lossAt(ObjectiveStep f, float[] p, TrainingBatch b) {
        FloatBuffer in = FloatBuffer.wrap(p);
        for (ParameterTable t : f.objective().trainable()) {
            t.copyFrom(in);
        }
        return f.run(b, false).loss();
    }

    private static int argMax(double[] g, int exclude) {
        int best = -1;
        for (int i = 0; i < g.length; i++) {
            if (i != exclude && (best < 0 || Math.abs(g[i]) > Math.abs(g[best]))) {
                best = i;
            }
        }
        return best;
    }

    private static double maxAbs(float[] g) {
        double m = 0;
        for (float x : g) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }

    private static Map<String, float[]> snapshot(ParameterTable t) {
        Map<String, float[]> m = new LinkedHashMap<>();
        t.arrays().forEach((k, v) -> m.put(k, v.toFloatArray()));
        return m;
    }
}
