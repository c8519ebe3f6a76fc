package org.un2clip.actors.plan;

/**
 * The loss scales a trainer or shard was told for the last two steps (dynamic loss scaling, sync mode: the
 * coordinator is at most one step ahead; a step re-done after a re-plan may still need the older one).
 */
public final class StepScales {
    private final long[] steps = {-1, -1};
    private final double[] scales = new double[2];

    public void put(long step, double scale) {
        steps[(int) (step & 1)] = step;
        scales[(int) (step & 1)] = scale;
    }

    public boolean has(long step) {
        return steps[(int) (step & 1)] == step;
    }

    public double get(long step) {
        if (!has(step)) {
            throw new IllegalStateException("no loss scale for step " + step);
        }
        return scales[(int) (step & 1)];
    }
}
