package dev.thawfs.fs.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thawfs.fs.proto.PassthroughPolicy;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NegotiationTest {
    /** What kernel 6.18 offers here (7.45): passthrough, writeback cache, readdirplus and the rest. */
    private static final long LINUX_6_18 = InitFlags.ASYNC_READ | InitFlags.DO_READDIRPLUS
            | InitFlags.READDIRPLUS_AUTO | InitFlags.ASYNC_DIO | InitFlags.WRITEBACK_CACHE | InitFlags.PARALLEL_DIROPS
            | InitFlags.MAX_PAGES | InitFlags.CACHE_SYMLINKS | InitFlags.HANDLE_KILLPRIV_V2 | InitFlags.INIT_EXT
            | InitFlags.HAS_EXPIRE_ONLY | InitFlags.DIRECT_IO_ALLOW_MMAP | InitFlags.PASSTHROUGH;

    private static Negotiation.Offer offer(int minor, long flags) {
        return new Negotiation.Offer(7, minor, 131072, flags);
    }

    /**
     * The FUSE_INIT offers of real kernels, read with test/kernels/init-probe.c (flags | flags2 << 32),
     * and what thawfs makes of them: the tier with --passthrough auto, and with inode.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "Debian 12 6.1.0-50-cloud,                       38, 0x0000000b73fffffb, C, refused",
        "Debian 13 6.12.117-cloud,                       41, 0x000001ff73fffffb, B, refused",
        "Linux 6.18 (this machine),                      45, 0x000005fd73fffffb, B, refused",
        "trixie-backports 7.3.4-cloud,                   46, 0x000005ff73fffffb, B, refused",
        "trixie-backports 7.3.4-cloud with fuse.enable_uring=1, 46, 0x00000fff73fffffb, B, refused",
        "Linux 7.3.4 + FUSE_PASSTHROUGH_INO series,      47, 0x000015fd73fffffb, B, A",
        "Linux 7.3.4 + series with fuse.enable_uring=1,  47, 0x00001ffd73fffffb, B, A",
    })
    void realKernelOffers(String kernel, int minor, String flags, PassthroughTier auto, String inode) throws Exception {
        Negotiation.Offer offer = offer(minor, Long.decode(flags));
        Negotiation.Agreement agreement = Negotiation.accept(offer, PassthroughPolicy.AUTO, true);
        assertEquals(auto, agreement.tier());
        assertEquals(Math.min(minor, Negotiation.MAX_MINOR), agreement.minor(), "a minor whose semantics thawfs implements");
        assertEquals(0, agreement.flags() & ~offer.flags(), "only flags the kernel offered");
        assertFalse(agreement.has(InitFlags.PASSTHROUGH_INO), "auto never infers the unmerged ABI");
        assertFalse(agreement.has(1L << 43), "bit 43 is io-uring's buffer pool on 7.3");
        assertFalse(agreement.has(InitFlags.WRITEBACK_CACHE));
        if (inode.equals("refused")) {
            Negotiation.Refused refused = assertThrows(Negotiation.Refused.class,
                    () -> Negotiation.accept(offer, PassthroughPolicy.INODE, true));
            assertTrue(refused.getMessage().contains("--passthrough auto"), "says what to do instead: " + refused.getMessage());
        } else {
            Negotiation.Agreement tierA = Negotiation.accept(offer, PassthroughPolicy.INODE, true);
            assertEquals(PassthroughTier.valueOf(inode), tierA.tier());
            assertEquals(47, tierA.minor());
            assertTrue(tierA.has(InitFlags.PASSTHROUGH | InitFlags.PASSTHROUGH_INO));
        }
    }

    @Test
    void perOpenPassthroughWhenOffered() throws Exception {
        Negotiation.Agreement a = Negotiation.accept(offer(45, LINUX_6_18), PassthroughPolicy.AUTO, true);
        assertEquals(PassthroughTier.B, a.tier());
        assertEquals(45, a.minor());
        assertTrue(a.has(InitFlags.PASSTHROUGH | InitFlags.INIT_EXT | InitFlags.MAX_PAGES | InitFlags.DO_READDIRPLUS));
        assertFalse(a.has(InitFlags.WRITEBACK_CACHE), "writeback cache disables passthrough");
        assertTrue(a.has(InitFlags.DIRECT_IO_ALLOW_MMAP), "a cold large file must map shared (the JVM maps lib/modules)");
    }

    @Test
    void inodePassthroughOnlyWhenAskedForAndTheKernelCarriesTheSeries() throws Exception {
        Negotiation.Agreement a = Negotiation.accept(offer(47, LINUX_6_18 | InitFlags.PASSTHROUGH_INO),
                PassthroughPolicy.INODE, false);
        assertEquals(PassthroughTier.A, a.tier());
        assertEquals(47, a.minor());
        assertTrue(a.has(InitFlags.PASSTHROUGH_INO));
        assertFalse(a.has(InitFlags.DO_READDIRPLUS));

        assertEquals(PassthroughTier.A, Negotiation.accept(offer(47, LINUX_6_18 | InitFlags.PASSTHROUGH_INO),
                PassthroughPolicy.INODE_OPEN, false).tier());

        Negotiation.Agreement auto = Negotiation.accept(offer(47, LINUX_6_18 | InitFlags.PASSTHROUGH_INO),
                PassthroughPolicy.AUTO, true);
        assertEquals(PassthroughTier.B, auto.tier(), "auto never negotiates an unmerged ABI");
        assertEquals(45, auto.minor());
        assertFalse(auto.has(InitFlags.PASSTHROUGH_INO));
    }

    @Test
    void offMeansNoPassthroughFlagsAtAll() throws Exception {
        Negotiation.Agreement a = Negotiation.accept(offer(47, LINUX_6_18 | InitFlags.PASSTHROUGH_INO),
                PassthroughPolicy.OFF, true);
        assertEquals(PassthroughTier.C, a.tier());
        assertFalse(a.has(InitFlags.PASSTHROUGH));
        assertFalse(a.has(InitFlags.PASSTHROUGH_INO));
    }

    @Test
    void olderKernelsFallBackOrRefuseWhenRequired() throws Exception {
        long noPassthrough = LINUX_6_18 & ~InitFlags.PASSTHROUGH;
        assertEquals(PassthroughTier.C, Negotiation.accept(offer(38, noPassthrough), PassthroughPolicy.AUTO, true).tier());
        Negotiation.Refused refused = assertThrows(Negotiation.Refused.class,
                () -> Negotiation.accept(offer(38, noPassthrough), PassthroughPolicy.REQUIRE, true));
        assertTrue(refused.getMessage().contains("Linux 6.9"), refused.getMessage());
        assertTrue(refused.getMessage().contains("--passthrough auto"), refused.getMessage());
    }

    @Test
    void protocolsBefore731AreRefused() {
        Negotiation.Refused refused = assertThrows(Negotiation.Refused.class,
                () -> Negotiation.accept(offer(30, LINUX_6_18), PassthroughPolicy.AUTO, true));
        assertTrue(refused.getMessage().contains("7.31"), refused.getMessage());
        assertThrows(Negotiation.Refused.class,
                () -> Negotiation.accept(new Negotiation.Offer(8, 0, 0, 0), PassthroughPolicy.AUTO, true));
    }

    @Test
    void flags2IsReadOnlyWithInitExt() {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, 7).putInt(4, 45).putInt(8, 131072).putInt(16, 1 << 5);
        assertFalse(Negotiation.Offer.decode(b, 0, 64).offers(InitFlags.PASSTHROUGH));
        b.putInt(12, (int) InitFlags.INIT_EXT);
        assertTrue(Negotiation.Offer.decode(b, 0, 64).offers(InitFlags.PASSTHROUGH));
        assertFalse(Negotiation.Offer.decode(b, 0, 16).offers(InitFlags.PASSTHROUGH), "a 16-byte init_in has no flags2");
    }

    @Test
    void replyLayout() throws Exception {
        Negotiation.Agreement a = Negotiation.accept(offer(47, LINUX_6_18 | InitFlags.PASSTHROUGH_INO),
                PassthroughPolicy.INODE, true);
        ByteBuffer b = ByteBuffer.allocate(Structs.InitOut.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        a.encode(b, 0);
        assertEquals(7, b.getInt(0));
        assertEquals(47, b.getInt(4));
        assertEquals(131072, b.getInt(8));
        assertEquals((int) a.flags(), b.getInt(12));
        assertEquals(1 << 20, b.getInt(20));
        assertEquals(256, b.getShort(28));
        assertEquals((1 << 5) | (1 << 12) | (1 << 3) | (1 << 4), b.getInt(32),
                "flags2: PASSTHROUGH, PASSTHROUGH_INO (bit 44), EXPIRE_ONLY, DIRECT_IO_ALLOW_MMAP");
        assertEquals(1, b.getInt(36), "max_stack_depth");
    }
}
