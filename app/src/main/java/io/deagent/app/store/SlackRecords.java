package io.deagent.app.store;

import static io.deagent.app.store.IncidentStore.ts;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * What the Slack door must remember across replicas and restarts: which Events API deliveries it has
 * handled, which incident each alert thread belongs to, and the feedback reactions.
 */
public final class SlackRecords {

    private final Jdbi jdbi;

    public SlackRecords(Database db) {
        this.jdbi = db.jdbi();
    }

    /** Whether a delivery with this {@code event_id} was handled already. */
    public boolean handled(String eventId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM slack_events WHERE event_id = :id")
                        .bind("id", eventId)
                        .mapTo(Long.class)
                        .one())
                > 0;
    }

    /** True the first time an {@code event_id} is seen; Slack's retries and replays answer false. */
    public boolean firstDelivery(String eventId, Instant now) {
        try {
            jdbi.useHandle(h -> h.createUpdate("INSERT INTO slack_events (event_id, received_at) VALUES (:id, :now)")
                    .bind("id", eventId)
                    .bind("now", ts(now))
                    .execute());
            return true;
        } catch (UnableToExecuteStatementException e) {
            if (IncidentStore.isUniqueViolation(e)) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Ties an alert message {@code (channel, ts)} to its incident. Returns the incident the thread already
     * belongs to when it was tied before (the same alert delivered twice).
     */
    public long linkThread(String channel, String ts, long incidentId, Instant now) {
        try {
            jdbi.useHandle(h -> h.createUpdate("""
                            INSERT INTO slack_threads (channel, ts, incident_id, created_at)
                            VALUES (:c, :ts, :id, :now)
                            """)
                    .bind("c", channel)
                    .bind("ts", ts)
                    .bind("id", incidentId)
                    .bind("now", ts(now))
                    .execute());
            return incidentId;
        } catch (UnableToExecuteStatementException e) {
            if (IncidentStore.isUniqueViolation(e)) {
                return incidentOfThread(channel, ts).orElse(incidentId);
            }
            throw e;
        }
    }

    public Optional<Long> incidentOfThread(String channel, String ts) {
        return jdbi.withHandle(
                h -> h.createQuery("SELECT incident_id FROM slack_threads WHERE channel = :c AND ts = :ts")
                        .bind("c", channel)
                        .bind("ts", ts)
                        .mapTo(Long.class)
                        .findOne());
    }

    /** A verdict from a reaction; the same person giving the same reaction twice counts once. */
    public boolean recordFeedback(
            long incidentId,
            String userId,
            String reaction,
            String verdict,
            Optional<String> category,
            Optional<String> signature,
            Instant now) {
        try {
            jdbi.useHandle(h -> h.createUpdate("""
                            INSERT INTO feedback (incident_id, user_id, reaction, verdict, category, signature,
                                created_at)
                            VALUES (:id, :user, :reaction, :verdict, :category, :signature, :now)
                            """)
                    .bind("id", incidentId)
                    .bind("user", userId)
                    .bind("reaction", reaction)
                    .bind("verdict", verdict)
                    .bind("category", category.orElse(null))
                    .bind("signature", signature.orElse(null))
                    .bind("now", ts(now))
                    .execute());
            return true;
        } catch (UnableToExecuteStatementException e) {
            if (IncidentStore.isUniqueViolation(e)) {
                return false;
            }
            throw e;
        }
    }

    /** Verdicts counted by one key. */
    public record Tally(String key, long correct, long wrong) {}

    /** Verdicts per category ({@code by = "category"}) or per signature ({@code by = "signature"}). */
    public List<Tally> feedback(String by) {
        String column = by.equals("signature") ? "signature" : "category";
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT COALESCE(%1$s, 'unknown') AS k,
                            SUM(CASE WHEN verdict = 'correct' THEN 1 ELSE 0 END) AS correct,
                            SUM(CASE WHEN verdict = 'wrong' THEN 1 ELSE 0 END) AS wrong
                        FROM feedback GROUP BY COALESCE(%1$s, 'unknown') ORDER BY k
                        """.formatted(column))
                .map((rs, ctx) -> new Tally(rs.getString(1), rs.getLong(2), rs.getLong(3)))
                .list());
    }

    /** Verdicts on one incident. */
    public Tally feedbackOn(long incidentId) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT SUM(CASE WHEN verdict = 'correct' THEN 1 ELSE 0 END),
                            SUM(CASE WHEN verdict = 'wrong' THEN 1 ELSE 0 END)
                        FROM feedback WHERE incident_id = :id
                        """)
                .bind("id", incidentId)
                .map((rs, ctx) -> new Tally(String.valueOf(incidentId), rs.getLong(1), rs.getLong(2)))
                .one());
    }

    /** The alert threads an incident answers in, as (channel, thread ts), oldest first. */
    public List<String[]> threadsOf(long incidentId) {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT channel, ts FROM slack_threads WHERE incident_id = :id ORDER BY created_at, ts")
                .bind("id", incidentId)
                .map((rs, ctx) -> new String[] {rs.getString(1), rs.getString(2)})
                .list());
    }
}
