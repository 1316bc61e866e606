package dev.thawfs.store;

/**
 * Node and artifact ids, unique for the store's life. Ids are handed out from blocks whose end
 * is made durable before the first id of the block is used, so a crash never reuses one.
 */
final class IdAllocator {
    private static final long BLOCK = 4096;
    /** Ids 0 and 1 mean "none" and the FUSE root; store ids start above them. */
    private static final long FIRST = 16;

    private final Index index;
    private long next;
    private long blockEnd;

    IdAllocator(Index index) {
        this.index = index;
        this.next = Math.max(FIRST, index.getLong(index.meta, Index.NEXT_ID_KEY, FIRST));
        this.blockEnd = next;
    }

    synchronized long next() {
        if (next == blockEnd) {
            blockEnd = next + BLOCK;
            index.put(index.meta, Index.NEXT_ID_KEY, Index.longBytes(blockEnd), true);
        }
        return next++;
    }
}
