package org.un2clip.actors.objective.demo;

import java.util.Arrays;
import java.util.Collection;
import java.util.TreeSet;
import org.un2clip.model.clip.ClipTokenizer;

/**
 * The tiny CLIP's vocabulary: the OpenAI BPE ids that occur in the texts the demo will ever encode, renumbered
 * 0..n-1 in increasing order. The map is monotone, so padding (id 0) stays 0 and end-of-text (the largest BPE id)
 * stays the largest: CLIP's pooling at {@code argmax(ids)} is unchanged, while the token-embedding table shrinks
 * from 49,408 rows to a few hundred.
 */
public final class Vocabulary {
    private final ClipTokenizer tokenizer = ClipTokenizer.openAi();
    private final int[] bpeIds;
    private final int context;

    private Vocabulary(int[] bpeIds, int context) {
        this.bpeIds = bpeIds;
        this.context = context;
    }

    public static Vocabulary of(Collection<String> texts, int context) {
        ClipTokenizer t = ClipTokenizer.openAi();
        TreeSet<Integer> ids = new TreeSet<>();
        ids.add(0);
        for (String s : texts) {
            for (long id : t.tokenize(s, context)) {
                ids.add((int) id);
            }
        }
        return new Vocabulary(ids.stream().mapToInt(Integer::intValue).toArray(), context);
    }

    public static Vocabulary fromBpeIds(int[] bpeIds, int context) {
        return new Vocabulary(bpeIds.clone(), context);
    }

    public int[] bpeIds() {
        return bpeIds.clone();
    }

    public int size() {
        return bpeIds.length;
    }

    public int context() {
        return context;
    }

    /** The compact ids of a text (context length, zero padded, truncated as {@code clip.tokenize(truncate=True)}). */
    public int[] encode(String text) {
        long[] bpe = tokenizer.tokenize(text, context);
        int[] out = new int[context];
        for (int i = 0; i < context; i++) {
            int k = Arrays.binarySearch(bpeIds, (int) bpe[i]);
            if (k < 0) {
                throw new IllegalArgumentException("text '" + text + "' has a token (BPE id " + bpe[i]
                        + ") outside the demo vocabulary; regenerate the CLIP stage");
            }
            out[i] = k;
        }
        return out;
    }

    public long[] encodeLong(String text) {
        return Arrays.stream(encode(text)).asLongStream().toArray();
    }
}
