package dev.thawfs.cli;

import static dev.thawfs.cli.ConfigMixin.override;

import dev.thawfs.config.Settings;
import dev.thawfs.fetcher.Artifacts;
import dev.thawfs.fetcher.BadSourceException;
import dev.thawfs.fetcher.SeekIndexes;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code thawfs index}: build a tar.gz's (or tar.zst's) seek index, keep it in the store, publish it beside the archive. */
@Command(name = "index",
        mixinStandardHelpOptions = true,
        description = {"Builds the seek index of a tar.gz or tar.zst archive in one pass over it: where"
                + " decompression can resume (a zstd archive: where each frame starts), and where each file lies. Kept in the local store, it lets the mounts on that store"
                + " fetch a file with ranged reads instead of streaming the whole archive (a mount builds one"
                + " itself in its first pass over the archive); published beside the archive"
                + " (KEY.thawfs-index), it does so for every mount, on any store. A mount uses an index only"
                + " while it matches the archive (its size and ETag or mtime): index the archive again after"
                + " replacing it."},
        footer = {"", "Examples:",
            "  thawfs index --publish s3://builds/jdk-21.tar.gz",
            "  thawfs index --checkpoint-spacing 1MiB s3://builds/node_modules.tgz   (kept in the store only)",
            "", "Exit codes: 0 built, 1 the archive could not be read or published, 2 usage or set-up error."})
final class IndexCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Mixin
    private ConfigMixin config;

    @Mixin
    private SourceMixin sources;

    @Mixin
    private StoreMixin store;

    @Option(names = "--publish", description = "store the index beside the archive, where mounts look for it")
    private boolean publish;

    @Option(names = "--checkpoint-spacing", paramLabel = "SIZE",
            description = "compressed bytes between checkpoints; default:"
                    + " ${sys:thawfs.default.index.checkpoint-spacing} (index.checkpoint-spacing)")
    private String spacing;

    @Parameters(paramLabel = "SOURCE", description = "s3://BUCKET/KEY.tar.gz or a local .tar.gz (.tgz, .tar.zst,"
            + " .tzst, or #tar.gz or #tar.zst after another name)")
    private String source;

    @Override
    public Integer call() {
        Settings settings = config.settings(sources, store,
                s -> override(s, Settings.INDEX_CHECKPOINT_SPACING, spacing, "--checkpoint-spacing"));
        SeekIndexes.Built built;
        try {
            built = Artifacts.buildSeekIndex(source,
                    SourceMixin.fetchOptions(settings).withSeekIndexes(SourceMixin.seekIndexes(settings)), publish);
        } catch (BadSourceException e) {
            spec.commandLine().getErr().println("thawfs: " + e.getMessage());
            return Main.EXIT_USAGE;
        } catch (IOException | java.io.UncheckedIOException e) {
            spec.commandLine().getErr().println("thawfs: " + e.getMessage());
            return Main.EXIT_FAILED;
        }
        spec.commandLine().getOut().printf("thawfs: %s: %d entries, %d checkpoints; index %d bytes (%.2f%% of %d),"
                + " kept in the store as %s%s%n", built.archive(), built.entries(), built.checkpoints(),
                built.indexBytes(), 100.0 * built.indexBytes() / Math.max(1, built.archiveBytes()),
                built.archiveBytes(), built.kept(),
                built.published() ? ", published as " + built.index() : "; not published (--publish)");
        spec.commandLine().getOut().println("thawfs: through the index, " + built.reading());
        return 0;
    }
}
