package org.un2clip.actors.objective.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.un2clip.model.clip.ClipTokenizer;

class VocabularyTest {

    @Test
    void compactIdsKeepPaddingAndEndOfTextWhereClipPoolsThem() {
        Vocabulary v = Vocabulary.of(List.of("a photo of a circle", "a photo of a red star pointing left"), 12);
        int[] ids = v.encode("a photo of a circle");
        long[] bpe = ClipTokenizer.openAi().tokenize("a photo of a circle", 12);
        // monotone renumbering: the same argmax (end of text), zeros where the BPE ids are padding
        int argmax = 0;
        for (int i = 1; i < ids.length; i++) {
            if (ids[i] > ids[argmax]) {
                argmax = i;
            }
        }
        int bpeArgmax = 0;
        for (int i = 1; i < bpe.length; i++) {
            if (bpe[i] > bpe[bpeArgmax]) {
                bpeArgmax = i;
            }
        }
        assertThat(argmax).isEqualTo(bpeArgmax).isEqualTo(6);
        assertThat(ids[argmax]).isEqualTo(v.size() - 1);
        assertThat(ids[7]).isZero();
        assertThat(v.size()).isLessThan(20);
        assertThat(v.encode("a photo of a circle")).containsExactly(ids);
    }

    @Test
    void unknownWordsAreNamed() {
        Vocabulary v = Vocabulary.of(List.of("a photo of a circle"), 12);
        assertThatThrownBy(() -> v.encode("a photo of a hexagon")).hasMessageContaining("a photo of a hexagon")
                .hasMessageContaining("outside the demo vocabulary");
    }
}
