package dev.thawfs.cli;

import dev.thawfs.config.PassthroughMode;
import picocli.CommandLine;

/** {@code --passthrough auto|off|require}, with config's message for anything else. */
final class PassthroughModeConverter implements CommandLine.ITypeConverter<PassthroughMode> {
    @Override
    public PassthroughMode convert(String value) {
        try {
            return PassthroughMode.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
