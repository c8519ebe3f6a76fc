package org.un2clip.data.synth;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

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

    /** This scene with some attributes changed: {@code scene.with(b -> b.dot = true)}. */
    public Scene with(Consumer<Builder> change) {
        Builder b = new Builder(this);
        change.accept(b);
        return b.build();
    }

    /** The attributes of a scene as mutable fields, for {@link #with}. */
    public static final class Builder {
        public ShapeKind kind;
        public Colour colour;
        public boolean large;
        public Placement placement;
        public Direction direction;
        public int count;
        public boolean dot;
        public boolean filled;
        public char glyph;
        public ShapeKind companion;
        public Colour companionColour;
        public boolean companionOnLeft;
        public Viewpoint viewpoint;

        Builder(Scene s) {
            kind = s.kind;
            colour = s.colour;
            large = s.large;
            placement = s.placement;
            direction = s.direction;
            count = s.count;
            dot = s.dot;
            filled = s.filled;
            glyph = s.glyph;
            companion = s.companion;
            companionColour = s.companionColour;
            companionOnLeft = s.companionOnLeft;
            viewpoint = s.viewpoint;
        }

        Scene build() {
            return new Scene(kind, colour, large, placement, direction, count, dot, filled, glyph, companion, companionColour,
                    companionOnLeft, viewpoint);
        }
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
