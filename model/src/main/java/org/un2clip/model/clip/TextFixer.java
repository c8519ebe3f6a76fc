package org.un2clip.model.clip;

import java.text.Normalizer;
import java.util.Map;

/**
 * The character-level part of {@code ftfy.fix_text} (ftfy 6 defaults), which OpenAI's tokenizer runs first:
 * latin ligatures expanded, full-width forms narrowed, curly quotes straightened, control characters removed,
 * then NFC. Not ported: ftfy's mojibake repair ({@code fix_encoding}, C1 decoding), a heuristic over encodings;
 * texts that are valid Unicode (every text from a UTF-8 file or Java string) are rarely affected by it.
 */
final class TextFixer {
    private static final Map<Integer, String> LIGATURES = Map.ofEntries(
            Map.entry(0x0132, "IJ"), Map.entry(0x0133, "ij"), Map.entry(0x0149, "\u02BCn"),
            Map.entry(0x01C4, "D\u017D"), Map.entry(0x01C5, "D\u017E"), Map.entry(0x01C6, "d\u017E"),
            Map.entry(0x01C7, "LJ"), Map.entry(0x01C8, "Lj"), Map.entry(0x01C9, "lj"),
            Map.entry(0x01CA, "NJ"), Map.entry(0x01CB, "Nj"), Map.entry(0x01CC, "nj"),
            Map.entry(0x01F1, "DZ"), Map.entry(0x01F2, "Dz"), Map.entry(0x01F3, "dz"),
            Map.entry(0xFB00, "ff"), Map.entry(0xFB01, "fi"), Map.entry(0xFB02, "fl"), Map.entry(0xFB03, "ffi"),
            Map.entry(0xFB04, "ffl"), Map.entry(0xFB05, "\u017Ft"), Map.entry(0xFB06, "st"));

    private TextFixer() {}

    static String fix(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> {
            String ligature = LIGATURES.get(cp);
            if (ligature != null) {
                out.append(ligature);
            } else if (cp == 0x3000 || cp >= 0xFF01 && cp <= 0xFFEE) {
                out.append(Normalizer.normalize(new String(Character.toChars(cp)), Normalizer.Form.NFKC));
            } else if (cp == 0x02BC || cp >= 0x2018 && cp <= 0x201B) {
                out.append('\'');
            } else if (cp >= 0x201C && cp <= 0x201F) {
                out.append('"');
            } else if (!isControl(cp)) {
                out.appendCodePoint(cp);
            }
        });
        return Normalizer.normalize(out, Normalizer.Form.NFC);
    }

    /** ftfy's {@code remove_control_chars} set (tab, LF, CR and FF are kept). */
    private static boolean isControl(int cp) {
        return cp <= 0x08 || cp == 0x0B || cp >= 0x0E && cp <= 0x1F || cp == 0x7F || cp >= 0x206A && cp <= 0x206F
                || cp == 0xFEFF || cp >= 0xFFF9 && cp <= 0xFFFC || cp >= 0x1D173 && cp <= 0x1D17A
                || cp >= 0xE0000 && cp <= 0xE007F;
    }
}
