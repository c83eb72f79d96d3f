package io.deagent.sources.redshift;

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
import software.amazon.awssdk.services.redshiftdata.RedshiftDataClient;

/**
 * The edge between the Data API and the SDK: builds the client, bounds every call by the budget and maps the
 * SDK's exceptions once into {@link SourceException}. (The same mapping as the CloudWatch package's, kept apart
 * so each package stands alone; the error codes differ.)
 */
final class DataApiCalls {

    private static final Set<String> THROTTLING = Set.of(
            "ThrottlingException",
            "Throttling",
            "TooManyRequestsException",
            // more than the allowed running statements or sessions: clears as they finish
            "ActiveStatementsExceededException",
            "ActiveSessionsExceededException");

    private static final Set<String> UNAUTHORIZED = Set.of(
            "UnrecognizedClientException",
            "InvalidSignatureException",
            "IncompleteSignatureException",
            "ExpiredTokenException",
            "InvalidClientTokenId",
            "MissingAuthenticationTokenException");

    private DataApiCalls() {}

    static RedshiftDataClient client(RedshiftSettings settings) {
        return client(settings, DefaultCredentialsProvider.builder().build());
    }

    /** SDK retries are off: {@link Retry#call} retries within the investigation's deadline instead. */
    static RedshiftDataClient client(RedshiftSettings settings, AwsCredentialsProvider credentials) {
        var builder = RedshiftDataClient.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .region(Region.of(settings.region()))
                .credentialsProvider(credentials)
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()));
        settings.endpoint().ifPresent(builder::endpointOverride);
        return builder.build();
    }

    /** One SDK call with the time left as its timeout, retried while retriable and the budget lasts. */
    static <T> T call(Budget budget, String what, Function<AwsRequestOverrideConfiguration, T> call) {
        return Retry.call(budget, () -> once(budget, what, call));
    }

    static <T> T once(Budget budget, String what, Function<AwsRequestOverrideConfiguration, T> call) {
        Duration left = budget.remaining();
        if (left.isZero()) {
            throw new SourceException.TimedOut(what + ": no time left in the budget");
        }
        try {
            return call.apply(AwsRequestOverrideConfiguration.builder()
                    .apiCallTimeout(left)
                    .build());
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
            String code =
                    s.awsErrorDetails() == null ? null : s.awsErrorDetails().errorCode();
            String message =
                    s.awsErrorDetails() == null ? null : s.awsErrorDetails().errorMessage();
            String text = what + ": " + (code == null ? "" : code + " ") + (message == null ? "" : message) + " (HTTP "
                    + s.statusCode() + ")";
            if (s.isThrottlingException() || (code != null && THROTTLING.contains(code))) {
                return new SourceException.Throttled(text, Optional.empty());
            }
            if ("AccessDeniedException".equals(code) || s.statusCode() == 403) {
                return new SourceException.Forbidden(text);
            }
            if ((code != null && UNAUTHORIZED.contains(code)) || s.statusCode() == 401) {
                return new SourceException.Unauthorized(text);
            }
            if ("ResourceNotFoundException".equals(code)) {
                return new SourceException.NotFound(text);
            }
            // DatabaseConnectionException, ExecuteStatementException, InternalServerException: 5xx, transient
            if (s.statusCode() >= 500) {
                return new SourceException.Unavailable(text);
            }
            return new SourceException.BadRequest(text);
        }
        String text = what + ": " + e.getMessage();
        return ioCause(e) ? new SourceException.Unavailable(text) : new SourceException.BadRequest(text);
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
