package dev.thawfs.fs.engine;

import dev.thawfs.fs.kernel.Errno;
import dev.thawfs.fs.kernel.IoUring;
import dev.thawfs.fs.kernel.MountException;
import dev.thawfs.fs.kernel.NativeBuffer;
import dev.thawfs.fs.proto.InitFlags;
import dev.thawfs.fs.proto.Negotiation;
import dev.thawfs.fs.proto.Opcode;
import dev.thawfs.fs.proto.PassthroughPolicy;
import dev.thawfs.fs.proto.Structs;
import dev.thawfs.fs.proto.TransportPolicy;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** FUSE_INIT: the first request of every connection, answered before any other is read. */
final class Handshake {
    private static final System.Logger LOG = System.getLogger(Handshake.class.getName());

    private Handshake() {
    }

    /**
     * The transport to ask for where the kernel offers io_uring: io_uring only if this process can
     * make a ring at all, since a connection that negotiated it waits for every queue's entries.
     */
    private static TransportPolicy usable(TransportPolicy wanted) throws MountException {
        if (wanted == TransportPolicy.DEV) {
            return wanted;
        }
        String unusable = IoUring.unusableReason();
        if (unusable == null) {
            return wanted;
        }
        if (wanted == TransportPolicy.URING) {
            throw new MountException("--transport uring, but this process cannot use io_uring (" + unusable
                    + "): check the sysctl kernel.io_uring_disabled and seccomp. Use --transport auto or dev");
        }
        LOG.log(System.Logger.Level.WARNING, "the kernel offers FUSE over io_uring but this process cannot make an"
                + " io_uring (" + unusable + "): requests go through /dev/fuse");
        return TransportPolicy.DEV;
    }

    /** Reads FUSE_INIT from {@code transport}, answers it, and returns what was agreed. */
    static Negotiation.Agreement perform(Transport transport, PassthroughPolicy policy, boolean readdirplus,
            TransportPolicy requests) throws MountException {
        NativeBuffer buffer = NativeBuffer.allocate(Transport.REQUEST_CAPACITY);
        int length;
        do {
            length = transport.receive(buffer);
        } while (length == -Errno.EINTR);
        ByteBuffer in = buffer.buffer();
        if (length < Structs.InHeader.SIZE || in.getInt(Structs.InHeader.OPCODE) != Opcode.INIT) {
            throw new MountException("the kernel did not start with FUSE_INIT ("
                    + (length < 0 ? Errno.describe(-length) : length + " bytes") + ")");
        }
        Negotiation.Agreement agreement;
        try {
            Negotiation.Offer offer = Negotiation.Offer.decode(in, Structs.InHeader.SIZE, length - Structs.InHeader.SIZE);
            agreement = Negotiation.accept(offer, policy, readdirplus,
                    offer.offers(InitFlags.OVER_IO_URING) ? usable(requests) : requests);
        } catch (Negotiation.Refused e) {
            throw new MountException(e.getMessage());
        }
        ByteBuffer out = ByteBuffer.allocateDirect(Structs.OutHeader.SIZE + Structs.InitOut.SIZE)
                .order(ByteOrder.nativeOrder());
        Structs.OutHeader.put(out, out.capacity(), 0, in.getLong(Structs.InHeader.UNIQUE));
        agreement.encode(out, Structs.OutHeader.SIZE);
        int written = transport.send(out, null, null);
        if (written < 0) {
            throw new MountException("the kernel refused the FUSE_INIT reply: " + Errno.describe(-written));
        }
        return agreement;
    }
}
