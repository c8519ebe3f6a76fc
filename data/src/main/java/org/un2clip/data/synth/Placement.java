package org.un2clip.data.synth;

import java.util.Locale;

/** Horizontal placement of the main group of objects (fraction of the width of its centre). */
public enum Placement {
    LEFT(0.3), CENTER(0.5), RIGHT(0.7);

    private final double x;

    Placement(double x) {
        this.x = x;
    }

    public double x() {
        return x;
    }

    public String phrase() {
        return this == CENTER ? "in the center" : "on the " + name().toLowerCase(Locale.ROOT);
    }
}
