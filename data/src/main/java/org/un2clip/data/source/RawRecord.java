package org.un2clip.data.source;

/**
 * One sample's bytes as stored, before decoding.
 *
 * @param source the shard file or folder it came from (for messages)
 * @param key the WebDataset key or the file's relative path
 * @param imageExt the image member's extension, lower case ("jpg", "png", ...)
 * @param image the encoded image
 * @param caption the caption's raw bytes, or null if the sample has none
 * @param json the metadata member's raw bytes, or null
 */
public record RawRecord(String source, String key, String imageExt, byte[] image, byte[] caption, byte[] json) {
}
