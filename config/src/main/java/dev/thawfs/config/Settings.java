package dev.thawfs.config;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlTable;

/**
 * Every setting of thawfs, and their values: the defaults, overridden by a TOML config file,
 * overridden by {@code THAWFS_*} environment variables, overridden by command-line flags. Each
 * value remembers where it came from, so an error or {@code thawfs config} can say.
 */
public final class Settings {
    private static final long KIB = 1L << 10;
    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;
    private static final long TIB = 1L << 40;

    public static final Setting<Path> STORE_DIR = new Setting<>("store.dir", ValueType.absolutePath(),
            "/var/cache/thawfs", "the local store: fetched files and their RocksDB index (mode 0700)");
    public static final Setting<Long> STORE_BUDGET = new Setting<>("store.budget", ValueType.size(MIB, 1024 * TIB),
            "10GiB", "fetched content kept before evicting, least recently used first");
    public static final Setting<Integer> STORE_MIN_FREE_PERCENT = new Setting<>("store.min-free-percent",
            ValueType.integer(0, 99), "5", "evict also while the store's disk has less free space than this");

    public static final Setting<URI> S3_ENDPOINT = new Setting<>("s3.endpoint", ValueType.optionalUrl(), "",
            "an S3-compatible store's URL; empty for AWS S3 itself");
    public static final Setting<String> S3_REGION = new Setting<>("s3.region", ValueType.text(), "us-east-1",
            "the signing region");
    public static final Setting<String> S3_PROFILE = new Setting<>("s3.profile", ValueType.text(), "",
            "a profile of the AWS config files; empty: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, else the SDK's"
                    + " default chain");
    public static final Setting<Optional<Boolean>> S3_PATH_STYLE = new Setting<>("s3.path-style",
            ValueType.autoOrBool(), "auto", "bucket in the URL's path; auto: when an endpoint is set");
    public static final Setting<Duration> S3_REQUEST_TIMEOUT = new Setting<>("s3.request-timeout",
            ValueType.duration(Duration.ofSeconds(1), Duration.ofHours(1)), "30s", "one HTTP request, first byte to last");

    public static final Setting<HttpListing> HTTP_LISTING = new Setting<>("http.listing",
            ValueType.oneOf(HttpListing.class), "index",
            "how an https://HOST/PREFIX/ source's tree is found; index: read the server's autoindex-style HTML"
                    + " pages recursively at mount; none: list nothing, look each name up (HEAD) when first asked for");
    public static final Setting<Duration> HTTP_NEGATIVE_TTL = new Setting<>("http.negative-ttl",
            ValueType.duration(Duration.ofSeconds(1), Duration.ofHours(24)), "60s",
            "with http.listing = none, how long a name the server does not have is answered as missing before it"
                    + " is asked for again");
    public static final Setting<Duration> HTTP_REQUEST_TIMEOUT = new Setting<>("http.request-timeout",
            ValueType.duration(Duration.ofSeconds(1), Duration.ofHours(1)), "30s",
            "connecting, and the longest wait for the next bytes of an answer");
    public static final Setting<Long> HTTP_WHOLE_OBJECT_LIMIT = new Setting<>("http.whole-object-limit",
            ValueType.size(0, 16 * GIB), "64MiB",
            "an object up to this size is downloaded whole (once) when its server ignores Range requests; a larger"
                    + " one is an error");

