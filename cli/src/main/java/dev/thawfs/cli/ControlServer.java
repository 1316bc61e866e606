package dev.thawfs.cli;

import dev.thawfs.store.Store;
import dev.thawfs.store.StoreException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.logging.Logger;
import picocli.CommandLine;

/**
 * The side of the {@link ControlSocket} in the process that owns a store (a mount's daemon): it
 * runs clients' commands (gc, prefetch, status, and further mounts) against the store it has open,
 * and keeps the store open until the last of them and of its own mount is done.
 */
final class ControlServer {
    private static final Logger LOG = Logger.getLogger(ControlServer.class.getName());

    private final Store store;
    private final ServerSocketChannel server;
    private final Path socket;
    private int leases = 1;
    private boolean closing;

    private ControlServer(Store store, ServerSocketChannel server, Path socket) {
        this.store = store;
        this.server = server;
        this.socket = socket;
    }

    /**
     * Serves {@code store}'s control socket until the lease returned is closed; closing it waits
     * for the commands and mounts clients started, then closes the store.
     */
    static StoreLease serve(Store store) {
        Path socket = ControlSocket.path(store.directory());
        ServerSocketChannel server = null;
        try {
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket));
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            LOG.warning("no control socket " + socket + " (" + e.getMessage() + "): while this mount runs, thawfs gc,"
                    + " prefetch, status and mount of its store are refused; a shorter store path avoids this");
            closeQuietly(server);
            return new StoreLease(store, store::close);
        }
        ControlServer control = new ControlServer(store, server, socket);
        Thread accepting = new Thread(control::accept, "thawfs-control");
        accepting.setDaemon(true);
        accepting.start();
        return new StoreLease(store, control::closeAfterTheOthers);
    }

    /** The store for a client's command; back when the lease closes. */
    synchronized StoreLease lease() {
        if (closing) {
            throw new StoreException("the daemon that owns the store " + store.directory() + " is exiting (its last"
                    + " mount went): run the command again");
        }
        leases++;
        return new StoreLease(store, this::release);
    }

    private synchronized void release() {
        leases--;
        notifyAll();
    }

    private void closeAfterTheOthers() {
        boolean interrupted = false;
        synchronized (this) {
            leases--;
            while (leases > 0) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            closing = true;
        }
        closeQuietly(server);
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            LOG.warning("cannot remove " + socket + ": " + e.getMessage());
        }
        store.close();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void accept() {
        while (true) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (ClosedChannelException closed) {
                return;
            } catch (IOException e) {
                LOG.warning("control socket " + socket + ": " + e.getMessage());
                return;
            }
            Thread serving = new Thread(() -> serve(client), "thawfs-control-client");
            serving.setDaemon(true);
            serving.start();
        }
    }

    private void serve(SocketChannel channel) {
        try (channel) {
            DataInputStream request = new DataInputStream(new BufferedInputStream(Channels.newInputStream(channel)));
            Connection connection = new Connection(this,
                    new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel))));
            int version = request.readInt();
            if (version != ControlSocket.VERSION) {
                connection.err.println("thawfs: the daemon that owns the store " + store.directory() + " speaks"
                        + " control protocol " + ControlSocket.VERSION + ", this thawfs " + version + ": run the"
                        + " thawfs that started it");
                connection.finish(Main.EXIT_USAGE);
                return;
            }
            Path workingDirectory = Path.of(ControlSocket.readString(request));
            Map<String, String> environment = ControlSocket.readMap(request);
            String[] args = ControlSocket.readList(request).toArray(String[]::new);
            Invocation invocation = new Invocation(environment, workingDirectory, connection);
            CommandLine commandLine = Main.commandLine(args).setOut(connection.out).setErr(connection.err);
            commandLine.registerConverter(Path.class, invocation::path);
            connection.finish(Invocation.run(invocation, () -> commandLine.execute(args)));
        } catch (IOException | RuntimeException e) {
            LOG.warning("control socket " + socket + ": a client's command failed: " + e);
        }
    }

    private static void closeQuietly(ServerSocketChannel server) {
        try {
            if (server != null) {
                server.close();
            }
        } catch (IOException ignored) {
            // nothing more to release
        }
    }

    /**
     * A client waiting for its command's output and exit code. Once it has the exit code (a
     * mount's client has it as soon as the mount answers), what the command writes goes to this
     * process's stderr, the daemon's log.
     */
    static final class Connection {
        private final ControlServer server;
        private final DataOutputStream answer;
        final PrintWriter out = new PrintWriter(new Frames(ControlSocket.OUT), true);
        final PrintWriter err = new PrintWriter(new Frames(ControlSocket.ERR), true);
        private boolean answered;

        private Connection(ControlServer server, DataOutputStream answer) {
            this.server = server;
            this.answer = answer;
        }

        ControlServer server() {
            return server;
        }

        /** Sends the exit code, after the output written so far; later calls do nothing. */
        void finish(int exitCode) {
            out.flush();
            err.flush();
            synchronized (this) {
                if (answered) {
                    return;
                }
                answered = true;
                try {
                    answer.writeByte(ControlSocket.EXIT);
                    answer.writeInt(exitCode);
                    answer.flush();
                } catch (IOException clientGone) {
                    // it asked and left: nothing to tell
                }
            }
        }

        private synchronized void send(byte kind, String text) {
            if (answered) {
                System.err.print(text);
                System.err.flush();
                return;
            }
            try {
                answer.writeByte(kind);
                ControlSocket.writeString(answer, text);
                answer.flush();
            } catch (IOException clientGone) {
                answered = true;
                System.err.print(text);
            }
        }

        /** A stream of the command's output: each flush sends what was written since as one frame. */
        private final class Frames extends Writer {
            private final byte kind;
            private final StringBuilder pending = new StringBuilder();

            Frames(byte kind) {
                this.kind = kind;
            }

            @Override
            public void write(char[] chars, int offset, int length) {
                synchronized (pending) {
                    pending.append(chars, offset, length);
                }
            }

            @Override
            public void flush() {
                String text;
                synchronized (pending) {
                    if (pending.length() == 0) {
                        return;
                    }
                    text = pending.toString();
                    pending.setLength(0);
                }
                send(kind, text);
            }

            @Override
            public void close() {
                flush();
            }
        }
    }
}
