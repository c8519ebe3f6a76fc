package org.un2clip.model.clip;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Python's {@code html.unescape}, ported rule for rule (CLIP's tokenizer applies it twice): numeric references with
 * the HTML5 replacement rules, and the 2231 HTML5 named references (with the longest-prefix rule for names
 * without ';'). The name table is Python's {@code html.entities.html5}, stored as a resource.
 */
final class HtmlUnescape {
    private static final Pattern CHARREF = Pattern.compile("&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\\t\\n\\f <&#;]{1,32};?)");
    private static final Map<String, String> NAMED = loadNamed();
    /** HTML5's replacements for numeric references to C1 controls, NUL and CR (Python's {@code _invalid_charrefs}). */
    private static final Map<Integer, String> INVALID_CHARREFS = new HashMap<>();

    static {
        INVALID_CHARREFS.put(0x00, "\uFFFD");
        INVALID_CHARREFS.put(0x0D, "\r");
        String c1 = "€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008DŽ\u008F\u0090‘’“”•–—˜™š›œ\u009DžŸ";
        for (int i = 0; i < 32; i++) {
            INVALID_CHARREFS.put(0x80 + i, String.valueOf(c1.charAt(i)));
        }
    }

    private HtmlUnescape() {}

    static String unescape(String s) {
        if (s.indexOf('&') < 0) {
            return s;
        }
        Matcher m = CHARREF.matcher(s);
        StringBuilder out = new StringBuilder(s.length());
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(replace(m.group(1))));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String replace(String ref) {
        if (ref.charAt(0) == '#') {
            boolean hex = ref.charAt(1) == 'x' || ref.charAt(1) == 'X';
            String digits = ref.substring(hex ? 2 : 1);
            if (digits.endsWith(";")) {
                digits = digits.substring(0, digits.length() - 1);
            }
            BigInteger big = new BigInteger(digits, hex ? 16 : 10);
            if (big.bitLength() > 31) {
                return "\uFFFD";
            }
            int num = big.intValue();
            String invalid = INVALID_CHARREFS.get(num);
            if (invalid != null) {
                return invalid;
            }
            if (num >= 0xD800 && num <= 0xDFFF || num > 0x10FFFF) {
                return "\uFFFD";
            }
            if (isInvalidCodepoint(num)) {
                return "";
            }
            return new String(Character.toChars(num));
        }
        String named = NAMED.get(ref);
        if (named != null) {
            return named;
        }
        for (int x = ref.length() - 1; x > 1; x--) {
            String prefix = NAMED.get(ref.substring(0, x));
            if (prefix != null) {
                return prefix + ref.substring(x);
            }
        }
        return "&" + ref;
    }

    /** Python's {@code _invalid_codepoints}: C0 controls but tab/LF/FF/CR, DEL and C1, the noncharacters. */
    private static boolean isInvalidCodepoint(int cp) {
        return cp >= 0x1 && cp <= 0x8 || cp == 0xB || cp >= 0xE && cp <= 0x1F || cp >= 0x7F && cp <= 0x9F
                || cp >= 0xFDD0 && cp <= 0xFDEF || (cp & 0xFFFE) == 0xFFFE;
    }

    private static Map<String, String> loadNamed() {
        Map<String, String> map = new HashMap<>();
        try (InputStream in = HtmlUnescape.class.getResourceAsStream("html5_entities.tsv")) {
            if (in == null) {
                throw new IllegalStateException("resource html5_entities.tsv is missing from the model jar");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("#") || line.isEmpty()) {
                    continue;
                }
                int tab = line.indexOf('\t');
                StringBuilder value = new StringBuilder();
                for (String hex : line.substring(tab + 1).split(" ")) {
                    value.appendCodePoint(Integer.parseInt(hex, 16));
                }
                map.put(line.substring(0, tab), value.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading html5_entities.tsv", e);
        }
        return map;
    }
}
