package dev.thawfs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The startup trace a mount records: read back as written, and never a reason for an access to fail. */
class AccessTraceTest {
    @TempDir
    Path work;

    @Test
    void pathsWithTabsNewlinesAndBackslashesComeBackAsRecorded() throws Exception {
        Path file = work.resolve("startup.trace");
        List<String> paths = List.of("lib/a.jar", "odd\tname", "two\nlines", "back\\slash", "lib/a.jar");
        try (AccessTrace trace = AccessTrace.record(file)) {
            for (int i = 0; i < paths.size(); i++) {
                trace.firstAccess(paths.get(i), 0, 100, i);
            }
        }
        assertEquals(AccessTrace.HEADER, Files.readAllLines(file).get(0));
        assertEquals(List.of("lib/a.jar", "odd\tname", "two\nlines", "back\\slash"), AccessTrace.paths(file));
    }

    @Test
    void aTraceThatCannotBeWrittenStopsRecordingWithoutFailingTheAccess() throws Exception {
        Path file = work.resolve("startup.trace");
        AccessTrace trace = AccessTrace.record(file);
        trace.firstAccess("before", 0, 1, 1);
        trace.close(); // every later write fails, as on a full or vanished disk
        trace.firstAccess("after", 0, 1, 2);
        trace.firstAccess("later", 0, 1, 3);
        assertEquals(List.of("before"), AccessTrace.paths(file));
    }
}
