package dev.thawfs.fetcher;

import dev.thawfs.config.HttpSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Base64;
import java.util.Optional;

/**
 * The Authorization header for one host: a bearer token, else a user and password, else the
 * netrc file's entry for the host (or its {@code default}). The header is never logged.
 */
final class HttpCredentials {
    private HttpCredentials() {
    }

    static Optional<String> authorization(HttpSettings settings, String host) throws IOException {
        if (settings.bearer() != null && !settings.bearer().isEmpty()) {
            return Optional.of("Bearer " + settings.bearer());
        }
        if (settings.user() != null && !settings.user().isEmpty()) {
            return Optional.of(basic(settings.user(), settings.password() == null ? "" : settings.password()));
        }
        if (settings.netrc() == null || !Files.isRegularFile(settings.netrc())) {
            return Optional.empty();
        }
        return netrc(Files.readString(settings.netrc()), host);
    }

    /** The login and password of {@code machine HOST}, else of {@code default}, in netrc text. */
    static Optional<String> netrc(String text, String host) {
        String[] tokens = text.trim().split("\\s+");
        String login = null;
        String password = null;
        boolean matching = false;
        boolean found = false;
        for (int i = 0; i < tokens.length && !found; i++) {
            switch (tokens[i]) {
                case "machine", "default" -> {
                    if (matching) {
                        found = true;
                    } else {
                        matching = tokens[i].equals("default") || i + 1 < tokens.length && tokens[++i].equalsIgnoreCase(host);
                    }
                }
                case "login" -> login = matching && i + 1 < tokens.length ? tokens[++i] : login;
                case "password" -> password = matching && i + 1 < tokens.length ? tokens[++i] : password;
                default -> {
                }
            }
        }
        return matching && login != null ? Optional.of(basic(login, password == null ? "" : password)) : Optional.empty();
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
