package org.un2clip.data.synth;

import java.util.Locale;

/** Object colours: far apart in RGB and from the grey background, each with a plain English name. */
public enum Colour {
    RED(220, 30, 30), GREEN(30, 160, 40), BLUE(30, 60, 220), YELLOW(240, 220, 20),
    PURPLE(140, 40, 180), ORANGE(250, 140, 0), CYAN(0, 200, 210), BLACK(20, 20, 20);

    private final int rgb;

    Colour(int r, int g, int b) {
        this.rgb = r << 16 | g << 8 | b;
    }

    public int rgb() {
        return rgb;
    }

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
