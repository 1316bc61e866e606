package dev.thawfs.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a setting's text becomes a value, and what text is allowed (quoted in every error).
 *
 * @param allowed what a valid value looks like, for messages and the reference
 * @param parser text to value; throws {@link IllegalArgumentException} when the text is not one
 */
public record ValueType<T>(String allowed, Function<String, T> parser) {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([KMGT]?)(I?B)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)", Pattern.CASE_INSENSITIVE);

    /** The value of {@code text}, or IllegalArgumentException naming what is allowed. */
    public T parse(String text) {
        T value;
        try {
            value = parser.apply(text.trim());
        } catch (RuntimeException e) {
            value = null;
        }
        if (value == null) {
            throw new IllegalArgumentException("allowed: " + allowed);
        }
        return value;
    }

    /** Bytes, written as 4096, 64MiB or 10G (binary units), from {@code min} to {@code max}. */
    public static ValueType<Long> size(long min, long max) {
        return new ValueType<>("a size from " + Sizes.format(min) + " to " + Sizes.format(max)
                + " such as 4096, 64MiB or 10G", text -> {
                    Matcher m = SIZE.matcher(text);
                    if (!m.matches()) {
                        return null;
                    }
                    String unit = m.group(2).toUpperCase(Locale.ROOT);
                    int shift = unit.isEmpty() ? 0 : 10 * ("KMGT".indexOf(unit) + 1);
                    long bytes = Math.multiplyExact(Long.parseLong(m.group(1)), 1L << shift);
                    return bytes >= min && bytes <= max ? bytes : null;
                });
    }

    /** A whole number from {@code min} to {@code max}. */
    public static ValueType<Integer> integer(int min, int max) {
        return new ValueType<>("a whole number from " + min + " to " + max, text -> {
            int value = Integer.parseInt(text);
            return value >= min && value <= max ? value : null;
        });
    }

    /** A duration such as 250ms, 30s, 2m or 1h, from {@code min} to {@code max}. */
    public static ValueType<Duration> duration(Duration min, Duration max) {
        return new ValueType<>("a duration from " + Sizes.format(min) + " to " + Sizes.format(max)
                + " such as 250ms, 30s, 2m or 1h", text -> {
                    Matcher m = DURATION.matcher(text);
                    if (!m.matches()) {
                        return null;
                    }
                    long n = Long.parseLong(m.group(1));
                    Duration value = switch (m.group(2).toLowerCase(Locale.ROOT)) {
                        case "ms" -> Duration.ofMillis(n);
                        case "s" -> Duration.ofSeconds(n);
                        case "m" -> Duration.ofMinutes(n);
                        default -> Duration.ofHours(n);
                    };
                    return value.compareTo(min) >= 0 && value.compareTo(max) <= 0 ? value : null;
                });
    }

    public static ValueType<Boolean> bool() {
        return new ValueType<>("true or false", text -> switch (text.toLowerCase(Locale.ROOT)) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> null;
        });
    }

    /** {@code auto} (empty Optional), {@code true} or {@code false}. */
    public static ValueType<Optional<Boolean>> autoOrBool() {
        return new ValueType<>("auto, true or false", text -> switch (text.toLowerCase(Locale.ROOT)) {
            case "auto" -> Optional.empty();
            case "true" -> Optional.of(Boolean.TRUE);
            case "false" -> Optional.of(Boolean.FALSE);
            default -> null;
        });
    }

    /** One of an enum's constants, written in lower case. */
    public static <E extends Enum<E>> ValueType<E> oneOf(Class<E> type) {
        E[] constants = type.getEnumConstants();
        return new ValueType<>(String.join(", ", Arrays.stream(constants).map(ValueType::lower).toList()), text -> {
            for (E constant : constants) {
                if (lower(constant).equals(text.toLowerCase(Locale.ROOT))) {
                    return constant;
                }
            }
            return null;
        });
    }

    /** Any text; empty means "not set" where the setting says so. */
    public static ValueType<String> text() {
        return new ValueType<>("any text", text -> text);
    }

    /** An absolute path. */
    public static ValueType<Path> absolutePath() {
        return new ValueType<>("an absolute path", text -> text.startsWith("/") ? Path.of(text).normalize() : null);
    }

    /** Empty (none), or an http:// or https:// URL. */
    public static ValueType<URI> optionalUrl() {
        return new ValueType<>("empty, or a URL such as http://127.0.0.1:9000", text -> {
            if (text.isEmpty()) {
                return URI.create("");
            }
            URI uri = URI.create(text);
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null ? uri
                    : null;
        });
    }

    /**
     * Empty (off), a port alone (on the loopback address), or an IP address and a port; a host
     * name is not looked up, so a value never waits for DNS.
     */
    public static ValueType<Optional<InetSocketAddress>> optionalAddress() {
        return new ValueType<>("empty (off), a port (on 127.0.0.1) or ADDRESS:PORT such as 127.0.0.1:9464,"
                + " 0.0.0.0:9464 or [::1]:9464; port 0: any free one", text -> {
                    if (text.isEmpty()) {
                        return Optional.empty();
                    }
                    int colon = text.lastIndexOf(':');
                    String host = colon < 0 ? "" : text.substring(0, colon);
                    int port = Integer.parseInt(text.substring(colon + 1));
                    if (port < 0 || port > 65535) {
                        return null;
                    }
                    if (host.isEmpty()) {
                        return colon < 0 ? Optional.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
                                : null;
                    }
                    InetAddress address = ipLiteral(host);
                    return address == null ? null : Optional.of(new InetSocketAddress(address, port));
                });
    }

    /** The address {@code host} writes, if it is an IPv4 address or a bracketed IPv6 one, else null. */
    private static InetAddress ipLiteral(String host) {
        try {
            if (host.matches("\\[[0-9a-fA-F:.]+\\]")) {
                return InetAddress.getByName(host); // with a colon, never a name to look up
            }
            String[] parts = host.split("\\.", -1);
            if (parts.length != 4) {
                return null;
            }
            byte[] bytes = new byte[4];
            for (int i = 0; i < parts.length; i++) {
                int part = parts[i].matches("\\d{1,3}") ? Integer.parseInt(parts[i]) : 256;
                if (part > 255) {
                    return null;
                }
                bytes[i] = (byte) part;
            }
            return InetAddress.getByAddress(bytes);
        } catch (java.net.UnknownHostException e) {
            return null;
        }
    }

    private static String lower(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-'); // INODE_OPEN reads inode-open
    }
}
