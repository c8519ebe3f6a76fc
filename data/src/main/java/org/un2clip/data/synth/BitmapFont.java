package org.un2clip.data.synth;

import java.util.Map;

/**
 * A 5×7 pixel font for digits and capital letters, drawn cell by cell: glyphs come out identical on every
 * machine (no system fonts, no anti-aliasing).
 */
public final class BitmapFont {
    public static final int WIDTH = 5;
    public static final int HEIGHT = 7;

    /** The glyphs the miniature world writes. */
    public static final String GLYPHS = "0123456789ACEFHKLPRTXY";

    private static final Map<Character, String[]> ROWS = Map.ofEntries(
            Map.entry('0', new String[] {".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."}),
            Map.entry('1', new String[] {"..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."}),
            Map.entry('2', new String[] {".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"}),
            Map.entry('3', new String[] {"#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###."}),
            Map.entry('4', new String[] {"...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."}),
            Map.entry('5', new String[] {"#####", "#....", "####.", "....#", "....#", "#...#", ".###."}),
            Map.entry('6', new String[] {"..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."}),
            Map.entry('7', new String[] {"#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."}),
            Map.entry('8', new String[] {".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."}),
            Map.entry('9', new String[] {".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."}),
            Map.entry('A', new String[] {".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"}),
            Map.entry('C', new String[] {".###.", "#...#", "#....", "#....", "#....", "#...#", ".###."}),
            Map.entry('E', new String[] {"#####", "#....", "#....", "####.", "#....", "#....", "#####"}),
            Map.entry('F', new String[] {"#####", "#....", "#....", "####.", "#....", "#....", "#...."}),
            Map.entry('H', new String[] {"#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"}),
            Map.entry('K', new String[] {"#...#", "#..#.", "#.#..", "##...", "#.#..", "#..#.", "#...#"}),
            Map.entry('L', new String[] {"#....", "#....", "#....", "#....", "#....", "#....", "#####"}),
            Map.entry('P', new String[] {"####.", "#...#", "#...#", "####.", "#....", "#....", "#...."}),
            Map.entry('R', new String[] {"####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#"}),
            Map.entry('T', new String[] {"#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."}),
            Map.entry('X', new String[] {"#...#", "#...#", ".#.#.", "..#..", ".#.#.", "#...#", "#...#"}),
            Map.entry('Y', new String[] {"#...#", "#...#", ".#.#.", "..#..", "..#..", "..#..", "..#.."}));

    private BitmapFont() {
    }

    /** Whether glyph {@code c} has its cell (col, row) set. */
    public static boolean pixel(char c, int col, int row) {
        String[] rows = ROWS.get(c);
        if (rows == null) {
            throw new IllegalArgumentException("no glyph for '" + c + "'");
        }
        return rows[row].charAt(col) == '#';
    }

    public static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