    public static final Setting<Duration> FETCH_TIMEOUT = new Setting<>("fetch.timeout",
            ValueType.duration(Duration.ofSeconds(1), Duration.ofHours(24)), "60s",
            "a cold open or read fails with EIO after waiting this long for content");
    public static final Setting<Integer> FETCH_ATTEMPTS = new Setting<>("fetch.attempts", ValueType.integer(1, 100),
            "5", "tries per request (5xx, throttling, resets, truncated bodies are retried)");
    public static final Setting<Duration> FETCH_RETRY_BASE_DELAY = new Setting<>("fetch.retry-base-delay",
            ValueType.duration(Duration.ofMillis(1), Duration.ofMinutes(1)), "100ms",
            "backoff before the first retry, doubling per retry, with full jitter");
    public static final Setting<Duration> FETCH_RETRY_MAX_DELAY = new Setting<>("fetch.retry-max-delay",
            ValueType.duration(Duration.ofMillis(1), Duration.ofMinutes(10)), "5s", "the longest backoff");
    public static final Setting<Long> FETCH_PART_SIZE = new Setting<>("fetch.part-size",
            ValueType.size(64 * KIB, GIB), "8MiB", "a large object is downloaded in ranged parts of this size");
    public static final Setting<Integer> FETCH_PARALLEL_PARTS = new Setting<>("fetch.parallel-parts",
            ValueType.integer(1, 64), "8", "parts in flight per large download (memory: parts x part-size)");
    public static final Setting<Integer> FETCH_CONCURRENCY = new Setting<>("fetch.concurrency",
            ValueType.integer(1, 256), "16", "files a mount fetches at once");

    public static final Setting<PassthroughMode> MOUNT_PASSTHROUGH = new Setting<>("mount.passthrough",
            ValueType.oneOf(PassthroughMode.class), "auto",
            "auto: per-open passthrough when the kernel offers it; off: the daemon serves every read; require: fail"
                    + " without it; inode: experimental inode passthrough, only on a kernel with the FUSE_PASSTHROUGH_INO"
                    + " series (7.47)");
    public static final Setting<Long> MOUNT_MATERIALIZE_ON_OPEN = new Setting<>("mount.materialize-on-open",
            ValueType.size(0, TIB), "64MiB",
            "cold files up to this size are fetched whole before open returns (then passthrough)");
    public static final Setting<Long> MOUNT_READ_AHEAD = new Setting<>("mount.read-ahead", ValueType.size(0, GIB),
            "1MiB", "cold opens in a directory fetch its other cold files too, up to this many bytes: the first file"
                    + " opened those no larger than itself, the second file all; 0: off");
    public static final Setting<Long> MOUNT_SEQUENTIAL_READ_AHEAD = new Setting<>("mount.sequential-read-ahead",
            ValueType.size(0, GIB), "32MiB", "opens going through an artifact in archive order fetch the files after"
                    + " them in growing windows, at most this many bytes ahead of the reader; 0: off");
    public static final Setting<TransportMode> MOUNT_TRANSPORT = new Setting<>("mount.transport",
            ValueType.oneOf(TransportMode.class), "auto",
            "auto: FUSE over io_uring when the kernel offers it (Linux 6.14+ with the fuse module's enable_uring on),"
                    + " one queue per CPU, else /dev/fuse; dev: /dev/fuse only; uring: io_uring or no mount");
    public static final Setting<Integer> MOUNT_WORKERS = new Setting<>("mount.workers", ValueType.integer(1, 256), "8",
            "threads serving FUSE requests (waiting requests hold none)");
    public static final Setting<Boolean> MOUNT_ALLOW_OTHER = new Setting<>("mount.allow-other", ValueType.bool(),
            "false", "let users other than root use the mount");
    public static final Setting<Optional<InetSocketAddress>> MOUNT_METRICS = new Setting<>("mount.metrics",
            ValueType.optionalAddress(), "", "serve the mount's metrics in the Prometheus text format at"
                    + " http://ADDRESS:PORT/metrics; a port alone binds 127.0.0.1; empty: off");

    public static final Setting<Integer> PREFETCH_CONCURRENCY = new Setting<>("prefetch.concurrency",
            ValueType.integer(1, 256), "8", "files thawfs prefetch fetches at once");

    public static final Setting<Long> INDEX_CHECKPOINT_SPACING = new Setting<>("index.checkpoint-spacing",
            ValueType.size(64 * KIB, GIB), "4MiB", "a tar.gz's seek index (a mount's pass, thawfs index) can resume"
                    + " decompression after every this much compressed input: smaller, a cold file fetches less and"
                    + " the index grows");

