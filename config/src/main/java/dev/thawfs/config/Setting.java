package dev.thawfs.config;

import java.util.Locale;

/**
 * One setting: its key in the config file ({@code section.name}), its type, its default (as the
 * file would write it) and what it does.
 */
public record Setting<T>(String key, ValueType<T> type, String defaultText, String description) {

    /** The environment variable that overrides the file: {@code THAWFS_SECTION_NAME}. */
    public String environmentVariable() {
        return "THAWFS_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    public String section() {
        return key.substring(0, key.indexOf('.'));
    }

    public String name() {
        return key.substring(key.indexOf('.') + 1);
    }
}
