package dev.thawfs.cli;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The control socket of a store that a daemon owns ({@code control.sock} in the store, mode
 * 0600): commands that use the store are run by that daemon, against the store it has open.
 *
 * <p>Protocol: the client sends the version, its working directory, its environment and its
 * arguments; the daemon runs them as the command line would and answers with frames, each a kind
 * byte: {@link #OUT} or {@link #ERR} and a string (the command's output as it is written), or
 * {@link #EXIT} and the exit code, last. Strings are an int length and UTF-8 bytes.
 */
final class ControlSocket {
    static final int VERSION = 1;
    static final byte EXIT = 0;
    static final byte OUT = 1;
    static final byte ERR = 2;
    private static final int MAX_STRING = 1 << 24;

    private ControlSocket() {
    }

    static Path path(Path store) {
        return store.resolve("control.sock");
    }

    /**
     * Runs this command in the daemon that owns {@code store}, if one does, with its output on
     * this command's: the daemon's exit code, or empty when no daemon owns the store (nor when
     * this is the daemon running a client's command), to run the command here.
     */
    static OptionalInt forward(Path store, CommandSpec spec) {
        if (Invocation.current().client() != null) {
            return OptionalInt.empty();
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path socket = path(store);
        if (!Files.exists(socket)) {
            return OptionalInt.empty();
        }
        SocketChannel channel;
        try {
            channel = SocketChannel.open(UnixDomainSocketAddress.of(socket));
        } catch (ConnectException refused) {
            return OptionalInt.empty(); // left by a daemon killed with -9; the store's next owner removes it
        } catch (IOException e) {
            if (Files.notExists(socket)) {
                return OptionalInt.empty(); // the daemon exited meanwhile
            }
            err.println("thawfs: cannot reach the daemon that owns the store " + store + " through " + socket + " ("
                    + e.getMessage() + "): run as root, or stop that daemon (thawfs unmount)");
            return OptionalInt.of(Main.EXIT_USAGE);
        }
        try (channel) {
            DataOutputStream request = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel)));
            request.writeInt(VERSION);
            writeString(request, Invocation.current().workingDirectory().toString());
            writeMap(request, Invocation.current().environment());
            writeList(request, spec.root().commandLine().getParseResult().originalArgs());
            request.flush();
            DataInputStream answer = new DataInputStream(new BufferedInputStream(Channels.newInputStream(channel)));
            while (true) {
                byte kind = answer.readByte();
                if (kind == EXIT) {
                    return OptionalInt.of(answer.readInt());
                }
                PrintWriter to = kind == OUT ? out : err;
                to.print(readString(answer));
                to.flush();
            }
        } catch (EOFException e) {
            err.println("thawfs: the daemon that owns the store " + store + " closed the connection without an"
                    + " answer (its log says why; daemon.log in the store unless mounted with --log)");
            return OptionalInt.of(Main.EXIT_FAILED);
        } catch (IOException e) {
            err.println("thawfs: lost the daemon that owns the store " + store + ": " + e.getMessage());
            return OptionalInt.of(Main.EXIT_FAILED);
        }
    }

    static void writeString(DataOutputStream out, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    static String readString(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > MAX_STRING) {
            throw new IOException("not a thawfs control message (a string of " + length + " bytes)");
        }
        return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    private static void writeList(DataOutputStream out, List<String> list) throws IOException {
        out.writeInt(list.size());
        for (String text : list) {
            writeString(out, text);
        }
    }

    static List<String> readList(DataInputStream in) throws IOException {
        int size = in.readInt();
        if (size < 0 || size > MAX_STRING) {
            throw new IOException("not a thawfs control message (a list of " + size + " items)");
        }
        List<String> list = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            list.add(readString(in));
        }
        return list;
    }

    private static void writeMap(DataOutputStream out, Map<String, String> map) throws IOException {
        List<String> flat = new ArrayList<>(map.size() * 2);
        map.forEach((key, value) -> {
            flat.add(key);
            flat.add(value);
        });
        writeList(out, flat);
    }

    static Map<String, String> readMap(DataInputStream in) throws IOException {
        List<String> flat = readList(in);
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            map.put(flat.get(i), flat.get(i + 1));
        }
        return map;
    }
}
