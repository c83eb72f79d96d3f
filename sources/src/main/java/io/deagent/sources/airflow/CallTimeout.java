package io.deagent.sources.airflow;

import io.deagent.core.investigate.Budget;
import io.deagent.sources.SourceException;
import java.time.Duration;
import java.util.Locale;

/** How long calls may wait: what is left of the budget, never past its deadline. */
final class CallTimeout {

    private static final Duration MAX_RESERVE = Duration.ofMillis(100);

    private CallTimeout() {}

    /**
     * The budget with its deadline moved a little earlier (a tenth of what is left, at most 100 ms). The
     * collector stops waiting at the deadline itself, so a call cut exactly there would leave no time to hand
     * back the evidence; and {@code Retry} sees the earlier deadline too, so it never starts a retry in the
     * reserve.
     */
    static Budget reserving(Budget budget) {
        Duration tenth = budget.remaining().dividedBy(10);
        Duration reserve = tenth.compareTo(MAX_RESERVE) < 0 ? tenth : MAX_RESERVE;
        return new Budget(budget.deadline().minus(reserve), budget.maxBytes(), budget.clock());
    }

    /** @throws SourceException.TimedOut when no time is left for {@code what} */
    static Duration of(Budget budget, String what) {
        Duration left = budget.remaining();
        if (left.toMillis() < 1) {
            throw new SourceException.TimedOut(what + ": no time left before the deadline");
        }
        return left;
    }

    static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }
}
