package io.deagent.core.investigate;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/** How long and how much a source may spend: an absolute deadline, a byte cap, and the clock to read. */
public record Budget(Instant deadline, long maxBytes, Clock clock) {

    public Duration remaining() {
        Duration left = Duration.between(clock.instant(), deadline);
        return left.isNegative() ? Duration.ZERO : left;
    }

    /** The smaller of what is left and a per-source limit. */
    public Duration remainingOr(Duration perSource) {
        Duration left = remaining();
        return left.compareTo(perSource) < 0 ? left : perSource;
    }
}
