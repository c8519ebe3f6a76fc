package org.un2clip.data.synth;

/** A viewpoint-like skew of the whole scene: head-on, or sheared as if seen from one side. */
public enum Viewpoint {
    FRONT(0.0, "seen from the front"), FROM_LEFT(0.45, "seen from the left"), FROM_RIGHT(-0.45, "seen from the right");

    private final double shear;
    private final String phrase;

    Viewpoint(double shear, String phrase) {
        this.shear = shear;
        this.phrase = phrase;
    }

    public double shear() {
        return shear;
    }

    public String phrase() {
        return phrase;
    }
}
