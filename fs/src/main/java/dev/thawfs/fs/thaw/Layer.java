package dev.thawfs.fs.thaw;

import dev.thawfs.fetcher.BadSourceException;
import dev.thawfs.store.Artifact;

/**
 * An imported artifact placed in the mount.
 *
 * @param path where its root appears, relative, '/'-separated; "" for the mount's root
 */
public record Layer(Artifact artifact, String path) {
    public Layer {
        path = path.replaceAll("^/+|/+$", "");
        for (String part : path.split("/")) {
            if (part.equals(".") || part.equals("..")) {
                throw new BadSourceException("layer path " + path + " may not contain . or ..");
            }
        }
    }
}
