package io.deagent.sources.cloudwatch;

import io.deagent.core.investigate.Budget;
import io.deagent.sources.SourceException;
import io.deagent.sources.aws.AwsCalls;
import java.util.Set;
import java.util.function.Function;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;

/**
 * The edge between the CloudWatch sources and the SDK: builds the client, bounds every call by the budget and
 * maps the SDK's exceptions once into {@link SourceException}.
 */
final class LogsCalls {

    private LogsCalls() {}

    /** The production client: default credential chain, the JDK HTTP client, and no SDK retries. */
    static CloudWatchLogsClient client(CloudWatchSettings settings) {
        return client(settings, DefaultCredentialsProvider.builder().build());
    }

    /**
     * SDK retries are off because {@link io.deagent.sources.Retry#call} retries within the investigation's deadline; two retry
     * loops would multiply each other's waits.
     */
    static CloudWatchLogsClient client(CloudWatchSettings settings, AwsCredentialsProvider credentials) {
        var builder = CloudWatchLogsClient.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .region(Region.of(settings.region()))
                .credentialsProvider(credentials)
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()));
        settings.endpoint().ifPresent(builder::endpointOverride);
        return builder.build();
    }

    private static final AwsCalls AWS = new AwsCalls(Set.of(
            // StartQuery: more than 30 concurrent Logs Insights queries in the account; it clears by waiting
            "LimitExceededException"));

    /** One SDK call bounded by the budget and retried while retriable (see {@link AwsCalls}). */
    static <T> T call(Budget budget, String what, Function<AwsRequestOverrideConfiguration, T> call) {
        return AWS.call(budget, what, call);
    }

    static <T> T once(Budget budget, String what, Function<AwsRequestOverrideConfiguration, T> call) {
        return AWS.once(budget, what, call);
    }

    static SourceException map(SdkException e, String what) {
        return AWS.map(e, what);
    }

    /** For permission messages; the account is not known here, so it is a wildcard. */
    static String logGroupArn(String region, String group) {
        String partition = region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
        return "arn:" + partition + ":logs:" + region + ":*:log-group:" + group + ":*";
    }
}
