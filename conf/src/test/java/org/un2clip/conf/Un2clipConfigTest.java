package org.un2clip.conf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Un2clipConfigTest {

    @Test
    void defaultsLoadAndOverridesWin() {
        Config c = Un2clipConfig.load(Optional.empty(), List.of("run.dir=/tmp/x", "model.attention-query-slice=64"));
        assertThat(c.getString("run.dir")).isEqualTo("/tmp/x");
        assertThat(c.getInt("model.attention-query-slice")).isEqualTo(64);
        assertThat(c.getString("model.device")).isEqualTo("cpu");
    }

    @Test
    void unknownKeyIsNamedWithASuggestion() {
        assertThatThrownBy(() -> Un2clipConfig.load(Optional.empty(), List.of("model.devic=cuda:0")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown configuration key 'model.devic'")
                .hasMessageContaining("did you mean 'model.device'");
    }

    @Test
    void wrongTypeNamesKeyAndExpectedType() {
        assertThatThrownBy(() -> Un2clipConfig.load(Optional.empty(), List.of("model.attention-query-slice=lots")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'model.attention-query-slice' expects an integer")
                .hasMessageContaining("lots");
        assertThatThrownBy(() -> Un2clipConfig.load(Optional.empty(), List.of("model.attention-query-slice=1.5")))
                .hasMessageContaining("expects an integer");
    }

    @Test
    void fileOverridesAreValidatedAndNamed(@TempDir Path dir) throws Exception {
        Path ok = dir.resolve("ok.conf");
        Files.writeString(ok, "run { dir = \"r1\" }\nlogging.level = DEBUG\n");
        Config c = Un2clipConfig.load(Optional.of(ok.toString()), List.of("run.dir=r2"));
        assertThat(c.getString("run.dir")).isEqualTo("r2");
        assertThat(c.getString("logging.level")).isEqualTo("DEBUG");

        Path bad = dir.resolve("bad.conf");
        Files.writeString(bad, "run { dirr = \"r1\" }\n");
        assertThatThrownBy(() -> Un2clipConfig.load(bad.toString()))
                .hasMessageContaining("'run.dirr'").hasMessageContaining(bad.toString());

        Path broken = dir.resolve("broken.conf");
        Files.writeString(broken, "run { dir = \n");
        assertThatThrownBy(() -> Un2clipConfig.load(broken.toString()))
                .isInstanceOf(ConfigException.class).hasMessageContaining(broken.toString());
    }

    @Test
    void missingFileAndMalformedSetAreClear() {
        assertThatThrownBy(() -> Un2clipConfig.load("/no/such/file.conf"))
                .hasMessageContaining("/no/such/file.conf").hasMessageContaining("does not exist");
        assertThatThrownBy(() -> Un2clipConfig.load(Optional.empty(), List.of("justakey")))
                .hasMessageContaining("key=value");
    }

    @Test
    void pekkoKeysPassThrough() {
        Config c = Un2clipConfig.load(Optional.empty(), List.of("pekko.loglevel=DEBUG"));
        assertThat(c.getString("pekko.loglevel")).isEqualTo("DEBUG");
    }
}
