package org.un2clip.data.source;

import java.util.ArrayList;
import java.util.List;

/**
 * Expands WebDataset shard lists: {@code cc3m-{00000..00331}.tar} (numeric ranges keep the zero padding
 * of the lower bound) and {@code part-{a,b,c}.tar} (alternatives); several braces multiply out, left to right.
 */
public final class ShardPatterns {
    private ShardPatterns() {
    }

    public static List<String> expand(String pattern) {
        int open = pattern.indexOf('{');
        if (open < 0) {
            if (pattern.indexOf('}') >= 0) {
                throw new IllegalArgumentException("unbalanced '}' in shard pattern: " + pattern);
            }
            return List.of(pattern);
        }
        int close = pattern.indexOf('}', open);
        if (close < 0) {
            throw new IllegalArgumentException("unbalanced '{' in shard pattern: " + pattern);
        }
        String head = pattern.substring(0, open);
        String body = pattern.substring(open + 1, close);
        List<String> tails = expand(pattern.substring(close + 1));
        List<String> out = new ArrayList<>();
        for (String alt : alternatives(body, pattern)) {
            for (String tail : tails) {
                out.add(head + alt + tail);
            }
        }
        return out;
    }

    private static List<String> alternatives(String body, String pattern) {
        int dots = body.indexOf("..");
        if (dots < 0) {
            return List.of(body.split(",", -1));
        }
        String lo = body.substring(0, dots);
        String hi = body.substring(dots + 2);
        long a;
        long b;
        try {
            a = Long.parseLong(lo);
            b = Long.parseLong(hi);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("range {" + body + "} is not numeric in shard pattern: " + pattern);
        }
        if (b < a) {
            throw new IllegalArgumentException("range {" + body + "} is empty in shard pattern: " + pattern);
        }
        if (b - a > 10_000_000) {
            throw new IllegalArgumentException("range {" + body + "} is too large in shard pattern: " + pattern);
        }
        int width = lo.length();
        List<String> out = new ArrayList<>();
        for (long v = a; v <= b; v++) {
            String s = Long.toString(v);
            out.add(s.length() < width ? "0".repeat(width - s.length()) + s : s);
        }
        return out;
    }
}
