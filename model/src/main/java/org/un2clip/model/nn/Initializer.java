package org.un2clip.model.nn;

import java.util.Map;
import java.util.function.Predicate;
import org.un2clip.conf.KeyedRandom;

/**
 * Fresh weights for a model trained from scratch (the miniature experiment), keyed by (seed, table, parameter index)
 * so the same seed gives the same bits. The rules follow PyTorch / OpenAI CLIP / ldm defaults by parameter role:
 * <ul>
 *   <li>biases 0; 1-D {@code weight} (LayerNorm / GroupNorm scale) 1;</li>
 *   <li>embeddings ({@code *embedding*}: token, positional, class) N(0, 0.02) as CLIP's text tower;</li>
 *   <li>CLIP's stored-transposed projections ({@code proj}, {@code text_projection}: (in, out)) N(0, in^-½);</li>
 *   <li>other matrices and convolutions (out, in, ...) N(0, fan_in^-½) (variance preserving);</li>
 *   <li>names selected by {@code zeroed} start at 0 (ldm's {@code zero_module}: residual branches start as identity).</li>
 * </ul>
 */
public final class Initializer {
    private Initializer() {
    }

    public static void initialize(ParameterTable table, long seed, int tableId, Predicate<String> zeroed) {
        int index = 0;
        for (Map.Entry<String, long[]> e : table.shapes().entrySet()) {
            String name = e.getKey();
            long[] shape = e.getValue();
            int n = Math.toIntExact(count(shape));
            float[] values = new float[n];
            KeyedRandom r = KeyedRandom.of(seed, tableId, index++, KeyedRandom.Purpose.INIT);
            if (zeroed.test(name) || name.endsWith("bias")) {
                // zeros
            } else if (shape.length == 1 && name.endsWith("weight")) {
                java.util.Arrays.fill(values, 1f);
            } else {
                double std = std(name, shape);
                for (int i = 0; i < n; i++) {
                    values[i] = (float) (r.nextGaussian() * std);
                }
            }
            table.set(name, values);
        }
    }

    private static double std(String name, long[] shape) {
        if (name.contains("embedding")) {
            return 0.02;
        }
        if (name.equals("proj") || name.equals("text_projection")) {
            return 1 / Math.sqrt(shape[0]);
        }
        long fanIn = 1;
        for (int i = 1; i < shape.length; i++) {
            fanIn *= shape[i];
        }
        return 1 / Math.sqrt(fanIn);
    }

    private static long count(long[] shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        return n;
    }
}
