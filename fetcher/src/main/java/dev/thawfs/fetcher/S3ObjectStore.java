package dev.thawfs.fetcher;

import dev.thawfs.config.S3Settings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * An S3 bucket (or an S3-compatible store) as an object store. The SDK's own retries are off:
 * {@link RangeReader} retries, resuming a broken body where it stopped.
 */
public final class S3ObjectStore implements ObjectStore {
    private final S3Client s3;
    private final String bucket;

    public S3ObjectStore(S3Settings settings, String bucket) {
        this.bucket = bucket;
        var builder = S3Client.builder()
                .region(Region.of(settings.region()))
                .forcePathStyle(settings.pathStyle())
                .credentialsProvider(credentials(settings))
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(settings.requestTimeout())
                        .socketTimeout(settings.requestTimeout()))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())
                        .apiCallAttemptTimeout(settings.requestTimeout()));
        if (settings.endpoint() != null) {
            builder.endpointOverride(settings.endpoint());
        }
        this.s3 = builder.build();
    }

    /** Static keys when given, else a named profile, else the default chain. */
    private static AwsCredentialsProvider credentials(S3Settings settings) {
        if (settings.accessKey() != null) {
            return StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKey(), settings.secretKey()));
        }
        if (settings.profile() != null) {
            return ProfileCredentialsProvider.create(settings.profile());
        }
        return DefaultCredentialsProvider.builder().build();
    }

    @Override
    public String uri(String key) {
        return "s3://" + bucket + "/" + key;
    }

    @Override
    public ObjectInfo stat(String key) throws IOException {
        try {
            HeadObjectResponse head = s3.headObject(r -> r.bucket(bucket).key(key));
            return new ObjectInfo(key, head.contentLength(), head.eTag(), head.lastModified().toEpochMilli());
        } catch (S3Exception | SdkClientException e) {
            throw failure(key, e);
        }
    }

    @Override
    public InputStream read(ObjectInfo object, long offset, long length) throws IOException {
        if (length == 0) {
            return InputStream.nullInputStream();
        }
        try {
            return s3.getObject(r -> r.bucket(bucket).key(object.key()).ifMatch(object.identity())
                    .range("bytes=" + offset + "-" + (offset + length - 1)));
        } catch (S3Exception e) {
            if (e.statusCode() == 412) {
                throw new ObjectChangedException(uri(object.key()), object.identity());
            }
            throw failure(object.key(), e);
        } catch (SdkClientException e) {
            throw failure(object.key(), e);
        }
    }

    @Override
    public Iterator<ObjectInfo> list(String prefix) throws IOException {
        Iterator<S3Object> pages;
        try {
            pages = s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(prefix)).contents().iterator();
        } catch (S3Exception | SdkClientException e) {
            throw failure(prefix, e);
        }
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                try {
                    return pages.hasNext();
                } catch (S3Exception | SdkClientException e) {
                    throw new UncheckedIOException(failure(prefix, e));
                }
            }

            @Override
            public ObjectInfo next() {
                S3Object object = pages.next();
                return new ObjectInfo(object.key(), object.size(), object.eTag(), object.lastModified().toEpochMilli());
            }
        };
    }

    @Override
    public void write(String key, byte[] content) throws IOException {
        try {
            s3.putObject(r -> r.bucket(bucket).key(key), software.amazon.awssdk.core.sync.RequestBody.fromBytes(content));
        } catch (S3Exception | SdkClientException e) {
            throw failure(key, e);
        }
    }

    /** 404 is final, 5xx, throttling and client-side (connection) errors are worth a retry. */
    private IOException failure(String key, RuntimeException e) {
        if (e instanceof S3Exception s3e) {
            int status = s3e.statusCode();
            if (status == 404) {
                return new NoSuchFileException(uri(key), null, "no such object");
            }
            if (status >= 500 || status == 429 || s3e.isThrottlingException()) {
                return new TransientFetchException(uri(key) + ": " + status + " " + s3e.awsErrorDetails().errorCode(), e);
            }
            return new IOException(uri(key) + ": " + status + " " + s3e.getMessage(), e);
        }
        return new TransientFetchException(uri(key) + ": " + e.getMessage(), e);
    }

    @Override
    public void close() {
        s3.close();
    }
}
