package dev.thawfs.cli;

import dev.thawfs.config.ValueType;
import picocli.CommandLine;

/** Sizes such as {@code 64MiB}, {@code 10G} or {@code 4096} for flags that no setting stands behind. */
final class Sizes implements CommandLine.ITypeConverter<Long> {
    private static final ValueType<Long> SIZE = ValueType.size(0, Long.MAX_VALUE);

    @Override
    public Long convert(String value) {
        try {
            return SIZE.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not valid; " + e.getMessage());
        }
    }
}
