package org.un2clip.data.synth;

import java.util.Locale;

/** The object kinds of the miniature world. Directional kinds show which way they point. */
public enum ShapeKind {
    CIRCLE(false), SQUARE(false), TRIANGLE(true), STAR(false), HEXAGON(false), ARROW(true), DIAMOND(false), CROSS(false);

    private final boolean directional;

    ShapeKind(boolean directional) {
        this.directional = directional;
    }

    public boolean directional() {
        return directional;
    }

    public String noun() {
        return name().toLowerCase(Locale.ROOT);
    }

    public String plural() {
        return this == CROSS ? "crosses" : noun() + "s";
    }

    /** "a triangle", "an arrow". */
    public String withArticle() {
        return ("aeiou".indexOf(noun().charAt(0)) >= 0 ? "an " : "a ") + noun();
    }
}
