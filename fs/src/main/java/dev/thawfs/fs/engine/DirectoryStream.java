package dev.thawfs.fs.engine;

import dev.thawfs.fs.proto.Entry;
import dev.thawfs.fs.proto.FileAttributes;
import java.util.List;

/**
 * One open directory, read in pages by a name cursor, so an open of a huge directory holds no
 * listing. Entries come in name order; an entry's cookie (the offset the kernel hands back to
 * continue) is its position from the start plus one. Reading on from where the last page ended
 * costs one page; a seek elsewhere walks from the start.
 */
public final class DirectoryStream<T> {
    static final int PAGE = 128;

    /** What a filesystem lists. */
    public interface Entries<T> {
        /** Up to {@code max} entries named after {@code name} ("" for the first), in name order. */
        List<T> after(String name, int max);

        String name(T entry);

        /** The entry's attributes, for READDIR's inode number and type; null if it vanished. */
        FileAttributes attributes(T entry);

        /** The entry for READDIRPLUS: a non-zero nodeid counts as one lookup, as for LOOKUP. */
        Entry expose(T entry);

        /** Takes back one lookup of an exposed entry that did not fit in the reply. */
        void forget(long nodeid);
    }

    private final Entries<T> entries;
    private long nextCookie;
    private String lastName = "";

    public DirectoryStream(Entries<T> entries) {
        this.entries = entries;
    }

    /** Answers READDIR ({@code plus} false) or READDIRPLUS from {@code cookie} with what fits in {@code size}. */
    public synchronized void answer(FuseRequest request, long cookie, int size, boolean plus) {
        DirectoryReply reply = request.replyDirectory(size);
        long at = Math.max(0, cookie);
        String after = seek(at);
        while (after != null) {
            List<T> page = entries.after(after, PAGE);
            for (T entry : page) {
                if (!add(reply, entry, at + 1, plus)) {
                    reply.send();
                    return;
                }
                at++;
                nextCookie = at;
                lastName = entries.name(entry);
            }
            after = page.size() < PAGE ? null : lastName;
        }
        reply.send();
    }

    /** The name that entry {@code cookie} follows, or null when the directory has fewer entries. */
    private String seek(long cookie) {
        if (cookie == 0) {
            return "";
        }
        if (cookie == nextCookie) {
            return lastName;
        }
        String name = "";
        for (long skipped = 0; skipped < cookie; ) {
            List<T> page = entries.after(name, (int) Math.min(PAGE, cookie - skipped));
            if (page.isEmpty()) {
                return null;
            }
            skipped += page.size();
            name = entries.name(page.get(page.size() - 1));
        }
        return name;
    }

    private boolean add(DirectoryReply reply, T entry, long nextCookie, boolean plus) {
        if (!plus) {
            FileAttributes attributes = entries.attributes(entry);
            return attributes == null || reply.add(entries.name(entry), attributes.ino(), attributes.mode(), nextCookie);
        }
        Entry exposed = entries.expose(entry);
        if (exposed == null) {
            return true;
        }
        if (!reply.addPlus(entries.name(entry), exposed, nextCookie)) {
            if (exposed.nodeid() != 0) {
                entries.forget(exposed.nodeid());
            }
            return false;
        }
        return true;
    }
}
