package org.un2clip.data.synth;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One scene of the miniature world: a group of {@code count} identical objects, or one object beside a
 * companion, on a grey background, optionally with a glyph in the corner, optionally seen at a skew.
 * The constructor canonicalises attributes that cannot show (direction of a non-directional kind,
 * placement when a companion or several objects fix the layout), so two scenes that differ in an attribute
 * differ in their pixels.
 *
 * @param glyph a character of {@link BitmapFont#GLYPHS}, or {@code '\0'} for none
 * @param companion a second object's kind, or null for none
 */
public record Scene(ShapeKind kind, Colour colour, boolean large, Placement placement, Direction direction, int count,
                    boolean dot, boolean filled, char glyph, ShapeKind companion, Colour companionColour,
                    boolean companionOnLeft, Viewpoint viewpoint) {
    public static final int MAX_COUNT = 3;

    public Scene {
        if (count < 1 || count > MAX_COUNT) {
            throw new IllegalArgumentException("count must be 1.." + MAX_COUNT + ": " + count);
        }
        if (glyph != '\0' && BitmapFont.GLYPHS.indexOf(glyph) < 0) {
            throw new IllegalArgumentException("no glyph for '" + glyph + "'");
        }
        if (!kind.directional()) {
            direction = Direction.UP;
        }
        if (companion != null) {
            count = 1;
            placement = Placement.CENTER;
            if (companionColour == null) {
                throw new IllegalArgumentException("a companion needs a colour");
            }
        } else {
            companionColour = null;
            companionOnLeft = false;
        }
        if (count > 1) {
            placement = Placement.CENTER;
        }
        if (count == MAX_COUNT) {
            large = false;
        }
    }

    public Scene withKind(ShapeKind k) {
        return new Scene(k, colour, large, placement, direction, count, dot, filled, glyph, companion, companionColour, companionOnLeft, viewpoint);
    }

    public Scene withLarge(boolean l) {
        return new Scene(kind, colour, l, placement, direction, count, dot, filled, glyph, companion, companionColour, companionOnLeft, viewpoint);
    }

    public Scene withColour(Colour c) {
        return new Scene(kind, c, large, placement, direction, count, dot, filled, glyph, companion, companionColour, companionOnLeft, viewpoint);
    }

    public Scene withDirection(Direction d) {
        return new Scene(kind, colour, large, placement, d, count, dot, filled, glyph, companion, companionColour, companionOnLeft, viewpoint);
    }

    public Scene withCount(int n) {
        return new Scene(kind, colour, large, placement, direction, n, dot, filled, glyph, companion, companionColour, companionOnLeft, viewpoint);
    }

    public Scene withDot(boolean d) {
        return new Scene(kind, colour, large, placement, direction, count, d, filled, glyph, companion, companionColour, companionOnLeft, viewpoint);
    }

    public Scene withFilled(boolean f) {
        return new Scene(kind, colour, large, placement, direction, count, dot, f, glyph, companion, companionColour, companionOnLeft, viewpoint);
    }

    public Scene withGlyph(char g) {
        return new Scene(kind, colour, large, placement, direction, count, dot, filled, g, companion, companionColour, companionOnLeft, viewpoint);
    }

    public Scene withCompanion(ShapeKind k, Colour c, boolean onLeft) {
        return new Scene(kind, colour, large, placement, direction, count, dot, filled, glyph, k, c, onLeft, viewpoint);
    }

    public Scene withViewpoint(Viewpoint v) {
        return new Scene(kind, colour, large, placement, direction, count, dot, filled, glyph, companion, companionColour, companionOnLeft, v);
    }

    /** All attributes by name, in a fixed order (the .json of a synthetic sample). */
    public Map<String, Object> attributes() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", kind.noun());
        m.put("colour", colour.word());
        m.put("size", large ? "large" : "small");
        m.put("placement", placement.name().toLowerCase());
        m.put("direction", kind.directional() ? direction.word() : null);
        m.put("count", count);
        m.put("dot", dot);
        m.put("state", filled ? "filled" : "hollow");
        m.put("glyph", glyph == '\0' ? null : String.valueOf(glyph));
        m.put("companion", companion == null ? null : companion.noun());
        m.put("companion_colour", companionColour == null ? null : companionColour.word());
        m.put("companion_side", companion == null ? null : companionOnLeft ? "left" : "right");
        m.put("viewpoint", viewpoint.name().toLowerCase());
        return m;
    }
}
