package org.un2clip.data.tar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TarReaderTest {
    static final String LONG = "deep/".repeat(30) + "a-very-long-file-name-that-does-not-fit-into-one-hundred-bytes.jpg";

    static byte[] archive(TarWriter.LongNames mode, String... namesAndContents) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarWriter w = new TarWriter(bytes, mode)) {
            for (int i = 0; i < namesAndContents.length; i += 2) {
                w.add(namesAndContents[i], namesAndContents[i + 1].getBytes(StandardCharsets.UTF_8));
            }
        }
        return bytes.toByteArray();
    }

    static List<String> readAll(byte[] tar) throws IOException {
        List<String> out = new ArrayList<>();
        try (TarReader r = new TarReader(new ByteArrayInputStream(tar))) {
            TarEntry e;
            while ((e = r.next()) != null) {
                out.add(e.name() + "=" + new String(r.readContent(), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(TarWriter.LongNames.class)
    void readsShortAndLongNamesInEveryConvention(TarWriter.LongNames mode) throws IOException {
        String longName = mode == TarWriter.LongNames.USTAR_PREFIX ? "dir/".repeat(30) + "short-enough-name.jpg" : LONG;
        byte[] tar = archive(mode, "a.txt", "hello", longName, "x".repeat(700), "b.json", "{}");
        assertThat(readAll(tar)).containsExactly("a.txt=hello", longName + "=" + "x".repeat(700), "b.json={}");
    }

    @Test
    void skipsUnreadContentAndReportsOffsets() throws IOException {
        byte[] tar = archive(TarWriter.LongNames.PAX, "a.bin", "0123456789", "b.bin", "abc");
        try (TarReader r = new TarReader(new ByteArrayInputStream(tar))) {
            TarEntry a = r.next();
            TarEntry b = r.next();
            assertThat(a.dataOffset()).isEqualTo(512);
            assertThat(b.dataOffset()).isEqualTo(512 + 512 + 512);
            assertThat(new String(Arrays.copyOfRange(tar, (int) b.dataOffset(), (int) b.dataOffset() + 3), StandardCharsets.UTF_8)).isEqualTo("abc");
            assertThat(r.next()).isNull();
        }
    }

    @Test
    void truncatedInsideMemberIsReportedWithTheMember() throws IOException {
        byte[] tar = archive(TarWriter.LongNames.PAX, "a.txt", "hello", "b.jpg", "y".repeat(1000));
        byte[] cut = Arrays.copyOf(tar, 512 + 512 + 512 + 300);
        try (TarReader r = new TarReader(new ByteArrayInputStream(cut))) {
            assertThat(r.next().name()).isEqualTo("a.txt");
            assertThat(r.next().name()).isEqualTo("b.jpg");
            assertThatThrownBy(r::readContent).isInstanceOfSatisfying(TarFormatException.class, e -> {
                assertThat(e.truncated()).isTrue();
                assertThat(e.member()).isEqualTo("b.jpg");
            });
        }
    }

    @Test
    void truncatedInsideSkippedMemberOrHeaderIsReported() throws IOException {
        byte[] tar = archive(TarWriter.LongNames.PAX, "a.txt", "x".repeat(2000), "b.txt", "b");
        try (TarReader r = new TarReader(new ByteArrayInputStream(Arrays.copyOf(tar, 1000)))) {
            r.next();
            assertThatThrownBy(r::next).isInstanceOfSatisfying(TarFormatException.class, e -> assertThat(e.truncated()).isTrue());
        }
        try (TarReader r = new TarReader(new ByteArrayInputStream(Arrays.copyOf(tar, 512 + 2048 + 100)))) {
            r.next();
            assertThatThrownBy(r::next).isInstanceOfSatisfying(TarFormatException.class,
                    e -> assertThat(e.getMessage()).contains("inside a header"));
        }
    }

    @Test
    void archiveWithoutEndBlocksEndsAtAMemberBoundary() throws IOException {
        byte[] tar = archive(TarWriter.LongNames.PAX, "a.txt", "hello");
        assertThat(readAll(Arrays.copyOf(tar, 1024))).containsExactly("a.txt=hello");
    }

    @Test
    void badChecksumIsACorruptHeader() throws IOException {
        byte[] tar = archive(TarWriter.LongNames.PAX, "a.txt", "hello");
        tar[10] ^= 0x40;
        try (TarReader r = new TarReader(new ByteArrayInputStream(tar))) {
            assertThatThrownBy(r::next).isInstanceOfSatisfying(TarFormatException.class, e -> {
                assertThat(e.truncated()).isFalse();
                assertThat(e.getMessage()).contains("checksum");
            });
        }
    }

    @Test
    void paxRecordsParseWithMultiByteCharacters() throws IOException {
        byte[] rec = TarWriter.paxRecord("path", "caf\u00e9/\u56fe.jpg");
        assertThat(TarReader.parsePax(rec)).containsEntry("path", "caf\u00e9/\u56fe.jpg");
    }

    @Test
    void unsafePathsAreRecognised() {
        assertThat(TarPaths.isSafe("a/b.jpg")).isTrue();
        assertThat(TarPaths.isSafe("./a.jpg")).isTrue();
        assertThat(TarPaths.isSafe("a..b.jpg")).isTrue();
        assertThat(TarPaths.isSafe("../x.jpg")).isFalse();
        assertThat(TarPaths.isSafe("a/../../x.jpg")).isFalse();
        assertThat(TarPaths.isSafe("/etc/passwd")).isFalse();
        assertThat(TarPaths.isSafe("C:\\x.jpg")).isFalse();
        assertThat(TarPaths.isSafe("a\\..\\x.jpg")).isFalse();
    }
}
