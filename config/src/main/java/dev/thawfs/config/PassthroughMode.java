package dev.thawfs.config;

import java.util.Locale;

/** How a mount uses FUSE passthrough (DESIGN.md, capability tiers). */
public enum PassthroughMode {
    /** Use the best tier the kernel offers; fall back a tier, with one log line, when it refuses. */
    AUTO,
    /** Never pass through: the daemon serves every read (tier C). */
    OFF,
    /** Fail the mount, with the reason, unless per-open passthrough (tier B or better) works. */
    REQUIRE;

    /** Parses {@code auto}, {@code off} or {@code require} (any case). */
    public static PassthroughMode parse(String text) {
        for (PassthroughMode mode : values()) {
            if (mode.name().equalsIgnoreCase(text.trim())) {
                return mode;
            }
        }
        throw new IllegalArgumentException(
                "passthrough: '" + text + "' is not one of auto, off, require");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
