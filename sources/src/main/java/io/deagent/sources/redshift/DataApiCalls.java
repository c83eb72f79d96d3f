package io.deagent.sources.redshift;

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
import software.amazon.awssdk.services.redshiftdata.RedshiftDataClient;

/**
 * The edge between the Data API and the SDK: builds the client, bounds every call by the budget and maps the
 * SDK's exceptions once into {@link SourceException}. (The same mapping as the CloudWatch package's, kept apart
 * so each package stands alone; the error codes differ.)
 */
final class DataApiCalls {

    private DataApiCalls() {}

    static RedshiftDataClient client(RedshiftSettings settings) {
        return client(settings, DefaultCredentialsProvider.builder().build());
    }

    /** SDK retries are off: {@link io.deagent.sources.Retry#call} retries within the investigation's deadline instead. */
    static RedshiftDataClient client(RedshiftSettings settings, AwsCredentialsProvider credentials) {
        var builder = RedshiftDataClient.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .region(Region.of(settings.region()))
                .credentialsProvider(credentials)
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()));
        settings.endpoint().ifPresent(builder::endpointOverride);
        return builder.build();
    }

    private static final AwsCalls AWS = new AwsCalls(Set.of(
            // more than the allowed running statements or sessions: clears as they finish
            "ActiveStatementsExceededException", "ActiveSessionsExceededException"));

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
}
