package org.un2clip.model.clip;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * OpenAI CLIP's {@code simple_tokenizer} in pure Java: byte-level BPE over the 49408-id vocabulary of
 * {@code bpe_simple_vocab_16e6.txt.gz} (shipped as a resource). {@code tokenize} gives
 * {@code [<|startoftext|>] + bpe(clean(text)) + [<|endoftext|>]}, truncated to the context (last id forced to
 * end-of-text) and padded with 0, exactly as {@code clip.tokenize(text, truncate=True)}. Thread-safe.
 */
public final class ClipTokenizer {
    public static final int CONTEXT_LENGTH = 77;
    public static final String START = "<|startoftext|>";
    public static final String END = "<|endoftext|>";
    private static final String MERGES_RESOURCE = "bpe_simple_vocab_16e6.txt.gz";
    /** The merges file's lines 1 .. 48894 (49152 − 256 − 2 merges; line 0 is a version header). */
    private static final int MERGES = 49152 - 256 - 2;
    private static final Pattern WORDS = Pattern.compile(
            "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+",
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.UNICODE_CHARACTER_CLASS);

    private static volatile ClipTokenizer instance;

    private final char[] byteEncoder = new char[256];
    private final Map<String, Integer> encoder = new HashMap<>();
    private final Map<String, Integer> bpeRanks = new HashMap<>();
    private final Map<String, String[]> cache = new ConcurrentHashMap<>();
    private final int startId;
    private final int endId;

    private ClipTokenizer(List<String> merges) {
        List<Character> order = bytesToUnicode();
        List<String> vocab = new ArrayList<>();
        for (char c : order) {
            vocab.add(String.valueOf(c));
        }
        for (char c : order) {
            vocab.add(c + "</w>");
        }
        for (int i = 0; i < merges.size(); i++) {
            String[] pair = merges.get(i).split(" ");
            if (pair.length != 2) {
                throw new IllegalArgumentException(MERGES_RESOURCE + " line " + (i + 2) + " is not a merge pair: '" + merges.get(i) + "'");
            }
            bpeRanks.put(pair[0] + ' ' + pair[1], i);
            vocab.add(pair[0] + pair[1]);
        }
        vocab.add(START);
        vocab.add(END);
        for (int i = 0; i < vocab.size(); i++) {
            encoder.put(vocab.get(i), i);
        }
        startId = encoder.get(START);
        endId = encoder.get(END);
    }

    /** The tokenizer over the shipped OpenAI vocabulary (loaded once). */
    public static ClipTokenizer openAi() {
        ClipTokenizer t = instance;
        if (t == null) {
            synchronized (ClipTokenizer.class) {
                t = instance;
                if (t == null) {
                    t = new ClipTokenizer(readMerges());
                    instance = t;
                }
            }
        }
        return t;
    }

    public int vocabSize() {
        return encoder.size();
    }

    public int startOfText() {
        return startId;
    }

    public int endOfText() {
        return endId;
    }

    /** BPE ids of the cleaned text, without start/end tokens and without truncation. */
    public List<Integer> encode(String text) {
        String clean = whitespaceClean(basicClean(text)).toLowerCase(java.util.Locale.ROOT);
        List<Integer> ids = new ArrayList<>();
        Matcher m = WORDS.matcher(clean);
        while (m.find()) {
            String word = m.group();
            if (word.equals(START) || word.equals(END)) {
                ids.add(encoder.get(word));
                continue;
            }
            StringBuilder mapped = new StringBuilder();
            for (byte b : word.getBytes(StandardCharsets.UTF_8)) {
                mapped.append(byteEncoder[b & 0xFF]);
            }
            for (String piece : bpe(mapped.toString())) {
                ids.add(encoder.get(piece));
            }
        }
        return ids;
    }

    /** {@code clip.tokenize(text, context_length, truncate=True)} for one text. */
    public long[] tokenize(String text, int contextLength) {
        if (contextLength < 2) {
            throw new IllegalArgumentException("context length must be at least 2, got " + contextLength);
        }
        List<Integer> ids = encode(text);
        long[] out = new long[contextLength];
        out[0] = startId;
        int n = Math.min(ids.size(), contextLength - 2);
        for (int i = 0; i < n; i++) {
            out[1 + i] = ids.get(i);
        }
        // Truncation keeps the first context−1 ids and forces the last to end-of-text, as upstream.
        if (ids.size() + 2 > contextLength) {
            out[contextLength - 1] = endId;
        } else {
            out[1 + n] = endId;
        }
        return out;
    }

