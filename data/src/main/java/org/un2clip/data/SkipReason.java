package org.un2clip.data;

/** Why a record was skipped. Every skip is counted under one of these and logged with its shard and key. */
public enum SkipReason {
    /** The image bytes are not a decodable image (bad header, broken stream). */
    CORRUPT_IMAGE("corrupt image"),
    /** The image stream ends before the picture does. */
    TRUNCATED_IMAGE("truncated image"),
    /** The image member or file has no bytes. */
    ZERO_BYTE_FILE("zero-byte file"),
    /** The file's extension names another format than its content (e.g. PNG bytes in {@code x.jpg}). */
    WRONG_EXTENSION("wrong extension"),
    /** Width × height above {@code data.max-pixels}: refused from the header, before decoding. */
    TOO_MANY_PIXELS("too many pixels (decompression bomb)"),
    /** A key with captions or metadata but no image member. */
    MISSING_IMAGE("missing image"),
    /** The caption is needed (captions required) but absent. */
    MISSING_CAPTION("missing caption"),
    /** The caption is not valid UTF-8. */
    BAD_CAPTION_ENCODING("caption not UTF-8"),
    /** A tar member whose path leaves the shard (absolute, or with {@code ..}). */
    UNSAFE_PATH("member path outside the shard"),
    /** The tar ends inside a header or a member: the member is lost, the rest of the shard is unreadable. */
    TRUNCATED_TAR("truncated tar"),
    /** A tar header whose checksum or fields are wrong: the rest of the shard is unreadable. */
    CORRUPT_TAR("corrupt tar header"),
    /** The file could not be read (I/O error). */
    UNREADABLE("unreadable");

    private final String label;

    SkipReason(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
