package dev.thawfs.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thawfs.config.Setting;
import dev.thawfs.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** README.md's configuration reference lists every setting with its true default. */
class ConfigReferenceTest {
    @Test
    void everySettingIsInTheReadmeWithItsDefault() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        for (Setting<?> setting : Settings.ALL) {
            String shown = setting.defaultText().isEmpty() ? "none" : "`" + setting.defaultText() + "`";
            assertTrue(readme.matches("(?s).*\\n\\| `" + setting.key() + "` \\|[^|\\n]*\\| " + java.util.regex.Pattern.quote(shown)
                    + " \\|.*"), setting.key() + " with default " + shown);
        }
    }
}
