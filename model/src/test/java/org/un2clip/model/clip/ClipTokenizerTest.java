package org.un2clip.model.clip;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

class ClipTokenizerTest {
    private final ClipTokenizer tokenizer = ClipTokenizer.openAi();

    @Test
    void reproducesEveryRowOfOpenAisReferenceTokenizer() throws Exception {
        JsonNode golden;
        try (InputStream in = getClass().getResourceAsStream("/tokenizer/token_ids.json")) {
            golden = new ObjectMapper().readTree(in);
        }
        assertThat(tokenizer.startOfText()).isEqualTo(golden.get("start_of_text").asInt());
        assertThat(tokenizer.endOfText()).isEqualTo(golden.get("end_of_text").asInt());
        assertThat(golden.get("rows")).hasSizeGreaterThan(100);
        for (JsonNode row : golden.get("rows")) {
            long[] expected = new long[row.get("ids").size()];
            for (int i = 0; i < expected.length; i++) {
                expected[i] = row.get("ids").get(i).asLong();
            }
            assertThat(tokenizer.tokenize(row.get("text").asText(), expected.length)).as(row.get("text").asText())
                    .containsExactly(expected);
        }
    }

    @Test
    void vocabularyIsOpenAis() {
        assertThat(tokenizer.vocabSize()).isEqualTo(49408);
        assertThat(tokenizer.encode("a photo of a cat")).containsExactly(320, 1125, 539, 320, 2368);
    }

    @Test
    void specialTokensInTheTextMapToTheirIds() {
        assertThat(tokenizer.encode("<|endoftext|>")).containsExactly(49407);
        assertThat(tokenizer.encode("<|startoftext|>cat")).startsWith(49406);
    }

    @Test
    void truncationKeepsTheEndToken() {
        long[] ids = tokenizer.tokenize("cat ".repeat(200), 10);
        assertThat(ids).hasSize(10);
        assertThat(ids[0]).isEqualTo(49406);
        assertThat(ids[9]).isEqualTo(49407);
        assertThat(ids[8]).isEqualTo(ids[1]);
    }

    @Test
    void htmlUnescapeFollowsPython() {
        assertThat(HtmlUnescape.unescape("&amp;lt; &copy &notit; &#x41;&#65 &#128; &#0; &#xD800; &#1; &bogus;"))
                .isEqualTo("&lt; \u00A9 \u00ACit; AA \u20AC \uFFFD \uFFFD  &bogus;");
        assertThat(ClipTokenizer.basicClean("  &amp;lt;b&amp;gt; ")).isEqualTo("<b>");
    }

    @Test
    void ftfyCharacterFixes() {
        assertThat(TextFixer.fix("\u201Cquoted\u201D \u2018it\u2019s\u2019 \uFB01ne \uFF21\uFF22 e\u0301")).isEqualTo("\"quoted\" 'it's' fine AB \u00E9");
        assertThat(ClipTokenizer.whitespaceClean("\u00A0a\u2003\u001Cb\t ")).isEqualTo("a b");
    }
}