    public static final Setting<Integer> LIMITS_MAX_ENTRIES = new Setting<>("limits.max-entries",
            ValueType.integer(1, 100_000_000), "5000000", "entries one artifact may have");
    public static final Setting<Integer> LIMITS_MAX_EXPANSION_RATIO = new Setting<>("limits.max-expansion-ratio",
            ValueType.integer(1, 1_000_000), "1000", "uncompressed / compressed size of one zip entry (zip bombs)");
    public static final Setting<Long> LIMITS_MAX_ENTRY_SIZE = new Setting<>("limits.max-entry-size",
            ValueType.size(1, 1024 * TIB), "64GiB", "the size one entry may declare");
    public static final Setting<BadEntryPolicy> LIMITS_ON_BAD_ENTRY = new Setting<>("limits.on-bad-entry",
            ValueType.oneOf(BadEntryPolicy.class), "refuse", "refuse: one bad entry (a name leaving the artifact or"
                    + " over 255 bytes, a zip bomb, a hard link to nothing) refuses the artifact; skip: it is left out,"
                    + " with a warning");

    /** Every setting, in the order of the reference. */
    public static final List<Setting<?>> ALL = List.of(STORE_DIR, STORE_BUDGET, STORE_MIN_FREE_PERCENT, S3_ENDPOINT,
            S3_REGION, S3_PROFILE, S3_PATH_STYLE, S3_REQUEST_TIMEOUT, HTTP_LISTING, HTTP_NEGATIVE_TTL,
            HTTP_REQUEST_TIMEOUT,            HTTP_WHOLE_OBJECT_LIMIT, FETCH_TIMEOUT, FETCH_ATTEMPTS,
            FETCH_RETRY_BASE_DELAY, FETCH_RETRY_MAX_DELAY, FETCH_PART_SIZE, FETCH_PARALLEL_PARTS, FETCH_CONCURRENCY,
            MOUNT_PASSTHROUGH, MOUNT_MATERIALIZE_ON_OPEN, MOUNT_READ_AHEAD, MOUNT_SEQUENTIAL_READ_AHEAD, MOUNT_TRANSPORT,
            MOUNT_WORKERS, MOUNT_ALLOW_OTHER, MOUNT_METRICS,
            PREFETCH_CONCURRENCY, INDEX_CHECKPOINT_SPACING,
            LIMITS_MAX_ENTRIES, LIMITS_MAX_EXPANSION_RATIO, LIMITS_MAX_ENTRY_SIZE, LIMITS_ON_BAD_ENTRY);

    /** The config file read when neither --config nor THAWFS_CONFIG names one, if it exists. */
    public static final Path DEFAULT_FILE = Path.of("/etc/thawfs/thawfs.toml");

    /** A value and where it came from ("default", "/etc/thawfs/thawfs.toml:3", "THAWFS_STORE_DIR", "--store"). */
    public record Value(Object value, String text, String origin) {
    }

    private final Map<Setting<?>, Value> values;

    private Settings(Map<Setting<?>, Value> values) {
        this.values = values;
    }

    public static Settings defaults() {
        Map<Setting<?>, Value> values = new HashMap<>();
        for (Setting<?> setting : ALL) {
            values.put(setting, new Value(setting.type().parse(setting.defaultText()), setting.defaultText(), "default"));
        }
        return new Settings(values);
    }

    /**
     * The defaults, then the config file ({@code file}, else {@code THAWFS_CONFIG}, else
     * {@link #DEFAULT_FILE} when it exists), then {@code THAWFS_*} variables of {@code environment}.
     *
     * @throws ConfigException naming every bad setting: where, the value, and what is allowed
     */
    public static Settings load(Path file, Map<String, String> environment) {
        Map<Setting<?>, Value> values = new HashMap<>(defaults().values);
        List<String> errors = new ArrayList<>();
        Path chosen = file != null ? file
                : environment.containsKey("THAWFS_CONFIG") ? Path.of(environment.get("THAWFS_CONFIG"))
                : Files.exists(DEFAULT_FILE) ? DEFAULT_FILE : null;
        if (chosen != null) {
            readFile(chosen, values, errors);
        }
        for (Setting<?> setting : ALL) {
            String text = environment.get(setting.environmentVariable());
            if (text != null) {
                set(values, setting, text, setting.environmentVariable(), errors);
            }
        }
        if (!errors.isEmpty()) {
            throw new ConfigException(String.join("\n", errors));
        }
        return new Settings(values);
    }

