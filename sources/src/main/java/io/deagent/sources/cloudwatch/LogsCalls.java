package io.deagent.sources.cloudwatch;

import io.deagent.core.investigate.Budget;
import io.deagent.sources.Retry;
import io.deagent.sources.SourceException;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;

/**
 * The edge between the CloudWatch sources and the SDK: builds the client, bounds every call by the budget and
 * maps the SDK's exceptions once into {@link SourceException}.
 */
final class LogsCalls {

    /** Codes AWS uses for "slow down" besides the ones the SDK already knows as throttling. */
    private static final Set<String> THROTTLING = Set.of(
            "ThrottlingException",
            "Throttling",
            "TooManyRequestsException",
            "RequestLimitExceeded",
            // StartQuery: more than 30 concurrent Logs Insights queries in the account; it clears by waiting
            "LimitExceededException");

    private static final Set<String> UNAUTHORIZED = Set.of(
            "UnrecognizedClientException",
            "InvalidSignatureException",
            "IncompleteSignatureException",
            "ExpiredTokenException",
            "InvalidClientTokenId",
            "MissingAuthenticationTokenException");

    private LogsCalls() {}

    /** The production client: default credential chain, the JDK HTTP client, and no SDK retries. */
    static CloudWatchLogsClient client(CloudWatchSettings settings) {
        return client(settings, DefaultCredentialsProvider.builder().build());
    }

    /**
     * SDK retries are off because {@link Retry#call} retries within the investigation's deadline; two retry
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

    /**
     * Runs one SDK call with the time left as its timeout, retrying what is retriable while the budget lasts.
     *
     * @param what names the request for error messages: operation and parameters, never credentials
     */
    static <T> T call(Budget budget, String what, Function<AwsRequestOverrideConfiguration, T> call) {
        return Retry.call(budget, () -> once(budget, what, call));
    }

    static <T> T once(Budget budget, String what, Function<AwsRequestOverrideConfiguration, T> call) {
        Duration left = budget.remaining();
        if (left.isZero()) {
            throw new SourceException.TimedOut(what + ": no time left in the budget");
        }
        AwsRequestOverrideConfiguration timeout =
                AwsRequestOverrideConfiguration.builder().apiCallTimeout(left).build();
        try {
            return call.apply(timeout);
        } catch (SdkException e) {
            throw map(e, what);
        }
    }

    static SourceException map(SdkException e, String what) {
        if (e instanceof ApiCallTimeoutException
                || e instanceof ApiCallAttemptTimeoutException
                || e instanceof AbortedException) {
            return new SourceException.TimedOut(what + ": no answer before the deadline");
        }
        if (e instanceof AwsServiceException s) {
            return mapService(s, what);
        }
        String text = what + ": " + e.getMessage();
        return ioCause(e) ? new SourceException.Unavailable(text) : new SourceException.BadRequest(text);
    }

    private static SourceException mapService(AwsServiceException s, String what) {
        String code = s.awsErrorDetails() == null ? null : s.awsErrorDetails().errorCode();
        String message =
                s.awsErrorDetails() == null ? null : s.awsErrorDetails().errorMessage();
        String text = what + ": " + (code == null ? "" : code + " ") + (message == null ? "" : message) + " (HTTP "
                + s.statusCode() + ")";
        if (s.isThrottlingException() || (code != null && THROTTLING.contains(code))) {
            return new SourceException.Throttled(text, Optional.empty());
        }
        if ("AccessDeniedException".equals(code) || "AccessDenied".equals(code) || s.statusCode() == 403) {
            return new SourceException.Forbidden(text);
        }
        if ((code != null && UNAUTHORIZED.contains(code)) || s.statusCode() == 401) {
            return new SourceException.Unauthorized(text);
        }
        if ("ResourceNotFoundException".equals(code)) {
            return new SourceException.NotFound(text);
        }
        if (s.statusCode() >= 500 || "ServiceUnavailableException".equals(code)) {
            return new SourceException.Unavailable(text);
        }
        return new SourceException.BadRequest(text);
    }

    /** For permission messages; the account is not known here, so it is a wildcard. */
    static String logGroupArn(String region, String group) {
        String partition = region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
        return "arn:" + partition + ":logs:" + region + ":*:log-group:" + group + ":*";
    }

    private static boolean ioCause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof IOException) {
                return true;
            }
        }
        return false;
    }
}
