package dev.thawfs.fetcher;

import java.net.http.HttpHeaders;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * An HTTP object's version as an {@link ObjectInfo#identity()}: its strong ETag (quoted, as S3's),
 * else its Last-Modified date, else only its size; and the request preconditions and answer checks
 * that pin reads to it.
 */
final class HttpVersions {
    private static final String LAST_MODIFIED = "last-modified:";
    private static final String SIZE_ONLY = "size:";

    private HttpVersions() {
    }

    /**
     * The version an answer describes; a weak ETag ({@code W/"..."}) is passed over, as If-Match
     * and If-Range compare strongly.
     */
    static String identity(HttpHeaders headers, long size) {
        Optional<String> modified = headers.firstValue("Last-Modified");
        return headers.firstValue("ETag").filter(etag -> etag.startsWith("\""))
                .orElseGet(() -> modified.map(date -> LAST_MODIFIED + date).orElse(SIZE_ONLY + size));
    }

    /** Whether a changed object of the same size can be told apart from this version. */
    static boolean canPin(String identity) {
        return !identity.startsWith(SIZE_ONLY);
    }

    /** The version's preconditions: on its ETag, else on its Last-Modified date. */
    static String[] conditions(String identity) {
        if (identity.startsWith("\"")) {
            return new String[] {"If-Match", identity, "If-Range", identity};
        }
        if (identity.startsWith(LAST_MODIFIED)) {
            String date = identity.substring(LAST_MODIFIED.length());
            return new String[] {"If-Unmodified-Since", date, "If-Range", date};
        }
        return new String[0];
    }

    /**
     * Whether an answer's validators and the object's full size ({@code total}) are the pinned
     * version's: checked again, as a proxy on the way may not honour the preconditions.
     */
    static boolean same(ObjectInfo object, HttpHeaders headers, long total) {
        String identity = object.identity();
        if (identity.startsWith("\"")) {
            Optional<String> etag = headers.firstValue("ETag");
            if (etag.isPresent() && !etag.get().equals(identity)) {
                return false;
            }
        } else if (identity.startsWith(LAST_MODIFIED)) {
            Optional<String> modified = headers.firstValue("Last-Modified");
            if (modified.isPresent() && !(LAST_MODIFIED + modified.get()).equals(identity)) {
                return false;
            }
        }
        return total == object.size();
    }

    /** Last-Modified in milliseconds since the epoch; 0 when there is none or it is no HTTP date. */
    static long modifiedMillis(HttpHeaders headers) {
        try {
            return headers.firstValue("Last-Modified").map(date -> ZonedDateTime.parse(date,
                    DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli()).orElse(0L);
        } catch (DateTimeParseException e) {
            return 0;
        }
    }
}
