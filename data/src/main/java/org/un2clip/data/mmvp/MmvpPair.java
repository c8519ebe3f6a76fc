package org.un2clip.data.mmvp;

import java.nio.file.Path;

/** Two consecutive Questions.csv rows: one pair of images, one statement each. */
public record MmvpPair(String pattern, int qid1, String statement1, Path image1, int qid2, String statement2, Path image2) {
}
