package org.un2clip.data.synth;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import org.un2clip.data.image.RgbConversion;
import org.un2clip.data.image.RgbImage;

/**
 * Draws a {@link Scene} with Java2D, anti-aliasing off and pure stroke control, so the same scene gives
 * the same pixels on every run. Shapes are built pointing up in unit coordinates, then scaled, rotated to
 * their direction and placed; the viewpoint shears the whole scene about its centre; the glyph is drawn
 * last, unskewed, in the top-left corner.
 */
public final class SceneRenderer {
    private static final Color BACKGROUND = new Color(200, 200, 200);

    private SceneRenderer() {
    }

    public static RgbImage render(Scene s, int size) {
        if (size < 16) {
            throw new IllegalArgumentException("scene size must be at least 16 px: " + size);
        }
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.setColor(BACKGROUND);
            g.fillRect(0, 0, size, size);
            AffineTransform base = g.getTransform();
            double c = size / 2.0;
            g.translate(c, c);
            g.shear(s.viewpoint().shear(), 0);
            g.translate(-c, -c);
            drawObjects(g, s, size);
            g.setTransform(base);
            if (s.glyph() != '\0') {
                drawGlyph(g, s.glyph(), size);
            }
        } finally {
            g.dispose();
        }
        return RgbConversion.toRgb(img);
    }

    private static void drawObjects(Graphics2D g, Scene s, int size) {
        double cy = size * 0.5;
        if (s.companion() != null) {
            double mainX = s.companionOnLeft() ? 0.68 * size : 0.32 * size;
            double compX = s.companionOnLeft() ? 0.28 * size : 0.72 * size;
            drawObject(g, s.companion(), s.companionColour(), Direction.UP, 0.13 * size, compX, cy, true, false);
            drawObject(g, s.kind(), s.colour(), s.direction(), (s.large() ? 0.17 : 0.12) * size, mainX, cy, s.filled(), s.dot());
            return;
        }
        double r = (s.large() ? 0.18 : 0.1) * size;
        double spacing = 2.4 * r;
        for (int i = 0; i < s.count(); i++) {
            double cx = s.placement().x() * size + (i - (s.count() - 1) / 2.0) * spacing;
            drawObject(g, s.kind(), s.colour(), s.direction(), r, cx, cy, s.filled(), s.dot());
        }
    }

    private static void drawObject(Graphics2D g, ShapeKind kind, Colour colour, Direction dir, double r, double cx, double cy,
                                   boolean filled, boolean dot) {
        AffineTransform t = new AffineTransform();
        t.translate(cx, cy);
        t.rotate(dir.radians());
        t.scale(r, r);
        Shape shape = t.createTransformedShape(unitShape(kind));
        g.setColor(new Color(colour.rgb()));
        if (filled) {
            g.fill(shape);
        } else {
            g.setStroke(new BasicStroke((float) Math.max(1.5, r * 0.25)));
            g.draw(shape);
        }
        if (dot) {
            double d = Math.max(1.6, r * 0.28);
            boolean dark = colour == Colour.BLACK || colour == Colour.BLUE || colour == Colour.PURPLE;
            g.setColor(filled && dark ? Color.WHITE : Color.BLACK);
            g.fill(new Ellipse2D.Double(cx - d, cy - d, 2 * d, 2 * d));
        }
    }

    /** The kind's outline in unit coordinates, pointing up (−y). */
    static Shape unitShape(ShapeKind kind) {
        return switch (kind) {
            case CIRCLE -> new Ellipse2D.Double(-1, -1, 2, 2);
            case SQUARE -> new Rectangle2D.Double(-0.82, -0.82, 1.64, 1.64);
            case TRIANGLE -> polygon(0, -1, 0.9, 0.65, -0.9, 0.65);
            case DIAMOND -> polygon(0, -1, 0.65, 0, 0, 1, -0.65, 0);
            case ARROW -> polygon(0, -1, 0.75, -0.15, 0.3, -0.15, 0.3, 1, -0.3, 1, -0.3, -0.15, -0.75, -0.15);
            case CROSS -> polygon(-0.3, -1, 0.3, -1, 0.3, -0.3, 1, -0.3, 1, 0.3, 0.3, 0.3, 0.3, 1, -0.3, 1, -0.3, 0.3,
                    -1, 0.3, -1, -0.3, -0.3, -0.3);
            case HEXAGON -> regular(6, 1, 1, Math.PI / 6);
            case STAR -> regular(5, 1, 0.45, 0);
        };
    }

    private static Shape polygon(double... xy) {
        Path2D.Double p = new Path2D.Double();
        p.moveTo(xy[0], xy[1]);
        for (int i = 2; i < xy.length; i += 2) {
            p.lineTo(xy[i], xy[i + 1]);
        }
        p.closePath();
        return p;
    }

    /** A regular polygon (inner == outer) or star (alternating radii), first vertex at the top rotated by phase. */
    private static Shape regular(int points, double outer, double inner, double phase) {
        boolean star = inner != outer;
        int n = star ? points * 2 : points;
        double[] xy = new double[2 * n];
        for (int i = 0; i < n; i++) {
            double rad = star && i % 2 == 1 ? inner : outer;
            double a = phase + 2 * Math.PI * i / n;
            xy[2 * i] = rad * Math.sin(a);
            xy[2 * i + 1] = -rad * Math.cos(a);
        }
        return polygon(xy);
    }

    private static void drawGlyph(Graphics2D g, char glyph, int size) {
        int cell = Math.max(1, size / 32);
        int x0 = Math.max(1, size / 32);
        int y0 = x0;
        g.setColor(Color.BLACK);
        for (int row = 0; row < BitmapFont.HEIGHT; row++) {
            for (int col = 0; col < BitmapFont.WIDTH; col++) {
                if (BitmapFont.pixel(glyph, col, row)) {
                    g.fillRect(x0 + col * cell, y0 + row * cell, cell, cell);
                }
            }
        }
    }
}
