package dev.thawfs.fs.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thawfs.fs.proto.PassthroughPolicy;
import dev.thawfs.fs.testing.FuseTestSupport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** FUSE_NOTIFY_INVAL_ENTRY and FUSE_NOTIFY_INVAL_INODE against the real kernel's caches. */
class NotificationTest {
    @TempDir
    Path work;
    private FuseSession session;
    private final TinyFilesystem fs = new TinyFilesystem(TimeUnit.HOURS.toNanos(1), (request, offset, size) -> {
    });

    @BeforeEach
    void mount() throws IOException {
        FuseTestSupport.assumeFuse();
        session = FuseSession.mount(Files.createDirectory(work.resolve("mnt")), fs,
                MountOptions.defaults("thawfs-notify-test").withPassthrough(PassthroughPolicy.OFF));
        FuseTestSupport.assertTransport(session);
    }

    @AfterEach
    void unmount() throws IOException {
        if (session != null) {
            session.close();
        }
        FuseTestSupport.assertNoMountsLeft(work);
    }

    @Test
    void invalidatingAnEntryMakesTheNextAccessLookItUpAgain() throws IOException {
        Path fast = session.mountpoint().resolve("fast");
        Files.size(fast);
        Files.size(fast);
        assertEquals(1, fs.lookups.get(), "an hour-long entry is looked up once");

        assertTrue(fs.kernel.invalidateEntry(1, "fast"));
        Files.size(fast);
        assertEquals(2, fs.lookups.get());
        assertFalse(fs.kernel.invalidateEntry(1, "never-looked-up"), "the kernel had no such dentry");
    }

    @Test
    void invalidatingAnInodeDropsItsCachedAttributes() throws IOException {
        Path fast = session.mountpoint().resolve("fast");
        Files.size(fast);
        int getattrs = fs.getattrs.get();
        Files.size(fast);
        assertEquals(getattrs, fs.getattrs.get(), "attributes are cached for an hour");

        assertTrue(fs.kernel.invalidateInode(TinyFilesystem.FAST, 0, 0));
        Files.size(fast);
        assertEquals(getattrs + 1, fs.getattrs.get());
        assertFalse(fs.kernel.invalidateInode(12345, 0, 0), "the kernel has no such inode");
    }
}
