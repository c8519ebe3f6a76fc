package org.un2clip.data.synth;

import org.un2clip.conf.KeyedRandom;

/**
 * The nine visual patterns of MMVP-VLM, each with how the miniature world makes a pair of scenes that
 * differ in exactly that one detail. {@link #folder()} is the pattern's name as MMVP writes it.
 */
public enum Pattern {
    ORIENTATION("Orientation and Direction"),
    FEATURES("Presence of Specific Features"),
    STATE("State and Condition"),
    QUANTITY("Quantity and Count"),
    POSITION("Positional and Relational Context"),
    COLOR("Color and Appearance"),
    STRUCTURE("Structural Characteristics"),
    TEXT("Texts"),
    VIEWPOINT("Viewpoint and Perspective");

    private static final ShapeKind[] DIRECTIONAL = {ShapeKind.ARROW, ShapeKind.TRIANGLE};
    private static final ShapeKind[] UNDIRECTED = {ShapeKind.CIRCLE, ShapeKind.SQUARE, ShapeKind.STAR, ShapeKind.HEXAGON,
        ShapeKind.DIAMOND, ShapeKind.CROSS};

    private final String folder;

    Pattern(String folder) {
        this.folder = folder;
    }

    public String folder() {
        return folder;
    }

    /** The attribute names (keys of {@link Scene#attributes()}) a pair of this pattern differs in. */
    public String attribute() {
        return switch (this) {
            case ORIENTATION -> "direction";
            case FEATURES -> "dot";
            case STATE -> "state";
            case QUANTITY -> "count";
            case POSITION -> "companion_side";
            case COLOR -> "colour";
            case STRUCTURE -> "kind";
            case TEXT -> "glyph";
            case VIEWPOINT -> "viewpoint";
        };
    }

    /** A pair of scenes differing only in this pattern's attribute, both drawn from {@code r}. */
    public Scene[] pair(KeyedRandom r) {
        Scene base = SceneSampler.sample(r);
        return switch (this) {
            case ORIENTATION -> {
                Scene a = base.withKind(SceneSampler.pick(r, DIRECTIONAL));
                yield new Scene[] {a, a.withDirection(SceneSampler.otherThan(r, Direction.values(), a.direction()))};
            }
            case FEATURES -> new Scene[] {base, base.withDot(!base.dot())};
            case STATE -> new Scene[] {base, base.withFilled(!base.filled())};
            case QUANTITY -> {
                // One count per row of small objects: count 3 forces small and several objects force the centre.
                Scene a = base.withCompanion(null, null, false).withLarge(false);
                Scene centred = new Scene(a.kind(), a.colour(), false, Placement.CENTER, a.direction(), a.count(), a.dot(),
                        a.filled(), a.glyph(), null, null, false, a.viewpoint());
                int other = SceneSampler.otherThan(r, new Integer[] {1, 2, 3}, centred.count());
                yield new Scene[] {centred, centred.withCount(other)};
            }
            case POSITION -> {
                Scene a = base.companion() != null ? base
                        : base.withCompanion(SceneSampler.otherThan(r, ShapeKind.values(), base.kind()),
                                SceneSampler.otherThan(r, Colour.values(), base.colour()), r.nextInt(2) == 1);
                yield new Scene[] {a, a.withCompanion(a.companion(), a.companionColour(), !a.companionOnLeft())};
            }
            case COLOR -> {
                Colour c = base.companion() == null ? SceneSampler.otherThan(r, Colour.values(), base.colour())
                        : otherThanBoth(r, base.colour(), base.companionColour());
                yield new Scene[] {base, base.withColour(c)};
            }
            case STRUCTURE -> {
                Scene a = base.withKind(SceneSampler.pick(r, UNDIRECTED));
                ShapeKind k;
                do {
                    k = SceneSampler.pick(r, UNDIRECTED);
                } while (k == a.kind() || k == a.companion());
                yield new Scene[] {a, a.withKind(k)};
            }
            case TEXT -> {
                Scene a = base.glyph() != '\0' ? base : base.withGlyph(BitmapFont.GLYPHS.charAt(r.nextInt(BitmapFont.GLYPHS.length())));
                char g;
                do {
                    g = BitmapFont.GLYPHS.charAt(r.nextInt(BitmapFont.GLYPHS.length()));
                } while (g == a.glyph());
                yield new Scene[] {a, a.withGlyph(g)};
            }
            case VIEWPOINT -> new Scene[] {base, base.withViewpoint(SceneSampler.otherThan(r, Viewpoint.values(), base.viewpoint()))};
        };
    }

    private static Colour otherThanBoth(KeyedRandom r, Colour a, Colour b) {
        Colour c;
        do {
            c = SceneSampler.pick(r, Colour.values());
        } while (c == a || c == b);
        return c;
    }
}
