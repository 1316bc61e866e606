package dev.thawfs.fetcher;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The archive formats: the names that imply each, and the name that says it outright after a
 * source's {@code #} (for archives named otherwise: {@code lib.aar#zip}, {@code rootfs.img#tar}).
 */
enum ArchiveFormat {
    ZIP("zip", null, ".zip", ".jar", ".whl", ".war", ".aar", ".egg", ".nupkg", ".apk"),
    TAR("tar", TarArtifact.Compression.NONE, ".tar"),
    TAR_GZ("tar.gz", TarArtifact.Compression.GZIP, ".tar.gz", ".tgz"),
    TAR_ZST("tar.zst", TarArtifact.Compression.ZSTD, ".tar.zst", ".tzst"),
    TAR_XZ("tar.xz", TarArtifact.Compression.XZ, ".tar.xz", ".txz");

    final String label;
    /** Around the tar; null for zip. */
    final TarArtifact.Compression compression;
    private final List<String> suffixes;

    ArchiveFormat(String label, TarArtifact.Compression compression, String... suffixes) {
        this.label = label;
        this.compression = compression;
        this.suffixes = List.of(suffixes);
    }

    /** The format an object's name implies. */
    static Optional<ArchiveFormat> ofName(String key) {
        String name = key.toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(f -> f.suffixes.stream().anyMatch(name::endsWith)).findFirst();
    }

    /** The format called {@code label} ("zip", "tar.gz", ...). */
    static Optional<ArchiveFormat> labelled(String label) {
        return Arrays.stream(values()).filter(f -> f.label.equals(label.toLowerCase(Locale.ROOT))).findFirst();
    }

    /** Every name suffix thawfs knows, for messages: ".zip .jar ... .txz". */
    static String allSuffixes() {
        return Arrays.stream(values()).flatMap(f -> f.suffixes.stream()).collect(Collectors.joining(" "));
    }

    /** Every label, for messages: "#zip, #tar, ...". */
    static String allLabels() {
        return Arrays.stream(values()).map(f -> "#" + f.label).collect(Collectors.joining(", "));
    }
}
