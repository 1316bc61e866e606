package dev.thawfs.fetcher;

import dev.thawfs.config.BadEntryPolicy;

/**
 * One entry of an artifact is bad (hostile, over a limit), while the rest may be fine: whether the
 * artifact is refused or the entry left out is the {@link BadEntryPolicy}'s to say.
 */
public final class BadEntryException extends BadArtifactException {
    private static final System.Logger LOG = System.getLogger(BadEntryException.class.getName());

    private final String artifact;
    private final String entry;
    private final String problem;

    public BadEntryException(String artifact, String entry, String problem) {
        super(artifact, entry, problem);
        this.artifact = artifact;
        this.entry = entry;
        this.problem = problem;
    }

    /** Throws, naming the setting that would mount the rest, or logs that the entry is left out. */
    public void skipOrRefuse(BadEntryPolicy policy) throws BadEntryException {
        if (policy == BadEntryPolicy.REFUSE) {
            throw new BadEntryException(artifact, entry, problem
                    + " (limits.on-bad-entry = skip would mount the artifact without this entry)");
        }
        LOG.log(System.Logger.Level.WARNING, getMessage() + "; skipped (limits.on-bad-entry = skip)");
    }
}
