package dev.thawfs.fs.engine;

import dev.thawfs.fs.proto.Entry;
import dev.thawfs.fs.proto.FileAttributes;
import dev.thawfs.fs.proto.Structs;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A READDIR or READDIRPLUS answer being filled: add entries until one does not fit, then send.
 * Each entry carries the offset of the entry after it, which the kernel hands back to continue.
 */
public final class DirectoryReply {
    private final FuseRequest request;
    private final ByteBuffer buffer;
    private final int end;
    private int position = Structs.OutHeader.SIZE;

    DirectoryReply(FuseRequest request, ByteBuffer buffer, int size) {
        this.request = request;
        this.buffer = buffer;
        this.end = Structs.OutHeader.SIZE + Math.min(size, buffer.capacity() - Structs.OutHeader.SIZE);
    }

    /** Adds a READDIR entry; false (and nothing added) when it does not fit. */
    public boolean add(String name, long ino, int mode, long nextOffset) {
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        int size = Structs.Dirent.size(utf8.length);
        if (position + size > end) {
            return false;
        }
        position += Structs.Dirent.put(buffer, position, utf8, ino, mode, nextOffset);
        return true;
    }

    /**
     * Adds a READDIRPLUS entry (entry then dirent); false when it does not fit. An added entry
     * with a non-zero nodeid counts as one lookup of that node, as for {@code lookup}.
     */
    public boolean addPlus(String name, Entry entry, long nextOffset) {
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        int direntSize = Structs.Dirent.size(utf8.length);
        if (position + Structs.EntryOut.SIZE + direntSize > end) {
            return false;
        }
        Structs.EntryOut.put(buffer, position, entry);
        FileAttributes attributes = entry.attributes();
        position += Structs.EntryOut.SIZE
                + Structs.Dirent.put(buffer, position + Structs.EntryOut.SIZE, utf8, attributes.ino(), attributes.mode(), nextOffset);
        return true;
    }

    /** Sends what was added; nothing added means the end of the directory. */
    public void send() {
        request.sendDirectory(buffer, position - Structs.OutHeader.SIZE);
    }
}
