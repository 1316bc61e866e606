package dev.thawfs.fs.proto;

import java.nio.ByteBuffer;

/**
 * The FUSE_INIT handshake: what the kernel offers, what thawfs accepts, and the tier that follows
 * (kernel-protocol.md §2.1, §4.1). Pure logic, so every branch is testable without a kernel.
 */
public final class Negotiation {
    public static final int MAJOR = 7;
    /** Oldest protocol served: 7.31 (Linux 5.4) has everything the engine relies on but passthrough. */
    public static final int MIN_MINOR = 31;
    /**
     * Newest protocol whose semantics thawfs implements: 7.45 (Linux 6.18). Mainline's 7.46 is
     * io-uring's buffer pool, which thawfs does not speak.
     */
    public static final int MAX_MINOR = 45;
    /** The series kernel's protocol: 7.45 plus fuse_entry2_out and FUSE_PASSTHROUGH_INO. */
    public static final int INODE_PASSTHROUGH_MINOR = 47;
    public static final int MAX_WRITE = 1 << 20;
    /** 1 MiB requests in 4 KiB pages; the kernel clamps it to its own limit. */
    public static final int MAX_PAGES = 256;
    static final int MAX_BACKGROUND = 64;
    static final int CONGESTION_THRESHOLD = 48;

    private static final long ALWAYS = InitFlags.ASYNC_READ | InitFlags.ASYNC_DIO | InitFlags.PARALLEL_DIROPS
            | InitFlags.MAX_PAGES | InitFlags.CACHE_SYMLINKS | InitFlags.HANDLE_KILLPRIV_V2
            | InitFlags.INIT_EXT | InitFlags.HAS_EXPIRE_ONLY | InitFlags.DIRECT_IO_ALLOW_MMAP;

    /** What FUSE_INIT carried. {@code flags} holds flags2 in its upper half when INIT_EXT was set. */
    public record Offer(int major, int minor, int maxReadahead, long flags) {

        public static Offer decode(ByteBuffer b, int at, int length) {
            if (length < 16) {
                throw new IllegalArgumentException("FUSE_INIT argument is " + length + " bytes, expected at least 16");
            }
            long flags = Integer.toUnsignedLong(b.getInt(at + Structs.InitIn.FLAGS));
            if ((flags & InitFlags.INIT_EXT) != 0 && length >= Structs.InitIn.FLAGS2 + 4) {
                flags |= Integer.toUnsignedLong(b.getInt(at + Structs.InitIn.FLAGS2)) << 32;
            }
            return new Offer(b.getInt(at + Structs.InitIn.MAJOR), b.getInt(at + Structs.InitIn.MINOR),
                    b.getInt(at + Structs.InitIn.MAX_READAHEAD), flags);
        }

        public boolean offers(long flag) {
            return (flags & flag) == flag;
        }
    }

    /** The accepted connection. */
    public record Agreement(int minor, int maxReadahead, long flags, PassthroughTier tier) {

        public boolean has(long flag) {
            return (flags & flag) == flag;
        }

        /** Writes the fuse_init_out reply body. */
        public void encode(ByteBuffer b, int at) {
            Structs.zero(b, at, Structs.InitOut.SIZE);
            b.putInt(at + Structs.InitOut.MAJOR, MAJOR);
            b.putInt(at + Structs.InitOut.MINOR, minor);
            b.putInt(at + Structs.InitOut.MAX_READAHEAD, maxReadahead);
            b.putInt(at + Structs.InitOut.FLAGS, (int) flags);
            b.putShort(at + Structs.InitOut.MAX_BACKGROUND, (short) MAX_BACKGROUND);
            b.putShort(at + Structs.InitOut.CONGESTION_THRESHOLD, (short) CONGESTION_THRESHOLD);
            b.putInt(at + Structs.InitOut.MAX_WRITE, MAX_WRITE);
            b.putInt(at + Structs.InitOut.TIME_GRAN, 1);
            b.putShort(at + Structs.InitOut.MAX_PAGES, (short) MAX_PAGES);
            b.putInt(at + Structs.InitOut.FLAGS2, (int) (flags >>> 32));
            b.putInt(at + Structs.InitOut.MAX_STACK_DEPTH, tier.passesThrough() ? 1 : 0);
        }
    }