    public long[] tokenize(String text) {
        return tokenize(text, CONTEXT_LENGTH);
    }

    private String[] bpe(String token) {
        String[] cached = cache.get(token);
        if (cached != null) {
            return cached;
        }
        List<String> word = new ArrayList<>();
        for (int i = 0; i < token.length() - 1; i++) {
            word.add(String.valueOf(token.charAt(i)));
        }
        word.add(token.charAt(token.length() - 1) + "</w>");
        while (word.size() > 1) {
            int bestRank = Integer.MAX_VALUE;
            String first = null;
            String second = null;
            for (int i = 0; i + 1 < word.size(); i++) {
                Integer rank = bpeRanks.get(word.get(i) + ' ' + word.get(i + 1));
                if (rank != null && rank < bestRank) {
                    bestRank = rank;
                    first = word.get(i);
                    second = word.get(i + 1);
                }
            }
            if (first == null) {
                break;
            }
            List<String> merged = new ArrayList<>(word.size());
            for (int i = 0; i < word.size(); ) {
                if (i + 1 < word.size() && word.get(i).equals(first) && word.get(i + 1).equals(second)) {
                    merged.add(first + second);
                    i += 2;
                } else {
                    merged.add(word.get(i));
                    i++;
                }
            }
            word = merged;
        }
        String[] result = word.toArray(String[]::new);
        cache.put(token, result);
        return result;
    }

    /** {@code ftfy.fix_text}, {@code html.unescape} twice, strip. */
    static String basicClean(String text) {
        return pythonStrip(HtmlUnescape.unescape(HtmlUnescape.unescape(TextFixer.fix(text))));
    }

    /** {@code re.sub(r'\s+', ' ', text).strip()} with Python's notion of whitespace. */
    static String whitespaceClean(String text) {
        StringBuilder out = new StringBuilder(text.length());
        boolean inSpace = false;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (isPythonSpace(cp)) {
                if (!inSpace) {
                    out.append(' ');
                }
                inSpace = true;
            } else {
                out.appendCodePoint(cp);
                inSpace = false;
            }
        }
        return pythonStrip(out.toString());
    }

    private static String pythonStrip(String s) {
        int begin = 0;
        int end = s.length();
        while (begin < end && isPythonSpace(s.codePointAt(begin))) {
            begin += Character.charCount(s.codePointAt(begin));
        }
        while (end > begin && isPythonSpace(s.codePointBefore(end))) {
            end -= Character.charCount(s.codePointBefore(end));
        }
        return s.substring(begin, end);
    }

    /** Python's {@code str.isspace()}: bidi classes WS, B, S and category Zs (incl. no-break spaces), 0x1C–0x1F, 0x85. */
    static boolean isPythonSpace(int cp) {
        return Character.isWhitespace(cp) || Character.getType(cp) == Character.SPACE_SEPARATOR || cp == 0x85;
    }

    /** GPT-2's reversible byte → printable-character map, in its order (the first 256 vocabulary entries). */
    private List<Character> bytesToUnicode() {
        List<Integer> bs = new ArrayList<>();
        for (int b = '!'; b <= '~'; b++) {
            bs.add(b);
        }
        for (int b = 0xA1; b <= 0xAC; b++) {
            bs.add(b);
        }
        for (int b = 0xAE; b <= 0xFF; b++) {
            bs.add(b);
        }
        List<Character> cs = new ArrayList<>();
        for (int b : bs) {
            cs.add((char) b);
        }
        int n = 0;
        for (int b = 0; b < 256; b++) {
            if (!bs.contains(b)) {
                bs.add(b);
                cs.add((char) (256 + n++));
            }
        }
        for (int i = 0; i < 256; i++) {
            byteEncoder[bs.get(i)] = cs.get(i);
        }
        return cs;
    }

    private static List<String> readMerges() {
        try (InputStream raw = ClipTokenizer.class.getResourceAsStream(MERGES_RESOURCE)) {
            if (raw == null) {
                throw new IllegalStateException("resource " + MERGES_RESOURCE + " is missing from the model jar");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(raw), StandardCharsets.UTF_8));
            List<String> lines = new ArrayList<>();
            r.readLine();
            for (String line; lines.size() < MERGES && (line = r.readLine()) != null; ) {
                lines.add(line);
            }
            if (lines.size() != MERGES) {
                throw new IllegalStateException(MERGES_RESOURCE + " has " + lines.size() + " merges, expected " + MERGES);
            }
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + MERGES_RESOURCE, e);
        }
    }
}
