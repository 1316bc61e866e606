package dev.thawfs.config;

import java.net.URI;
import java.time.Duration;

/**
 * How to reach S3 or an S3-compatible store.
 *
 * @param endpoint null for AWS itself; an S3-compatible store's URL otherwise
 * @param region the signing region ("us-east-1" when the store does not care)
 * @param profile a named profile of the AWS config files, or null for the default chain
 * @param accessKey static credentials (with {@code secretKey}), or null for the chain/profile
 * @param pathStyle bucket in the path rather than the host name (most S3-compatible stores)
 * @param requestTimeout per HTTP request, first byte to last
 */
public record S3Settings(URI endpoint, String region, String profile, String accessKey, String secretKey,
        boolean pathStyle, Duration requestTimeout) {

    public static S3Settings defaults() {
        return new S3Settings(null, "us-east-1", null, null, null, false, Duration.ofSeconds(30));
    }

    public S3Settings withEndpoint(URI uri, boolean pathStyleAccess) {
        return new S3Settings(uri, region, profile, accessKey, secretKey, pathStyleAccess, requestTimeout);
    }

    public S3Settings withCredentials(String access, String secret) {
        return new S3Settings(endpoint, region, profile, access, secret, pathStyle, requestTimeout);
    }

    /** The secret never appears in logs or messages. */
    @Override
    public String toString() {
        return "S3Settings[endpoint=" + endpoint + ", region=" + region + ", profile=" + profile + ", accessKey="
                + (accessKey == null ? null : "***") + ", pathStyle=" + pathStyle + ", requestTimeout=" + requestTimeout
                + "]";
    }
}
