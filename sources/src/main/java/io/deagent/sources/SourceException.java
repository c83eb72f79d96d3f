package io.deagent.sources;

import java.time.Duration;
import java.util.Optional;

/**
 * A failed call to a remote system, mapped once at the edge of a source into what the caller needs to
 * decide: retry (throttled, unavailable, timed out) or not (unauthorized, forbidden, not found, bad request).
 * The message names what was asked and what the remote system said.
 */
public sealed class SourceException extends RuntimeException {

    private final boolean retriable;
    private final Optional<Duration> retryAfter;

    SourceException(String message, boolean retriable, Optional<Duration> retryAfter) {
        super(message);
        this.retriable = retriable;
        this.retryAfter = retryAfter;
    }

    public boolean retriable() {
        return retriable;
    }

    public Optional<Duration> retryAfter() {
        return retryAfter;
    }

    /** 401, expired or wrong credentials. */
    public static final class Unauthorized extends SourceException {
        public Unauthorized(String message) {
            super(message, false, Optional.empty());
        }
    }

    /** 403, missing permission. */
    public static final class Forbidden extends SourceException {
        public Forbidden(String message) {
            super(message, false, Optional.empty());
        }
    }

    /** 404: the run, task, log, application or table does not exist (yet). */
    public static final class NotFound extends SourceException {
        public NotFound(String message) {
            super(message, false, Optional.empty());
        }
    }

    /** Any other 4xx: our request is wrong; retrying will not help. */
    public static final class BadRequest extends SourceException {
        public BadRequest(String message) {
            super(message, false, Optional.empty());
        }
    }

    /** 429 or a throttling error code, with the server's wait when it gave one. */
    public static final class Throttled extends SourceException {
        public Throttled(String message, Optional<Duration> retryAfter) {
            super(message, true, retryAfter);
        }
    }

    /** 5xx, connection refused or reset, DNS: worth another try. */
    public static final class Unavailable extends SourceException {
        public Unavailable(String message) {
            super(message, true, Optional.empty());
        }
    }

    /** No answer in time. */
    public static final class TimedOut extends SourceException {
        public TimedOut(String message) {
            super(message, true, Optional.empty());
        }
    }

    /** Maps an HTTP status to the right kind; {@code what} names the request (method and URL, no secrets). */
    public static SourceException forStatus(int status, String what, String detail, Optional<Duration> retryAfter) {
        String message = what + ": HTTP " + status + (detail == null || detail.isBlank() ? "" : " " + detail);
        return switch (status) {
            case 401 -> new Unauthorized(message);
            case 403 -> new Forbidden(message);
            case 404 -> new NotFound(message);
            case 408 -> new TimedOut(message);
            case 429 -> new Throttled(message, retryAfter);
            default -> status >= 500 ? new Unavailable(message) : new BadRequest(message);
        };
    }
}
