package org.un2clip.data.synth;

import org.un2clip.conf.KeyedRandom;

/** Draws scenes with every attribute uniform over its values, from a keyed random stream. */
public final class SceneSampler {
    private SceneSampler() {
    }

    /** Scene {@code index} of the synthetic dataset with this seed. */
    public static Scene datasetScene(long seed, long index) {
        return sample(KeyedRandom.of(seed, 0, index, KeyedRandom.Purpose.SYNTH_SCENE));
    }

    public static Scene sample(KeyedRandom r) {
        ShapeKind kind = pick(r, ShapeKind.values());
        Colour colour = pick(r, Colour.values());
        boolean large = r.nextInt(2) == 1;
        Placement placement = pick(r, Placement.values());
        Direction direction = pick(r, Direction.values());
        int count = 1 + r.nextInt(Scene.MAX_COUNT);
        boolean dot = r.nextInt(2) == 1;
        boolean filled = r.nextInt(2) == 1;
        char glyph = r.nextInt(2) == 1 ? BitmapFont.GLYPHS.charAt(r.nextInt(BitmapFont.GLYPHS.length())) : '\0';
        boolean withCompanion = r.nextInt(3) == 0;
        ShapeKind companion = otherThan(r, ShapeKind.values(), kind);
        Colour companionColour = otherThan(r, Colour.values(), colour);
        boolean onLeft = r.nextInt(2) == 1;
        Viewpoint viewpoint = pick(r, Viewpoint.values());
        return new Scene(kind, colour, large, placement, direction, count, dot, filled, glyph,
                withCompanion ? companion : null, companionColour, onLeft, viewpoint);
    }

    public static <T> T pick(KeyedRandom r, T[] values) {
        return values[r.nextInt(values.length)];
    }

    /** A value uniformly among those different from {@code not}. */
    public static <T> T otherThan(KeyedRandom r, T[] values, T not) {
        T v;
        do {
            v = pick(r, values);
        } while (v.equals(not));
        return v;
    }
}
