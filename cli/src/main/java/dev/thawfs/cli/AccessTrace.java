package dev.thawfs.cli;

import dev.thawfs.fs.thaw.AccessLog;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A recorded startup trace: a first line {@code # thawfs trace v1}, then one line per file's
 * first access, {@code MILLIS<TAB>OFFSET<TAB>LENGTH<TAB>PATH}, in the order they happened. In
 * PATH, backslash, tab and newline are written {@code \\ \t \n}. Anything that reads a trace also
 * reads a plain list of paths, one per line ('#' starts a comment).
 */
final class AccessTrace implements AccessLog, AutoCloseable {
    static final String HEADER = "# thawfs trace v1";
    private static final System.Logger LOG = System.getLogger(AccessTrace.class.getName());
    private static final Pattern TRACE_LINE = Pattern.compile("\\d+\t\\d+\t\\d+\t.*");

    private final Path file;
    private final BufferedWriter out;
    private boolean failed;

    private AccessTrace(Path file, BufferedWriter out) {
        this.file = file;
        this.out = out;
    }

    /** Starts a trace in {@code file}, replacing what was there. */
    static AccessTrace record(Path file) throws IOException {
        BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        out.write(HEADER + "\n");
        out.flush();
        return new AccessTrace(file, out);
    }

    /**
     * Each line is flushed: a job that ends by being killed still leaves its trace. Recording
     * never fails the access it records: a write error ends the trace with one warning.
     */
    @Override
    public synchronized void firstAccess(String path, long offset, long length, long millisSinceMount) {
        if (failed) {
            return;
        }
        try {
            out.write(millisSinceMount + "\t" + offset + "\t" + length + "\t" + escape(path) + "\n");
            out.flush();
        } catch (IOException e) {
            failed = true;
            LOG.log(System.Logger.Level.WARNING, "recording the trace " + file + " stopped at " + path + ": " + e
                    + "; the mount goes on without it");
        }
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }

    /** The paths of a trace or a path list, first occurrence first. */
    static List<String> paths(Path file) throws IOException {
        Set<String> paths = new LinkedHashSet<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (TRACE_LINE.matcher(line).matches()) {
                paths.add(unescape(line.split("\t", 4)[3]));
            } else if (!line.isBlank() && !line.startsWith("#")) {
                paths.add(line.strip());
            }
        }
        return new ArrayList<>(paths);
    }

    private static String escape(String path) {
        return path.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n");
    }

    private static String unescape(String text) {
        StringBuilder path = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length()) {
                char next = text.charAt(++i);
                path.append(next == 't' ? '\t' : next == 'n' ? '\n' : next);
            } else {
                path.append(c);
            }
        }
        return path.toString();
    }
}
