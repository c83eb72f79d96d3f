package io.deagent.sources.aws;

import io.deagent.core.investigate.Budget;
import io.deagent.sources.Retry;
import io.deagent.sources.SourceException;
import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The edge between a source and an AWS SDK client, shared by every AWS JSON service we call: each call is
 * bounded by what is left of the budget, retried while retriable, and its exceptions are mapped once into
 * {@link SourceException}. A service adds the error codes that mean "slow down" for it.
 */
public final class AwsCalls {

    private static final Set<String> THROTTLING =
            Set.of("ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded");

    private static final Set<String> UNAUTHORIZED = Set.of(
            "UnrecognizedClientException",
            "InvalidSignatureException",
            "IncompleteSignatureException",
            "ExpiredTokenException",
            "InvalidClientTokenId",
            "MissingAuthenticationTokenException");

    private final Set<String> throttling;

    /** @param moreThrottling the service's own codes for "too many at once", which clear by waiting */
    public AwsCalls(Set<String> moreThrottling) {
        Set<String> all = new HashSet<>(THROTTLING);
        all.addAll(moreThrottling);
        this.throttling = Set.copyOf(all);
    }

    /**
     * Runs one SDK call with the time left as its timeout, retrying what is retriable while the budget lasts.
     *
     * @param what names the request for error messages: operation and parameters, never credentials
     */
    public <T> T call(Budget budget, String what, Function<AwsRequestOverrideConfiguration, T> call) {
        return Retry.call(budget, () -> once(budget, what, call));
    }

    public <T> T once(Budget budget, String what, Function<AwsRequestOverrideConfiguration, T> call) {
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

    public SourceException map(SdkException e, String what) {
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

    private SourceException mapService(AwsServiceException s, String what) {
        String code = s.awsErrorDetails() == null ? null : s.awsErrorDetails().errorCode();
        String message =
                s.awsErrorDetails() == null ? null : s.awsErrorDetails().errorMessage();
        String text = what + ": " + (code == null ? "" : code + " ") + (message == null ? "" : message) + " (HTTP "
                + s.statusCode() + ")";
        if (s.isThrottlingException() || (code != null && throttling.contains(code))) {
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

    private static boolean ioCause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof IOException) {
                return true;
            }
        }
        return false;
    }
}
