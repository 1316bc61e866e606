package dev.thawfs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.thawfs.config.Settings;
import dev.thawfs.fetcher.Artifacts;
import dev.thawfs.fetcher.FetchOptions;
import dev.thawfs.testkit.Commands;
import dev.thawfs.fs.engine.FuseSession;
import dev.thawfs.fs.engine.MountOptions;
import dev.thawfs.fs.testing.FuseTestSupport;
import dev.thawfs.fs.thaw.Layer;
import dev.thawfs.fs.thaw.ThawFilesystem;
import dev.thawfs.fs.thaw.ThawOptions;
import dev.thawfs.store.FetcherSource;
import dev.thawfs.store.Store;
import dev.thawfs.store.StoreOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Archives in the shapes the tools make besides the usual one, mounted from a real store through
 * the fetcher on a real FUSE mount: what ls, stat and cat see.
 */
class ArchiveShapesMountTest {
    @TempDir
    Path work;
    private Store store;
    private FetcherSource content;
    private FuseSession session;
    private int mounts;
    private FetchOptions fetchOptions = FetchOptions.defaults(null);

    @BeforeEach
    void open() {
        FuseTestSupport.assumeFuse();
        store = Store.open(work.resolve("store"), StoreOptions.defaults());
        content = new FetcherSource();
    }

    @AfterEach
    void close() throws IOException {
        unmount();
        if (content != null) {
            content.close();
            store.close();
        }
        FuseTestSupport.assertNoMountsLeft(work);
    }

    /** Mounts the artifact at {@code path} inside a new mount, unmounting the one before. */
    private Path mount(Path artifact, String path) throws IOException {
        return mount(List.of(new Layer(content.importArtifact(store,
                Artifacts.open(artifact.toString(), fetchOptions, store.scratchDirectory())), path)));
    }

    private Path mount(List<Layer> layers) throws IOException {
        unmount();
        session = FuseSession.mount(Files.createDirectory(work.resolve("mnt" + mounts++)),
                new ThawFilesystem(store, layers, content, ThawOptions.defaults()),
                MountOptions.defaults("thawfs-test").withBackingProbe(store.directory()));
        return session.mountpoint();
    }

    private void unmount() {
        if (session != null) {
            session.close();
            session = null;
        }
    }

    private static List<String> list(Path directory) throws IOException {
        try (Stream<Path> children = Files.list(directory)) {
            return children.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private Path tree() throws IOException {
        Path tree = work.resolve("tree");
        Files.createDirectories(tree.resolve("sub"));
        Files.writeString(tree.resolve("a"), "content");
        Files.writeString(tree.resolve("sub/b"), "below");
        return tree;
    }

    @ParameterizedTest
    @ValueSource(strings = {"dot.tar", "dot.tar.gz", "dot.tar.zst", "dot.zip"})
    void anArchiveOfDotHasTheDirectoryAsItsRoot(String name) throws Exception {
        Path tree = tree();
        if (name.endsWith(".zip")) {
            Commands.check(tree, "python3", "-c", "import zipfile\n"
                    + "with zipfile.ZipFile('../dot.zip', 'w') as z:\n"
                    + "    z.writestr('./', '')\n"
                    + "    z.writestr('./a', 'content')\n"
                    + "    z.writestr('./sub/', '')\n"
                    + "    z.writestr('./sub//b', 'below')\n");
        } else {
            String compression = name.endsWith(".gz") ? "--gzip" : name.endsWith(".zst") ? "--zstd" : "--no-auto-compress";
            Commands.check(tree, "tar", compression, "-cf", "../" + name, "-C", ".", ".");
        }
        for (String at : new String[] {"", "rt"}) {
            Path root = mount(work.resolve(name), at).resolve(at);
            assertEquals(List.of("a", "sub"), list(root), name + " at '" + at + "'");
            assertEquals(List.of("b"), list(root.resolve("sub")));
            assertEquals("content", Files.readString(root.resolve("a")));
            assertEquals("below", Files.readString(root.resolve("sub/b")));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gnu.tar", "posix.tar", "links.tar.gz", "ahead.tar"})
    void hardLinksAreOneInodeWithTheTargetsSizeAndContentFetchedOnce(String name) throws Exception {
        Path tree = tree();
        if (name.equals("ahead.tar")) {
            Commands.check(tree, "python3", "-c", "import io, tarfile\n"
                    + "with tarfile.open('../ahead.tar', 'w') as t:\n"
                    + "    for path in ('b', 'sub/c'):\n"
                    + "        link = tarfile.TarInfo(path)\n"
                    + "        link.type, link.linkname = tarfile.LNKTYPE, 'a'\n"
                    + "        t.addfile(link)\n"
                    + "    t.add('a')\n");
        } else {
            Commands.check(tree, "ln", "a", "b");
            Commands.check(tree, "ln", "a", "sub/c");
            String format = name.equals("posix.tar") ? "--format=posix" : "--format=gnu";
            Commands.check(tree, "tar", format, name.endsWith(".gz") ? "-czf" : "-cf", "../" + name, "a", "b", "sub");
        }
        Path mnt = mount(work.resolve(name), "");
        Object inode = Files.getAttribute(mnt.resolve("a"), "unix:ino");
        for (String path : new String[] {"sub/c", "b", "a"}) { // the links first: reading them once emptied the target
            Path file = mnt.resolve(path);
            assertEquals("content", Files.readString(file), name + ": " + path);
            assertEquals(7L, Files.size(file), path);
            assertEquals(inode, Files.getAttribute(file, "unix:ino"), path);
            assertEquals(3, Files.getAttribute(file, "unix:nlink"), path);
        }
        try (Stream<Path> blobs = Files.walk(store.directory().resolve("blobs"))) {
            assertEquals(1, blobs.filter(Files::isRegularFile).count(), "one blob for the three names");
        }
    }

    @Test
    void withOnBadEntrySkipTheHostileEntriesAreLeftOutAndTheRestIsMounted() throws Exception {
        Commands.check(work, "python3", "-c", "import io, tarfile\n"
                + "with tarfile.open('hostile.tar', 'w') as t:\n"
                + "    for name in ('../evil', 'x' * 300, 'ok.txt', 'dir/fine'):\n"
                + "        info = tarfile.TarInfo(name)\n"
                + "        info.size = 2\n"
                + "        t.addfile(info, io.BytesIO(b'ok'))\n");
        fetchOptions = SourceMixin.fetchOptions(Settings.defaults().with(Settings.LIMITS_ON_BAD_ENTRY, "skip", "a test"));
        Path mnt = mount(work.resolve("hostile.tar"), "");
        assertEquals(List.of("dir", "ok.txt"), list(mnt));
        assertEquals("ok", Files.readString(mnt.resolve("dir/fine")));
    }

    @Test
    void aSourceMaySayItsFormatBeforeItsPlaceInTheMount() throws Exception {
        Commands.check(tree(), "zip", "-qr", "../lib.aar.bin", "a", "sub");
        Path mnt;
        try (SourceMixin.Opening opening = new SourceMixin.Opening(Settings.defaults(),
                List.of(work.resolve("lib.aar.bin") + "#zip=lib"))) {
            mnt = mount(SourceMixin.importLayers(store, content, opening));
        }
        assertEquals(List.of("lib"), list(mnt));
        assertEquals(List.of("a", "sub"), list(mnt.resolve("lib")));
        assertEquals("below", Files.readString(mnt.resolve("lib/sub/b")));
    }
}
