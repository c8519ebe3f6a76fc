package org.un2clip.data.synth;

/** Captions of a scene at two levels: coarse (the kind only) and fine (every attribute that shows). */
public final class SceneCaptions {
    private static final String[] NUMBERS = {"", "one", "two", "three"};

    private SceneCaptions() {
    }

    /** "a photo of a triangle". */
    public static String coarse(Scene s) {
        return "a photo of " + s.kind().withArticle();
    }

    /** "a photo of " + {@link #description}. */
    public static String fine(Scene s) {
        return "a photo of " + description(s);
    }

    /**
     * Every attribute in words, e.g. "two small hollow red triangles pointing left, each with a dot, in the
     * center, with the digit 7 in the corner, seen from the front". Used as MMVP-style statements too.
     */
    public static String description(Scene s) {
        StringBuilder b = new StringBuilder();
        b.append(s.count() == 1 ? (s.large() ? "a large" : "a small") : NUMBERS[s.count()] + (s.large() ? " large" : " small"));
        b.append(s.filled() ? " solid " : " hollow ").append(s.colour().word()).append(' ');
        b.append(s.count() == 1 ? s.kind().noun() : s.kind().plural());
        if (s.kind().directional()) {
            b.append(" pointing ").append(s.direction().word());
        }
        if (s.dot()) {
            b.append(s.count() == 1 ? " with a dot in its middle" : ", each with a dot in its middle");
        } else {
            b.append(s.count() == 1 ? " without a dot" : ", without dots");
        }
        if (s.companion() != null) {
            b.append(", to the ").append(s.companionOnLeft() ? "right" : "left").append(" of a ")
                    .append(s.companionColour().word()).append(' ').append(s.companion().noun());
        } else {
            b.append(", ").append(s.placement().phrase());
        }
        if (s.glyph() != '\0') {
            b.append(", with the ").append(BitmapFont.isDigit(s.glyph()) ? "digit " : "letter ").append(s.glyph()).append(" in the corner");
        }
        b.append(", ").append(s.viewpoint().phrase());
        return b.toString();
    }
}
