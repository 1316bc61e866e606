package dev.thawfs.fs.engine;

import dev.thawfs.fs.kernel.Errno;
import dev.thawfs.fs.proto.Opcode;
import dev.thawfs.fs.proto.Structs;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Decodes one request and hands it to the filesystem. A request the engine cannot decode, or one
 * whose handler throws, is logged and answered EIO: one bad request never stops the loop.
 */
final class Dispatcher {
    private static final System.Logger LOG = System.getLogger(Dispatcher.class.getName());
    private static final int O_ACCMODE = 3;
    private static final int O_TRUNC = 01000;
    private static final int W_OK = 2;

    private final FuseChannel channel;
    private final FuseFilesystem fs;

    Dispatcher(FuseChannel channel) {
        this.channel = channel;
        this.fs = channel.filesystem;
    }

    /** Thrown for requests shorter than their opcode's argument. */
    static final class MalformedRequest extends RuntimeException {
        MalformedRequest(String message) {
            super(message, null, false, false);
        }
    }

    void dispatch(ByteBuffer in, int length) {
        if (length < Structs.InHeader.SIZE || in.getInt(Structs.InHeader.LEN) != length) {
            LOG.log(System.Logger.Level.WARNING, "dropped a malformed request: read " + length
                    + " bytes, header says " + (length >= 4 ? in.getInt(Structs.InHeader.LEN) : -1));
            return; // without a trustworthy header there is no unique to answer
        }
        int opcode = in.getInt(Structs.InHeader.OPCODE);
        channel.stats.count(opcode);
        FuseRequest request = new FuseRequest(channel, in.getLong(Structs.InHeader.UNIQUE), opcode,
                in.getLong(Structs.InHeader.NODEID), in.getInt(Structs.InHeader.UID),
                in.getInt(Structs.InHeader.GID), in.getInt(Structs.InHeader.PID));
        // Extensions (7.39+) sit at the end; no argument of a read-only filesystem needs them.
        int argumentEnd = length - 8 * Short.toUnsignedInt(in.getShort(Structs.InHeader.TOTAL_EXTLEN));
        try {
            dispatch(request, in, argumentEnd);
        } catch (MalformedRequest e) {
            LOG.log(System.Logger.Level.WARNING, "malformed " + Opcode.name(opcode) + " answered EIO: " + e.getMessage());
            request.replyError(Errno.EIO);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, Opcode.name(opcode) + " of node " + request.nodeid()
                    + " failed, answered EIO", e);
            request.replyError(Errno.EIO);
        }
    }

    private void dispatch(FuseRequest r, ByteBuffer in, int end) {
        final int at = Structs.InHeader.SIZE;
        long node = r.nodeid();
        switch (r.opcode()) {
            case Opcode.LOOKUP -> fs.lookup(r, node, name(in, at, end));
            case Opcode.FORGET -> fs.forget(node, in.getLong(require(at, Structs.Forget.IN_SIZE, end)));
            case Opcode.BATCH_FORGET -> batchForget(in, at, end);
            case Opcode.GETATTR -> fs.getattr(r, node);
            case Opcode.OPEN -> {
                int flags = in.getInt(require(at, Structs.OpenIn.SIZE, end) + Structs.OpenIn.FLAGS);
                if ((flags & O_ACCMODE) != 0 || (flags & O_TRUNC) != 0) {
                    r.replyError(Errno.EROFS);
                } else {
                    fs.open(r, node, flags);
                }
            }
            case Opcode.READ -> {
                require(at, Structs.ReadIn.SIZE, end);
                fs.read(r, node, in.getLong(at + Structs.ReadIn.FH), in.getLong(at + Structs.ReadIn.OFFSET),
                        in.getInt(at + Structs.ReadIn.READ_SIZE));
            }
            case Opcode.RELEASE -> {
                fs.release(node, in.getLong(require(at, Structs.ReleaseIn.SIZE, end) + Structs.ReleaseIn.FH));
                r.replyEmpty();
            }
            case Opcode.OPENDIR -> fs.opendir(r, node, in.getInt(require(at, Structs.OpenIn.SIZE, end)));
            case Opcode.READDIR, Opcode.READDIRPLUS -> {
                require(at, Structs.ReadIn.SIZE, end);
                long fh = in.getLong(at + Structs.ReadIn.FH);
                long offset = in.getLong(at + Structs.ReadIn.OFFSET);
                int size = in.getInt(at + Structs.ReadIn.READ_SIZE);
                if (r.opcode() == Opcode.READDIR) {
                    fs.readdir(r, node, fh, offset, size);
                } else {
                    fs.readdirplus(r, node, fh, offset, size);
                }
            }
            case Opcode.RELEASEDIR -> {
                fs.releasedir(node, in.getLong(require(at, Structs.ReleaseIn.SIZE, end) + Structs.ReleaseIn.FH));
                r.replyEmpty();
            }
            case Opcode.STATFS -> fs.statfs(r, node);
            case Opcode.READLINK -> fs.readlink(r, node);
            case Opcode.GETXATTR -> {
                int size = in.getInt(require(at, Structs.Xattr.IN_SIZE, end));
                fs.getxattr(r, node, name(in, at + Structs.Xattr.IN_SIZE, end), size);
            }
            case Opcode.LISTXATTR -> fs.listxattr(r, node, in.getInt(require(at, Structs.Xattr.IN_SIZE, end)));
            case Opcode.ACCESS -> {
                int mask = in.getInt(require(at, 8, end));
                if ((mask & W_OK) != 0) {
                    r.replyError(Errno.EROFS);
                } else {
                    fs.access(r, node, mask);
                }
            }
            case Opcode.INTERRUPT -> channel.interrupt(in.getLong(require(at, 8, end)));
            case Opcode.DESTROY -> r.replyEmpty();
            case Opcode.INIT -> r.replyError(Errno.EIO); // only the first INIT is valid, handled by the session
            default -> r.replyError(Opcode.isWrite(r.opcode()) ? Errno.EROFS : Errno.ENOSYS);
        }
    }

    private void batchForget(ByteBuffer in, int at, int end) {
        int count = in.getInt(require(at, Structs.Forget.BATCH_IN_SIZE, end));
        int first = at + Structs.Forget.BATCH_IN_SIZE;
        require(first, count * Structs.Forget.ONE_SIZE, end);
        for (int i = 0; i < count; i++) {
            int one = first + i * Structs.Forget.ONE_SIZE;
            fs.forget(in.getLong(one), in.getLong(one + 8));
        }
    }

    /** Checks that {@code size} argument bytes follow {@code at}; returns {@code at}. */
    private static int require(int at, int size, int end) {
        if (size < 0 || at + size > end) {
            throw new MalformedRequest("argument of " + size + " bytes at " + at + " runs past the request end " + end);
        }
        return at;
    }

    /** A NUL-terminated name starting at {@code at}. */
    private static String name(ByteBuffer in, int at, int end) {
        for (int i = at; i < end; i++) {
            if (in.get(i) == 0) {
                byte[] bytes = new byte[i - at];
                in.get(at, bytes);
                return new String(bytes, StandardCharsets.UTF_8);
            }
        }
        throw new MalformedRequest("name without a terminating NUL");
    }
}
