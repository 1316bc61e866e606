package dev.thawfs.config;

/** A setting that is wrong: the message names where it came from, the value and what is allowed. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
