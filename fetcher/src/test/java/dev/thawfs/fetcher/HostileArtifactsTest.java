package dev.thawfs.fetcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thawfs.config.BadEntryPolicy;
import dev.thawfs.testkit.CapturedLog;
import dev.thawfs.testkit.Commands;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad and hostile archives: each a clear error naming the artifact and the entry, never a path outside. */
class HostileArtifactsTest {
    @TempDir
    Path work;

    private Path zip(String name, String... entries) throws IOException {
        Path file = work.resolve(name);
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(file))) {
            for (String entry : entries) {
                out.putNextEntry(new ZipEntry(entry));
                out.write(("content of " + entry).getBytes());
                out.closeEntry();
            }
        }
        return file;
    }

    private ArtifactReader open(Path file, ArchiveLimits limits) throws IOException {
        return Artifacts.open(file.toString(), new FetchOptions(null, dev.thawfs.config.HttpSettings.defaults(),
                new RetryPolicy(1, java.time.Duration.ZERO, java.time.Duration.ZERO),
                RangeReader.Parallelism.defaults(), limits, SeekIndexOptions.defaults()), work.resolve("scratch"));
    }

    private String indexError(Path file, ArchiveLimits limits) throws IOException {
        try (ArtifactReader artifact = open(file, limits)) {
            Exception e = assertThrows(Exception.class, () -> Indexes.index(artifact));
            return (e instanceof UncheckedIOException u ? u.getCause() : e).getMessage();
        }
    }

    @Test
    void zipSlipAndAbsoluteNamesAreRefused() throws IOException {
        String slip = indexError(zip("slip.zip", "ok.txt", "../../etc/passwd"), ArchiveLimits.defaults());
        assertTrue(slip.contains("slip.zip") && slip.contains("../../etc/passwd") && slip.contains("leave"), slip);
        String absolute = indexError(zip("abs.zip", "/etc/shadow"), ArchiveLimits.defaults());
        assertTrue(absolute.contains("/etc/shadow") && absolute.contains("absolute"), absolute);
        String tooLong = indexError(zip("long.zip", "x".repeat(300)), ArchiveLimits.defaults());
        assertTrue(tooLong.contains("over 255 bytes"), tooLong);
    }

    @Test
    void aFileNamedLikeTheRootIsRefused() throws Exception {
        Commands.check(work, "python3", "-c", "import io, tarfile\n"
                + "with tarfile.open('dot-file.tar', 'w', format=tarfile.GNU_FORMAT) as t:\n"
                + "    t.addfile(tarfile.TarInfo('.'), io.BytesIO())\n");
        String message = indexError(work.resolve("dot-file.tar"), ArchiveLimits.defaults());
        assertTrue(message.contains("dot-file.tar") && message.contains("names the artifact's root"), message);
    }

    @Test
    void namesAreNormalized() throws IOException {
        try (ArtifactReader artifact = open(zip("dots.zip", "./a//b/./c.txt"), ArchiveLimits.defaults())) {
            assertEquals("a/b/c.txt", Indexes.index(artifact).get(0).path());
        }
    }

    @Test
    void entryCountAndExpansionCapsStopZipBombs() throws IOException {
        String count = indexError(zip("many.zip", "a", "b", "c"), new ArchiveLimits(2, 1000, 1 << 30, BadEntryPolicy.REFUSE));
        assertTrue(count.contains("more than 2 entries"), count);
        Path bomb = work.resolve("bomb.zip");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(bomb))) {
            out.putNextEntry(new ZipEntry("zeros"));
            out.write(new byte[10 << 20]);
            out.closeEntry();
        }
        String ratio = indexError(bomb, new ArchiveLimits(100, 100, 1L << 40, BadEntryPolicy.REFUSE));
        assertTrue(ratio.contains("zeros") && ratio.contains("limits.max-expansion-ratio (100)"), ratio);
        String size = indexError(bomb, new ArchiveLimits(100, 1000, 1 << 20, BadEntryPolicy.REFUSE));
        assertTrue(size.contains("zeros") && size.contains("limits.max-entry-size (1048576)"), size);
    }

    @Test
    void aZipEntryThatInflatesPastItsDeclaredSizeIsStoppedThere() throws Exception {
        int declared = 100_000;
        Commands.check(work, "python3", "-c", "import struct, zipfile\n"
                + "with zipfile.ZipFile('liar.zip', 'w', zipfile.ZIP_DEFLATED) as z:\n"
                + "    z.writestr('zeros', bytes(64 << 20))\n"
                + "data = bytearray(open('liar.zip', 'rb').read())\n"
                + "struct.pack_into('<I', data, 22, " + declared + ")\n" // the local header's size
                + "directory = struct.unpack_from('<I', data, len(data) - 22 + 16)[0]\n"
                + "struct.pack_into('<I', data, directory + 24, " + declared + ")\n" // the central directory's
                + "open('liar.zip', 'wb').write(data)\n");
        try (ArtifactReader artifact = open(work.resolve("liar.zip"), ArchiveLimits.defaults())) {
            IndexEntry entry = Indexes.index(artifact).get(0);
            assertEquals(declared, entry.size());
            long[] written = new long[1];
            OutputStream counting = new OutputStream() {
                @Override
                public void write(int b) {
                    written[0]++;
                }

                @Override
                public void write(byte[] bytes, int offset, int length) {
                    written[0] += length;
                }
            };
            IOException e = assertThrows(IOException.class, () -> artifact.extract(entry.locator(), entry.size(), counting));
            assertTrue(e.getMessage().contains("liar.zip") && e.getMessage().contains("more than the 100000 bytes it"
                    + " declares"), e.getMessage());
            assertTrue(written[0] <= declared, "inflating stopped at the declared size, not after " + written[0]);
        }
    }

    @Test
    void withOnBadEntrySkipTheOtherEntriesAreIndexedAndEachSkippedOneIsLogged() throws Exception {
        Path zip = zip("mixed.zip", "ok.txt", "../../etc/passwd", "x".repeat(300), "/etc/shadow");
        Commands.check(work, "python3", "-c", "import io, tarfile\n"
                + "with tarfile.open('mixed.tar', 'w') as t:\n"
                + "    for name in ('../evil', 'ok.txt'):\n"
                + "        info = tarfile.TarInfo(name)\n"
                + "        info.size = 2\n"
                + "        t.addfile(info, io.BytesIO(b'ok'))\n");
        ArchiveLimits skip = new ArchiveLimits(100, 1000, 1 << 30, BadEntryPolicy.SKIP);
        try (CapturedLog log = new CapturedLog(BadEntryException.class)) {
            for (Path file : List.of(zip, work.resolve("mixed.tar"))) {
                try (ArtifactReader artifact = open(file, skip)) {
                    assertEquals(List.of("ok.txt"), Indexes.index(artifact).stream().map(IndexEntry::path).toList());
                }
            }
            List<String> lines = log.lines();
            assertEquals(4, lines.size(), lines.toString());
            assertTrue(lines.get(0).startsWith("WARNING ") && lines.get(0).contains("mixed.zip, entry ../../etc/passwd:")
                    && lines.get(0).contains("'..'") && lines.get(0).contains("skipped"), lines.get(0));
            assertTrue(lines.get(1).contains("over 255 bytes") && lines.get(2).contains("absolute"), lines.toString());
            assertTrue(lines.get(3).contains("mixed.tar, entry ../evil:"), lines.get(3));
        }
        String refused = indexError(zip, ArchiveLimits.defaults());
        assertTrue(refused.contains("limits.on-bad-entry = skip"), refused);
    }

    @Test
    void aCorruptEntryFailsVerificationInsteadOfServingWrongBytes() throws IOException {
        Path file = work.resolve("stored.zip");
        byte[] data = "important bytes that must arrive intact".getBytes();
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(file))) {
            ZipEntry entry = new ZipEntry("data.txt");
            entry.setMethod(ZipEntry.STORED);
            entry.setSize(data.length);
            CRC32 crc = new CRC32();
            crc.update(data);
            entry.setCrc(crc.getValue());
            out.putNextEntry(entry);
            out.write(data);
            out.closeEntry();
        }
        byte[] bytes = Files.readAllBytes(file);
        int at = indexOf(bytes, "important".getBytes());
        bytes[at] ^= 0x20;
        Files.write(file, bytes);
        try (ArtifactReader artifact = open(file, ArchiveLimits.defaults())) {
            IndexEntry entry = Indexes.index(artifact).get(0);
            IOException e = assertThrows(IOException.class,
                    () -> artifact.extract(entry.locator(), entry.size(), OutputStream.nullOutputStream()));
            assertTrue(e.getMessage().contains("fails verification") && e.getMessage().contains("stored.zip"), e.getMessage());
        }
    }

    @Test
    void truncatedAndMislabelledArchivesAreClearErrors() throws Exception {
        Path good = zip("good.zip", "a.txt", "b.txt");
        byte[] bytes = Files.readAllBytes(good);
        Path truncated = work.resolve("truncated.zip");
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length / 2));
        BadArtifactException e = assertThrows(BadArtifactException.class, () -> Indexes.index(open(truncated, ArchiveLimits.defaults())));
        assertTrue(e.getMessage().contains("truncated.zip") && e.getMessage().contains("not a readable zip"), e.getMessage());

        Path notGzip = work.resolve("text.tar.gz");
        Files.writeString(notGzip, "this is not gzip at all");
        e = assertThrows(BadArtifactException.class, () -> Indexes.index(open(notGzip, ArchiveLimits.defaults())));
        assertTrue(e.getMessage().contains("text.tar.gz"), e.getMessage());

        Path unknown = work.resolve("thing.rar");
        Files.writeString(unknown, "?");
        e = assertThrows(BadArtifactException.class, () -> open(unknown, ArchiveLimits.defaults()));
        assertTrue(e.getMessage().contains("unknown artifact format"), e.getMessage());
        assertThrows(NoSuchFileException.class, () -> open(work.resolve("missing.zip"), ArchiveLimits.defaults()));
    }

    @Test
    void aTruncatedTarIsRefused() throws Exception {
        Path tree = work.resolve("tree");
        Files.createDirectories(tree);
        Files.write(tree.resolve("big"), new byte[100_000]);
        Commands.check(tree, "tar", "cf", "../whole.tar", "big");
        byte[] bytes = Files.readAllBytes(work.resolve("whole.tar"));
        Path cut = work.resolve("cut.tar");
        Files.write(cut, Arrays.copyOf(bytes, 50_000));
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> Indexes.index(open(cut, ArchiveLimits.defaults())));
        assertTrue(e.getCause().getMessage().contains("cut.tar") && e.getCause().getMessage().contains("big"), e.getMessage());
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }

    @Test
    void invalidUtf8NamesBecomeAReplacementCharacterNotAnErrorOrAnEscape() throws Exception {
        Path tree = Files.createDirectories(work.resolve("bytes"));
        Commands.check(tree, "sh", "-c", "printf x > \"$(printf 'bad\\377name')\" && tar cf ../bytes.tar .");
        try (ArtifactReader artifact = open(work.resolve("bytes.tar"), ArchiveLimits.defaults())) {
            List<IndexEntry> index = Indexes.index(artifact);
            IndexEntry entry = index.stream().filter(e -> e.type() == EntryType.FILE).findFirst().orElseThrow();
            assertEquals("bad?name", entry.path(), "the undecodable byte is replaced, the name stays one component");
        }
    }

    @Test
    void aPrefixIdentityDependsOnEveryObjectNotOnListingOrder() throws Exception {
        Path prefix = Files.createDirectories(work.resolve("repo/org/a"));
        Files.writeString(prefix.resolve("a-1.jar"), "one");
        Files.writeString(prefix.resolve("a-2.jar"), "two");
        String first;
        try (ArtifactReader repo = open(work.resolve("repo"), ArchiveLimits.defaults())) {
            first = repo.identity();
            assertEquals(2, Indexes.index(repo).size());
        }
        try (ArtifactReader again = open(work.resolve("repo"), ArchiveLimits.defaults())) {
            assertEquals(first, again.identity());
        }
        java.nio.file.attribute.FileTime before = Files.getLastModifiedTime(prefix.resolve("a-2.jar"));
        Files.writeString(prefix.resolve("a-2.jar"), "TWO");
        // a new version within the clock's resolution still gets a new time, as a later upload would
        Files.setLastModifiedTime(prefix.resolve("a-2.jar"),
                java.nio.file.attribute.FileTime.fromMillis(before.toMillis() + 2000));
        try (ArtifactReader changed = open(work.resolve("repo"), ArchiveLimits.defaults())) {
            assertTrue(!first.equals(changed.identity()), "a changed object is a new version of the prefix");
        }
        BadArtifactException many = assertThrows(BadArtifactException.class,
                () -> open(work.resolve("repo"), new ArchiveLimits(1, 1000, 1 << 30, BadEntryPolicy.REFUSE)));
        assertTrue(many.getMessage().contains("more than 1 objects"), many.getMessage());
    }

    @Test
    void nothingToExtractIsStillAnArtifact() throws IOException {
        try (ArtifactReader artifact = open(zip("empty.zip"), ArchiveLimits.defaults())) {
            assertEquals(List.of(), Indexes.index(artifact));
        }
    }
}
