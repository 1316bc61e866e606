package dev.thawfs.fetcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.archivers.zip.Zip64Mode;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The central directory read record by record: zip64, prepended data, Unicode path fields, bounded reads. */
class ZipDirectoryTest {
    @TempDir
    Path work;

    private ArtifactReader open(Path file) throws IOException {
        return Artifacts.open(file.toString(), FetchOptions.defaults(null), work.resolve("scratch"));
    }

    /** Every file entry's path and content, through the index and extraction. */
    private Map<String, String> contents(Path file) throws IOException {
        Map<String, String> contents = new LinkedHashMap<>();
        try (ArtifactReader zip = open(file)) {
            for (IndexEntry entry : Indexes.index(zip)) {
                if (entry.type() == EntryType.FILE) {
                    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                    zip.extract(entry.locator(), entry.size(), bytes);
                    contents.put(entry.path(), bytes.toString(StandardCharsets.UTF_8));
                }
            }
        }
        return contents;
    }

    @Test
    void zip64RecordsAndExtraFieldsAreRead() throws IOException {
        Path file = work.resolve("zip64.zip");
        try (ZipArchiveOutputStream out = new ZipArchiveOutputStream(file)) {
            out.setUseZip64(Zip64Mode.Always);
            for (String name : new String[] {"a.txt", "dir/b.txt"}) {
                out.putArchiveEntry(new ZipArchiveEntry(name));
                out.write(("content of " + name).getBytes(StandardCharsets.UTF_8));
                out.closeArchiveEntry();
            }
        }
        assertEquals(Map.of("a.txt", "content of a.txt", "dir/b.txt", "content of dir/b.txt"), contents(file));
    }

    @Test
    void moreThan65535EntriesUseTheZip64EndRecordAndStreamFromTheDirectory() throws IOException {
        Path file = work.resolve("many.zip");
        int count = 70_000;
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(file))) {
            for (int i = 0; i < count; i++) {
                out.putNextEntry(new ZipEntry("d" + i % 100 + "/entry-" + i));
                out.write(Integer.toString(i).getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        try (ArtifactReader zip = open(file)) {
            Iterator<IndexEntry> index = zip.index();
            IndexEntry first = index.next();
            long fetchedForFirst = zip.counters().bytes();
            int seen = 1;
            while (index.hasNext()) {
                index.next();
                seen++;
            }
            assertEquals("d0/entry-0", first.path());
            assertEquals(count, seen);
            long directory = zip.counters().bytes() - fetchedForFirst;
            assertTrue(fetchedForFirst < directory, "the first entry came after " + fetchedForFirst
                    + " bytes were fetched, the rest of the directory took " + directory
                    + ": the directory was read whole, not streamed");
        }
    }

    @Test
    void dataPrependedToAZipShiftsItsOffsets() throws IOException {
        Path plain = work.resolve("plain.zip");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(plain))) {
            out.putNextEntry(new ZipEntry("BOOT-INF/app.txt"));
            out.write("the application".getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        Path executable = work.resolve("app.zip");
        try (OutputStream out = Files.newOutputStream(executable)) {
            out.write("#!/bin/sh\nexec java -jar \"$0\" \"$@\"\n".getBytes(StandardCharsets.UTF_8));
            out.write(Files.readAllBytes(plain));
        }
        assertEquals(Map.of("BOOT-INF/app.txt", "the application"), contents(executable));
    }

    @Test
    void aUnicodePathFieldNamesAnEntryWhoseRawNameIsNotUtf8() throws IOException {
        Path file = work.resolve("cp437.zip");
        try (ZipArchiveOutputStream out = new ZipArchiveOutputStream(file)) {
            out.setEncoding("CP437");
            out.setUseLanguageEncodingFlag(false);
            out.setCreateUnicodeExtraFields(ZipArchiveOutputStream.UnicodeExtraFieldPolicy.ALWAYS);
            out.putArchiveEntry(new ZipArchiveEntry("café.txt"));
            out.write("crème".getBytes(StandardCharsets.UTF_8));
            out.closeArchiveEntry();
        }
        assertEquals(Map.of("café.txt", "crème"), contents(file));
    }
}
