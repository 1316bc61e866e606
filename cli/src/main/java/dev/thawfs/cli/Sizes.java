package dev.thawfs.cli;

import java.util.Locale;
import picocli.CommandLine;

/** Sizes such as {@code 64MiB}, {@code 10G} or {@code 4096}, for flags. */
final class Sizes implements CommandLine.ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
        return parse(value);
    }

    static long parse(String value) {
        String text = value.trim().toUpperCase(Locale.ROOT).replace("IB", "").replace("B", "");
        long unit = 1;
        if (!text.isEmpty() && "KMGT".indexOf(text.charAt(text.length() - 1)) >= 0) {
            unit = 1L << (10 * ("KMGT".indexOf(text.charAt(text.length() - 1)) + 1));
            text = text.substring(0, text.length() - 1);
        }
        try {
            long number = Long.parseLong(text.trim());
            if (number < 0) {
                throw new NumberFormatException();
            }
            return Math.multiplyExact(number, unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a size (examples: 4096, 64MiB, 10G)");
        }
    }
}
