package io.deagent.app.serve;

import io.deagent.app.store.IncidentStore;
import io.deagent.core.FailureEvent;
import io.deagent.core.FailureEvents;
import io.deagent.runtime.EventJson;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable intake shared by the queue doors (SQS, Kafka): a message is a failure event JSON (CONTRACT.md),
 * recorded in the incident store with its text redacted and deduplicated on the same key as the webhook's,
 * before the door acknowledges it (deletes the SQS message, commits the Kafka offset).
 */
class QueuedEvents {

    private static final Logger log = LoggerFactory.getLogger(QueuedEvents.class);

    /** What became of one message. */
    enum Outcome {
        ACCEPTED,
        DUPLICATE,
        /** Not a failure event: it never will be, so it is acknowledged and dropped (and logged). */
        INVALID
    }

    private final IncidentStore store;
    private final Runnable wake;
    private final ServiceMetrics metrics;
    private final Clock clock;

    QueuedEvents(IncidentStore store, Runnable wake, ServiceMetrics metrics, Clock clock) {
        this.store = store;
        this.wake = wake;
        this.metrics = metrics;
        this.clock = clock;
    }

    /**
     * Records one message; the door may acknowledge it once this returns.
     *
     * @throws RuntimeException when the store cannot record it: the door must not acknowledge it
     */
    Outcome accept(byte[] body, FailureEvent.Origin origin, String where) {
        String door = origin.name().toLowerCase(java.util.Locale.ROOT);
        String redacted;
        FailureEvent event;
        try {
            redacted = EventJson.redacted(body);
            event = FailureEvents.parse(redacted, origin);
        } catch (FailureEvents.InvalidEventException e) {
            metrics.intake(door, "invalid");
            log.warn("{} message {} is not a failure event and is dropped: {}", door, where, e.getMessage());
            return Outcome.INVALID;
        }
        IncidentStore.Accepted accepted = store.accept(event, redacted, clock.instant());
        if (accepted.duplicate()) {
            metrics.intake(door, "duplicate");
            log.info("{} message {} is a duplicate of incident {}", door, where, accepted.id());
            return Outcome.DUPLICATE;
        }
        metrics.intake(door, "accepted");
        log.info("{} message {} is incident {} ({}.{})", door, where, accepted.id(), event.dagId(), event.taskId());
        wake.run();
        return Outcome.ACCEPTED;
    }
}
