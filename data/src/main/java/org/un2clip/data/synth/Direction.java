package org.un2clip.data.synth;

import java.util.Locale;

/** Where a directional shape points; the angle rotates the shape drawn pointing up (clockwise, screen y down). */
public enum Direction {
    UP(0), RIGHT(90), DOWN(180), LEFT(270);

    private final int degrees;

    Direction(int degrees) {
        this.degrees = degrees;
    }

    public double radians() {
        return Math.toRadians(degrees);
    }

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