    /** Why a mount cannot go ahead with what the kernel offers. */
    public static final class Refused extends Exception {
        public Refused(String message) {
            super(message);
        }
    }

    private Negotiation() {
    }

    /**
     * Accepts the offer.
     *
     * @param readdirplus whether the filesystem answers READDIRPLUS
     * @throws Refused when the kernel is too old, or the passthrough asked for is not offered
     */
    public static Agreement accept(Offer offer, PassthroughPolicy mode, boolean readdirplus) throws Refused {
        return accept(offer, mode, readdirplus, TransportPolicy.DEV);
    }

    /**
     * Accepts the offer, with requests over io_uring where {@code transport} asks for it and the
     * kernel offers it.
     *
     * @throws Refused also when {@code transport} is {@link TransportPolicy#URING} and the kernel
     *     does not offer FUSE_OVER_IO_URING
     */
    public static Agreement accept(Offer offer, PassthroughPolicy mode, boolean readdirplus, TransportPolicy transport)
            throws Refused {
        if (offer.major() != MAJOR) {
            throw new Refused("the kernel speaks FUSE protocol " + offer.major() + "." + offer.minor()
                    + "; thawfs speaks " + MAJOR + ".x");
        }
        if (offer.minor() < MIN_MINOR) {
            throw new Refused("the kernel's FUSE protocol 7." + offer.minor() + " is too old: thawfs needs 7."
                    + MIN_MINOR + " or newer (Linux 5.4+; passthrough needs Linux 6.9+)");
        }
        long wanted = ALWAYS;
        if (readdirplus) {
            wanted |= InitFlags.DO_READDIRPLUS | InitFlags.READDIRPLUS_AUTO;
        }
        boolean passthrough = mode != PassthroughPolicy.OFF && offer.offers(InitFlags.PASSTHROUGH);
        boolean inode = mode.wantsInodePassthrough();
        if ((mode == PassthroughPolicy.REQUIRE || inode) && !passthrough) {
            throw new Refused("passthrough is required but this kernel (FUSE 7." + offer.minor()
                    + ") does not offer FUSE_PASSTHROUGH: it needs Linux 6.9+ built with CONFIG_FUSE_PASSTHROUGH."
                    + " Use --passthrough auto to let the daemon serve reads instead");
        }
        if (inode && !offersInodePassthrough(offer)) {
            throw new Refused("--passthrough " + mode + " needs a kernel with the FUSE_PASSTHROUGH_INO series (FUSE 7."
                    + INODE_PASSTHROUGH_MINOR + ", INIT flag bit 44); this kernel offers FUSE 7." + offer.minor()
                    + " without it. Use --passthrough auto for per-open passthrough");
        }
        if (transport == TransportPolicy.URING && !offer.offers(InitFlags.OVER_IO_URING)) {
            throw new Refused("--transport uring needs FUSE over io_uring, which this kernel (FUSE 7." + offer.minor()
                    + ") does not offer: it needs Linux 6.14+ built with CONFIG_FUSE_IO_URING and the module parameter"
                    + " on (echo 1 > /sys/module/fuse/parameters/enable_uring). Use --transport auto or dev");
        }
        if (transport != TransportPolicy.DEV) {
            wanted |= InitFlags.OVER_IO_URING;
        }
        if (passthrough) {
            wanted |= InitFlags.PASSTHROUGH | (inode ? InitFlags.PASSTHROUGH_INO : 0);
        }
        long flags = wanted & offer.flags();
        PassthroughTier tier = !passthrough ? PassthroughTier.C : inode ? PassthroughTier.A : PassthroughTier.B;
        int minor = inode ? INODE_PASSTHROUGH_MINOR : Math.min(offer.minor(), MAX_MINOR);
        return new Agreement(minor, offer.maxReadahead(), flags, tier);
    }

    /** Bit 44 means inode passthrough only from the series kernel's protocol on. */
    private static boolean offersInodePassthrough(Offer offer) {
        return offer.minor() >= INODE_PASSTHROUGH_MINOR && offer.offers(InitFlags.PASSTHROUGH_INO);
    }
}
