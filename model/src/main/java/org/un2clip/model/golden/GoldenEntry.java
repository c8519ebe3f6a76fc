package org.un2clip.model.golden;

/**
 * One tensor of a golden set as the manifest describes it.
 *
 * @param role                 "input", "output" or "debug"
 * @param atolGivenGoldenGrads for {@code step1.*}: the tolerance when the optimizer is applied to the golden gradients
 */
public record GoldenEntry(String name, String role, long[] shape, double atol, Double atolGivenGoldenGrads, String meaning) {

    public boolean isOutput() {
        return "output".equals(role);
    }

    public boolean isDebug() {
        return "debug".equals(role);
    }

    /** The tolerance check-golden applies. */
    public double effectiveAtol() {
        return atolGivenGoldenGrads != null ? atolGivenGoldenGrads : atol;
    }
}
