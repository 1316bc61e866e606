package dev.thawfs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
    @TempDir
    Path dir;

    @Test
    void everyDefaultIsValidAndWorksWithoutAnObjectStore() {
        Settings settings = Settings.defaults();
        for (Setting<?> setting : Settings.ALL) {
            assertEquals("default", settings.describe(setting).origin(), setting.key());
        }
        assertEquals(10L << 30, settings.get(Settings.STORE_BUDGET));
        assertEquals(PassthroughMode.AUTO, settings.get(Settings.MOUNT_PASSTHROUGH));
        assertEquals(null, settings.s3(null, null).endpoint());
        assertFalse(settings.s3(null, null).pathStyle());
    }

    @Test
    void fileThenEnvironmentThenFlagsEachOverrideTheOneBefore() throws Exception {
        Path file = write("""
                [store]
                dir = "/srv/thawfs"
                budget = "2GiB"
                [s3]
                endpoint = "http://127.0.0.1:9000"
                [fetch]
                timeout = "90s"
                attempts = 7
                [mount]
                allow-other = true
                """);
        Settings settings = Settings.load(file, Map.of("THAWFS_STORE_BUDGET", "3G", "THAWFS_FETCH_ATTEMPTS", "2"))
                .with(Settings.FETCH_ATTEMPTS, "9", "--attempts");
        assertEquals(Path.of("/srv/thawfs"), settings.get(Settings.STORE_DIR));
        assertEquals(3L << 30, settings.get(Settings.STORE_BUDGET));
        assertEquals("THAWFS_STORE_BUDGET", settings.describe(Settings.STORE_BUDGET).origin());
        assertEquals(9, settings.get(Settings.FETCH_ATTEMPTS));
        assertEquals(Duration.ofSeconds(90), settings.get(Settings.FETCH_TIMEOUT));
        assertEquals("config " + file + ":7", settings.describe(Settings.FETCH_TIMEOUT).origin());
        assertTrue(settings.get(Settings.MOUNT_ALLOW_OTHER));
        S3Settings s3 = settings.s3("key", "secret");
        assertEquals(URI.create("http://127.0.0.1:9000"), s3.endpoint());
        assertTrue(s3.pathStyle(), "an endpoint implies path-style unless set");
    }

    @Test
    void theConfigFileComesFromTheEnvironmentWhenNoFlagNamesOne() throws Exception {
        Path file = write("store.budget = \"1GiB\"\n");
        assertEquals(1L << 30, Settings.load(null, Map.of("THAWFS_CONFIG", file.toString())).get(Settings.STORE_BUDGET));
    }

    @Test
    void badValuesNameWhereTheKeyTheValueAndWhatIsAllowedAllAtOnce() throws Exception {
        Path file = write("""
                [store]
                budget = "10 parsecs"
                [mount]
                passthrough = "sometimes"
                """);
        ConfigException e = assertThrows(ConfigException.class,
                () -> Settings.load(file, Map.of("THAWFS_FETCH_TIMEOUT", "0s")));
        String message = e.getMessage();
        assertTrue(message.contains("config " + file + ":2: store.budget = '10 parsecs' is not valid; allowed: a size"),
                message);
        assertTrue(message.contains(":4: mount.passthrough = 'sometimes' is not valid; allowed: auto, off, require"),
                message);
        assertTrue(message.contains("THAWFS_FETCH_TIMEOUT: fetch.timeout = '0s' is not valid; allowed: a duration"
                + " from 1s to 24h"), message);
    }

    @Test
    void unknownKeysAreErrorsWithASuggestion() throws Exception {
        ConfigException near = assertThrows(ConfigException.class,
                () -> Settings.load(write("[store]\nbuget = \"1G\"\n"), Map.of()));
        assertTrue(near.getMessage().endsWith(":2: unknown setting 'store.buget'; did you mean store.budget?"),
                near.getMessage());
        ConfigException far = assertThrows(ConfigException.class,
                () -> Settings.load(write("colour = \"blue\"\n"), Map.of()));
        assertTrue(far.getMessage().contains("settings are in the sections [store]"), far.getMessage());
    }

    @Test
    void syntaxErrorsAndMissingFilesAreClear() throws Exception {
        ConfigException syntax = assertThrows(ConfigException.class,
                () -> Settings.load(write("[store\nbudget = 1\n"), Map.of()));
        assertTrue(syntax.getMessage().startsWith("config " + dir.resolve("thawfs.toml") + ":1: "), syntax.getMessage());
        ConfigException missing = assertThrows(ConfigException.class,
                () -> Settings.load(dir.resolve("absent.toml"), Map.of()));
        assertTrue(missing.getMessage().contains("absent.toml: cannot be read"), missing.getMessage());
    }

    @Test
    void flagsAreValidatedLikeTheFile() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> Settings.defaults().with(Settings.MOUNT_WORKERS, "0", "--workers"));
        assertEquals("--workers: mount.workers = '0' is not valid; allowed: a whole number from 1 to 256",
                e.getMessage());
    }

    @Test
    void valueTypesParseWhatTheReferenceShows() {
        ValueType<Long> size = ValueType.size(0, Long.MAX_VALUE);
        assertEquals(4096L, size.parse("4096"));
        assertEquals(64L << 20, size.parse("64MiB"));
        assertEquals(10L << 30, size.parse("10G"));
        assertEquals(3L << 10, size.parse("3 KB"));
        assertThrows(IllegalArgumentException.class, () -> size.parse("-1"));
        assertThrows(IllegalArgumentException.class, () -> size.parse("99999999999T"));
        assertEquals(Duration.ofMillis(250), ValueType.duration(Duration.ZERO, Duration.ofDays(1)).parse("250ms"));
        assertEquals(Optional.of(false), ValueType.autoOrBool().parse("false"));
        assertEquals("64MiB", Sizes.format(64L << 20));
        assertEquals("2m", Sizes.format(Duration.ofSeconds(120)));
    }

    @Test
    void metricsAddressesAreLoopbackUnlessAnAddressIsWritten() throws Exception {
        ValueType<Optional<InetSocketAddress>> address = ValueType.optionalAddress();
        assertEquals(Optional.empty(), address.parse(""));
        assertEquals(Optional.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 9464)), address.parse("9464"));
        assertEquals(Optional.of(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 9464)),
                address.parse("0.0.0.0:9464"));
        assertEquals(Optional.of(new InetSocketAddress(InetAddress.getByName("::1"), 0)), address.parse("[::1]:0"));
        for (String bad : new String[] {"metrics.example.com:9464", "256.0.0.1:9464", "1.2.3:9464", ":9464",
            "127.0.0.1:65536", "127.0.0.1", "on"}) {
            assertThrows(IllegalArgumentException.class, () -> address.parse(bad), bad);
        }
    }

    @Test
    void environmentVariablesFollowTheKeys() {
        assertEquals("THAWFS_MOUNT_MATERIALIZE_ON_OPEN", Settings.MOUNT_MATERIALIZE_ON_OPEN.environmentVariable());
        assertEquals(Settings.ALL.size(), Settings.ALL.stream().map(Setting::key).distinct().count());
    }

    private Path write(String text) throws Exception {
        return Files.writeString(dir.resolve("thawfs.toml"), text);
    }
}
