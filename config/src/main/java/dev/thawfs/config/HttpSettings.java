package dev.thawfs.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How to reach HTTP(S) sources.
 *
 * @param listing how a prefix source's tree is found
 * @param negativeTtl with {@link HttpListing#NONE}, how long a name the server does not have is taken as missing
 * @param requestTimeout connecting, and the longest wait for the next bytes of an answer
 * @param wholeObjectLimit the largest object read whole when its server ignores Range requests
 * @param bearer a bearer token for the Authorization header, or null
 * @param user with {@code password}, Basic authorization, or null
 * @param netrc a netrc file whose entry for the source's host gives the user and password, or null
 */
public record HttpSettings(HttpListing listing, Duration negativeTtl, Duration requestTimeout, long wholeObjectLimit, String bearer,
        String user, String password, Path netrc) {

    public static HttpSettings defaults() {
        return new HttpSettings(HttpListing.INDEX, Duration.ofSeconds(60), Duration.ofSeconds(30), 64L << 20, null, null, null, null);
    }

    public HttpSettings withCredentials(String token, String basicUser, String basicPassword, Path netrcFile) {
        return new HttpSettings(listing, negativeTtl, requestTimeout, wholeObjectLimit, token, basicUser, basicPassword, netrcFile);
    }

    public HttpSettings withWholeObjectLimit(long limit) {
        return new HttpSettings(listing, negativeTtl, requestTimeout, limit, bearer, user, password, netrc);
    }

    public HttpSettings withListing(HttpListing mode, Duration missingFor) {
        return new HttpSettings(mode, missingFor, requestTimeout, wholeObjectLimit, bearer, user, password, netrc);
    }

    public HttpSettings withRequestTimeout(Duration timeout) {
        return new HttpSettings(listing, negativeTtl, timeout, wholeObjectLimit, bearer, user, password, netrc);
    }

    /** The secrets never appear in logs or messages. */
    @Override
    public String toString() {
        return "HttpSettings[listing=" + listing + ", negativeTtl=" + negativeTtl + ", requestTimeout=" + requestTimeout + ", wholeObjectLimit="
                + wholeObjectLimit + ", bearer=" + (bearer == null ? null : "***") + ", user=" + user
                + ", password=" + (password == null ? null : "***") + ", netrc=" + netrc + "]";
    }
}
