package org.un2clip.data.source;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.un2clip.data.BadRecordException;
import org.un2clip.data.SkipReason;

/** Caption bytes → text: strict UTF-8 (a malformed byte skips the record), surrounding whitespace trimmed. */
public final class Captions {
    private Captions() {
    }

    public static String decode(byte[] bytes) throws BadRecordException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString().strip();
        } catch (CharacterCodingException e) {
            throw new BadRecordException(SkipReason.BAD_CAPTION_ENCODING, "caption is not valid UTF-8");
        }
    }
}
