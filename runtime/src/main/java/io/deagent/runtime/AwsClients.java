package io.deagent.runtime;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.client.builder.SdkSyncClientBuilder;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;

/**
 * How every AWS client of the doors is built: {@code AWS_REGION}, the endpoint (LocalStack, a fake), the default
 * credential chain, and the JDK's HTTP client (no Apache or Netty client, which would add weight and start-up
 * time to the Lambda artifact). Building a client makes no network call.
 *
 * <p>The endpoint follows the AWS SDKs' convention: {@code AWS_ENDPOINT_URL_<SERVICE>} (e.g. {@code
 * AWS_ENDPOINT_URL_DYNAMODB}, {@code AWS_ENDPOINT_URL_SQS}, {@code AWS_ENDPOINT_URL_SECRETS_MANAGER}) for one
 * service, else {@code AWS_ENDPOINT_URL} for all.
 */
public final class AwsClients {

    private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d");

    private AwsClients() {}

    /**
     * Sets region, endpoint, credentials and HTTP client on {@code builder}.
     *
     * @param purpose what the client is for, for the error message ("Secrets Manager (DE_AGENT_SECRETS)")
     * @param service the service's key in {@code AWS_ENDPOINT_URL_<SERVICE>}, e.g. {@code SQS}
     * @throws ConfigException when AWS_REGION is missing or malformed, or an endpoint is not a URL
     */
    public static <B extends AwsClientBuilder<B, ?> & SdkSyncClientBuilder<B, ?>> B configure(
            B builder, Config config, String purpose, String service) {
        builder.region(Region.of(region(config, purpose)))
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(3))
                        .socketTimeout(Duration.ofSeconds(30))
                        .build());
        endpoint(config, service).ifPresent(builder::endpointOverride);
        return builder;
    }

    /** {@code AWS_REGION}, required. */
    public static String region(Config config, String purpose) {
        String region = config.get("AWS_REGION")
                .orElseThrow(() -> new ConfigException(purpose + " needs AWS_REGION, e.g. us-east-1"));
        if (!REGION.matcher(region).matches()) {
            throw new ConfigException("AWS_REGION must be a region name such as us-east-1, got: " + region);
        }
        return region;
    }

    /** {@code AWS_ENDPOINT_URL_<SERVICE>}, else {@code AWS_ENDPOINT_URL}: where the client goes instead of AWS. */
    public static Optional<URI> endpoint(Config config, String service) {
        String specific = "AWS_ENDPOINT_URL_" + service;
        String name = config.get(specific).isPresent() ? specific : "AWS_ENDPOINT_URL";
        return config.get(name).map(u -> {
            URI uri;
            try {
                uri = URI.create(u);
            } catch (IllegalArgumentException e) {
                uri = null;
            }
            if (uri == null
                    || uri.getHost() == null
                    || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
                throw new ConfigException(name + " must be an http(s) URL such as http://localhost:4566, got: " + u);
            }
            return uri;
        });
    }
}
