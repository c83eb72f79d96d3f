package io.deagent.publish.notify;

/**
 * One way of telling people (e-mail, PagerDuty, Jira). Each is off until configured; {@code doctor} asks
 * {@link #check()}.
 */
public interface Notifier {

    /** {@code email}, {@code pagerduty}, {@code jira}: also the outbox channel of its messages. */
    String name();

    /** Sends the notice; returns a reference people can follow (message id, dedup key, issue key). */
    String send(Notice notice) throws NotifyException;

    /** A cheap check that the configuration works, for {@code doctor}; returns what it found. */
    String check() throws NotifyException;

    /** A send that failed: {@code retriable} when trying later may help, else what to fix. */
    final class NotifyException extends Exception {
        private final boolean retriable;

        public NotifyException(String message, boolean retriable, Throwable cause) {
            super(message, cause);
            this.retriable = retriable;
        }

        public boolean retriable() {
            return retriable;
        }
    }
}
