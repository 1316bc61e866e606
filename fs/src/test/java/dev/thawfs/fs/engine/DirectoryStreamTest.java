package dev.thawfs.fs.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thawfs.fs.proto.Entry;
import dev.thawfs.fs.proto.FileAttributes;
import dev.thawfs.fs.proto.Opcode;
import dev.thawfs.fs.proto.Structs;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Paged listings: every name once and in order, cookies that resume and seek, no listing held. */
class DirectoryStreamTest {
    private static final int NAMES = 1000;

    private final List<ByteBuffer> replies = new ArrayList<>();
    private final FuseChannel channel = new FuseChannel(new RecordedTransport(replies::add), new TinyFilesystem(0, null),
            new RequestStats(), false);
    private final TreeSet<String> directory = new TreeSet<>();
    private final List<Integer> pagesAsked = new ArrayList<>();
    private final List<Long> forgotten = new ArrayList<>();
    private long unique = 1;

    /** A directory of names; READDIRPLUS exposes each as nodeid = its number. */
    private final DirectoryStream.Entries<String> entries = new DirectoryStream.Entries<>() {
        @Override
        public List<String> after(String name, int max) {
            pagesAsked.add(max);
            return directory.tailSet(name, false).stream().limit(max).toList();
        }

        @Override
        public String name(String entry) {
            return entry;
        }

        @Override
        public FileAttributes attributes(String entry) {
            return attributesOf(entry);
        }

        @Override
        public Entry expose(String entry) {
            return Entry.of(number(entry), attributesOf(entry), 0, 0);
        }

        @Override
        public void forget(long nodeid) {
            forgotten.add(nodeid);
        }
    };

    DirectoryStreamTest() {
        for (int i = 0; i < NAMES; i++) {
            directory.add(String.format("entry-%04d%s", i, "x".repeat(i % 40)));
        }
    }

    private static long number(String name) {
        return Long.parseLong(name.substring(6, 10)) + 2;
    }

    private static FileAttributes attributesOf(String name) {
        return new FileAttributes(number(name), FileAttributes.S_IFREG | 0644, 1, 0, 0, 0, 0, 4096, 0, 0, 0, 0, 0, 0, 0);
    }

    private record Dirent(String name, long cookie) {
    }

    /** One READDIR(PLUS) answered from {@code cookie} with {@code size} bytes, decoded. */
    private List<Dirent> read(DirectoryStream<String> stream, long cookie, int size, boolean plus) {
        replies.clear();
        stream.answer(new FuseRequest(channel, unique++, plus ? Opcode.READDIRPLUS : Opcode.READDIR, 1, 0, 0, 0),
                cookie, size, plus);
        ByteBuffer reply = replies.get(0);
        assertEquals(0, reply.getInt(Structs.OutHeader.ERROR));
        List<Dirent> dirents = new ArrayList<>();
        int at = Structs.OutHeader.SIZE;
        while (at < reply.limit()) {
            int direntAt = plus ? at + Structs.EntryOut.SIZE : at;
            int length = reply.getInt(direntAt + Structs.Dirent.NAMELEN);
            byte[] name = new byte[length];
            reply.get(direntAt + Structs.Dirent.HEADER_SIZE, name);
            dirents.add(new Dirent(new String(name, StandardCharsets.UTF_8), reply.getLong(direntAt + Structs.Dirent.OFF)));
            at = direntAt + Structs.Dirent.size(length);
        }
        return dirents;
    }

    private List<String> readAll(DirectoryStream<String> stream, int size, boolean plus) {
        List<String> names = new ArrayList<>();
        long cookie = 0;
        for (List<Dirent> page = read(stream, cookie, size, plus); !page.isEmpty(); page = read(stream, cookie, size, plus)) {
            for (Dirent dirent : page) {
                names.add(dirent.name());
                assertEquals(names.size(), dirent.cookie(), "an entry's cookie is its position plus one");
            }
            cookie = page.get(page.size() - 1).cookie();
        }
        return names;
    }

    @Test
    void everyNameOnceInOrderWithoutEverListingTheWholeDirectory() {
        assertEquals(List.copyOf(directory), readAll(new DirectoryStream<>(entries), 4096, false));
        assertTrue(pagesAsked.stream().allMatch(max -> max <= DirectoryStream.PAGE), pagesAsked.toString());
    }

    @Test
    void readdirplusForgetsTheEntryThatDidNotFit() {
        List<String> names = readAll(new DirectoryStream<>(entries), 4096, true);
        assertEquals(List.copyOf(directory), names);
        List<Long> shown = names.stream().map(DirectoryStreamTest::number).toList();
        assertTrue(!forgotten.isEmpty() && forgotten.stream().allMatch(shown::contains),
                "each reply that filled up took back the lookup of the entry left out: " + forgotten);
    }

    @Test
    void aCookieFromEarlierSeeksBackAndTheNextOneResumes() {
        DirectoryStream<String> stream = new DirectoryStream<>(entries);
        List<Dirent> first = read(stream, 0, 4096, false);
        read(stream, first.get(first.size() - 1).cookie(), 4096, false);
        List<Dirent> again = read(stream, 10, 4096, false);
        assertEquals(List.copyOf(directory).get(10), again.get(0).name(), "seekdir to entry 10");
        assertEquals(11, again.get(0).cookie());
        List<Dirent> past = read(stream, NAMES + 5, 4096, false);
        assertEquals(List.of(), past, "a cookie past the end ends the listing");
    }

    @Test
    void namesAddedAfterTheCursorShowUpAndRemovedOnesDoNot() {
        DirectoryStream<String> stream = new DirectoryStream<>(entries);
        List<Dirent> first = read(stream, 0, 4096, false);
        directory.add("entry-9999-new");
        directory.remove(List.copyOf(directory).get(first.size() + 1));
        List<String> rest = new ArrayList<>();
        long cookie = first.get(first.size() - 1).cookie();
        for (List<Dirent> page = read(stream, cookie, 4096, false); !page.isEmpty(); page = read(stream, cookie, 4096, false)) {
            page.forEach(dirent -> rest.add(dirent.name()));
            cookie = page.get(page.size() - 1).cookie();
        }
        assertEquals("entry-9999-new", rest.get(rest.size() - 1));
        assertEquals(NAMES - first.size(), rest.size());
    }
}