    /** These settings with {@code setting} set from {@code text} (a flag, say), which {@code origin} names. */
    public Settings with(Setting<?> setting, String text, String origin) {
        Map<Setting<?>, Value> changed = new HashMap<>(values);
        List<String> errors = new ArrayList<>();
        set(changed, setting, text, origin, errors);
        if (!errors.isEmpty()) {
            throw new ConfigException(errors.get(0));
        }
        return new Settings(changed);
    }

    @SuppressWarnings("unchecked")
    public <T> T get(Setting<T> setting) {
        return (T) values.get(setting).value();
    }

    /** The value as text and where it came from. */
    public Value describe(Setting<?> setting) {
        return values.get(setting);
    }

    /** S3 settings with credentials given by the caller (from the environment, never from flags). */
    public S3Settings s3(String accessKey, String secretKey) {
        URI endpoint = get(S3_ENDPOINT).toString().isEmpty() ? null : get(S3_ENDPOINT);
        String profile = get(S3_PROFILE).isEmpty() ? null : get(S3_PROFILE);
        boolean pathStyle = get(S3_PATH_STYLE).orElse(endpoint != null);
        return new S3Settings(endpoint, get(S3_REGION), profile, accessKey, secretKey, pathStyle,
                get(S3_REQUEST_TIMEOUT));
    }

    /** HTTP settings with credentials given by the caller (from the environment, never from flags). */
    public HttpSettings http(String bearer, String user, String password, Path netrc) {
        return new HttpSettings(get(HTTP_LISTING), get(HTTP_NEGATIVE_TTL), get(HTTP_REQUEST_TIMEOUT), get(HTTP_WHOLE_OBJECT_LIMIT), bearer,
                user, password, netrc);
    }

    private static void readFile(Path file, Map<Setting<?>, Value> values, List<String> errors) {
        TomlParseResult toml;
        try {
            toml = Toml.parse(file);
        } catch (IOException e) {
            errors.add("config " + file + ": cannot be read (" + e + "); fix the path given by --config or"
                    + " THAWFS_CONFIG");
            return;
        }
        toml.errors().forEach(e -> errors.add("config " + file + ":" + e.position().line() + ": " + e.getMessage()));
        if (toml.hasErrors()) {
            return;
        }
        for (String key : toml.dottedKeySet()) {
            String where = "config " + file + ":" + toml.inputPositionOf(key).line();
            Object value = toml.get(key);
            Optional<Setting<?>> setting = ALL.stream().filter(s -> s.key().equals(key)).findFirst();
            if (setting.isEmpty()) {
                errors.add(where + ": unknown setting '" + key + "'" + suggestion(key));
            } else if (value instanceof TomlTable || value instanceof TomlArray) {
                errors.add(where + ": " + key + " must be a single value; allowed: " + setting.get().type().allowed());
            } else {
                set(values, setting.get(), value.toString(), where, errors);
            }
        }
    }

    private static void set(Map<Setting<?>, Value> values, Setting<?> setting, String text, String origin,
            List<String> errors) {
        try {
            values.put(setting, new Value(setting.type().parse(text), text, origin));
        } catch (IllegalArgumentException e) {
            errors.add(origin + ": " + setting.key() + " = '" + text + "' is not valid; " + e.getMessage());
        }
    }

    /** "; did you mean store.budget?" for a near miss, else the list of sections. */
    private static String suggestion(String key) {
        Setting<?> closest = ALL.stream().min(Comparator.comparingInt(s -> distance(s.key(), key))).orElseThrow();
        if (distance(closest.key(), key) <= 3) {
            return "; did you mean " + closest.key() + "?";
        }
        return "; settings are in the sections [store], [s3], [http], [fetch], [mount], [prefetch] and [limits]"
                + " (see README.md, Configuration)";
    }

    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
