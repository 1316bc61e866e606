package dev.thawfs.testkit;

import dev.thawfs.config.S3Settings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.blobstore.BlobStore;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** A real S3 server (S3Proxy over a directory) on 127.0.0.1, and a client to fill it. */
public final class S3ProxyServer implements AutoCloseable {
    public static final String IDENTITY = "test";
    public static final String CREDENTIAL = "test-secret";

    private final S3Proxy proxy;
    public final URI endpoint;
    private final S3Client client;

    public S3ProxyServer(Path directory) throws Exception {
        Properties properties = new Properties();
        properties.setProperty("jclouds.filesystem.basedir", directory.toString());
        BlobStore store = BlobStores.create("filesystem", properties);
        proxy = S3Proxy.builder().blobStore(store).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, IDENTITY, CREDENTIAL).stopTimeout(0).build();
        proxy.start();
        while (!"STARTED".equals(proxy.getState())) {
            Thread.sleep(5);
        }
        endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
        client = S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(IDENTITY, CREDENTIAL)))
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }

    public S3Settings settings() {
        return new S3Settings(endpoint, "us-east-1", null, IDENTITY, CREDENTIAL, true, Duration.ofSeconds(10));
    }

    public void put(String bucket, String key, byte[] data) {
        client.putObject(r -> r.bucket(bucket).key(key), RequestBody.fromBytes(data));
    }

    public void createBucket(String bucket) {
        client.createBucket(r -> r.bucket(bucket));
    }

    @Override
    public void close() throws Exception {
        client.close();
        proxy.stop();
    }
}
