package dev.thawfs.store;

/** What a tree node is; the code is what the store persists. */
public enum NodeType {
    DIRECTORY(1, 0040000),
    FILE(2, 0100000),
    SYMLINK(3, 0120000);

    final int code;
    private final int modeBits;

    NodeType(int code, int modeBits) {
        this.code = code;
        this.modeBits = modeBits;
    }

    /** The S_IFMT bits of stat's st_mode. */
    public int modeBits() {
        return modeBits;
    }

    static NodeType ofCode(int code) {
        for (NodeType type : values()) {
            if (type.code == code) {
                return type;
            }
        }
        throw new StoreException("unknown node type " + code + " in the store index: the index is corrupt");
    }
}
