package dev.thawfs.config;

/** How an {@code https://HOST/PREFIX/} source's tree is found. */
public enum HttpListing {
    /** Read the server's autoindex-style HTML pages (nginx, Apache, a PyPI simple index), recursively, at mount. */
    INDEX,
    /**
     * List nothing at mount: a name is looked up at the server when first asked for (a HEAD), and
     * what is found stays in the store's tree.
     */
    NONE
}
