package org.un2clip.data.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.un2clip.data.TestImages;

class ImageFolderSourceTest {
    @TempDir
    Path dir;

    @Test
    void tsvCaptionsSidecarsAndRecursiveOrder() throws Exception {
        byte[] png = TestImages.png(TestImages.smooth(4, 4));
        Files.createDirectories(dir.resolve("b"));
        Files.write(dir.resolve("b/z.png"), png);
        Files.write(dir.resolve("a.png"), png);
        Files.write(dir.resolve("c.jpg"), TestImages.jpeg(TestImages.smooth(4, 4)));
        Files.writeString(dir.resolve("c.txt"), "from sidecar");
        Files.writeString(dir.resolve("notes.md"), "ignored");
        Files.writeString(dir.resolve("captions.tsv"), "path\tcaption\na.png\tan apple\nb/z.png\ta zebra, striped\n");
        try (ImageFolderSource src = ImageFolderSource.open(dir, null)) {
            assertThat(src.size()).isEqualTo(3);
            assertThat(src.location(0).key()).isEqualTo("a.png");
            assertThat(src.location(1).key()).isEqualTo("b/z.png");
            assertThat(caption(src.read(1))).isEqualTo("a zebra, striped");
            assertThat(caption(src.read(0))).isEqualTo("an apple");
            assertThat(caption(src.read(2))).isEqualTo("from sidecar");
            assertThat(src.read(2).imageExt()).isEqualTo("jpg");
        }
    }

    @Test
    void csvCaptionsWithQuotes() throws Exception {
        Files.write(dir.resolve("x.png"), TestImages.png(TestImages.smooth(4, 4)));
        Path csv = dir.resolve("caps.csv");
        Files.writeString(csv, "x.png,\"a \"\"quoted\"\", comma caption\"\r\n");
        try (ImageFolderSource src = ImageFolderSource.open(dir, csv)) {
            assertThat(caption(src.read(0))).isEqualTo("a \"quoted\", comma caption");
        }
    }

    @Test
    void missingFolderIsNamed() {
        assertThatThrownBy(() -> ImageFolderSource.open(dir.resolve("nope"), null))
                .isInstanceOf(DataSourceException.class).hasMessageContaining("nope");
    }

    private static String caption(RawRecord r) {
        return new String(r.caption(), StandardCharsets.UTF_8);
    }
}
