package dev.thawfs.fetcher;

import java.io.IOException;

/** An artifact that is not what it claims, or is hostile: the message names it and the entry. */
public class BadArtifactException extends IOException {
    public BadArtifactException(String artifact, String entry, String problem) {
        super(artifact + (entry == null ? "" : ", entry " + entry) + ": " + problem);
    }

    public BadArtifactException(String artifact, String problem, Throwable cause) {
        super(artifact + ": " + problem, cause);
    }
}
