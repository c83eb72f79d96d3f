package io.deagent.sources;

import io.deagent.core.investigate.Budget;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * Retries a call while it fails with a retriable {@link SourceException} and the budget has time left:
 * exponential backoff with full jitter (base 200 ms, capped at 5 s), or the server's Retry-After when it
 * gave one. Written here rather than taken from a library because the stop condition is the investigation's
 * deadline, not a count.
 */
public final class Retry {

    static final Duration BASE = Duration.ofMillis(200);
    static final Duration CAP = Duration.ofSeconds(5);

    private Retry() {}

    public static <T> T call(Budget budget, Supplier<T> call) {
        for (int attempt = 0; ; attempt++) {
            try {
                return call.get();
            } catch (SourceException e) {
                if (!e.retriable()) {
                    throw e;
                }
                int tried = attempt;
                Duration wait = e.retryAfter().orElseGet(() -> jitter(tried));
                if (wait.compareTo(budget.remaining()) >= 0) {
                    throw e;
                }
                sleep(wait);
            }
        }
    }

    static Duration jitter(int attempt) {
        long cap = Math.min(CAP.toMillis(), BASE.toMillis() << Math.min(attempt, 10));
        return Duration.ofMillis(ThreadLocalRandom.current().nextLong(cap + 1));
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SourceException.TimedOut("interrupted while waiting to retry");
        }
    }
}
