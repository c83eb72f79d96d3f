package io.deagent.app.store;

import static io.deagent.app.store.IncidentStore.ts;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

/**
 * Replies waiting to be sent. A thread reply is one message per alert thread: posted once, then updated
 * in place as the incident moves on; its row remembers the message's {@code ts} and a version, so a send
 * that raced with a newer outcome is sent again and a crash between "posted" and "recorded" at worst
 * repeats an update, never a post. Rows are claimed with a lease, like incidents, so replicas share them.
 */
public final class Outbox {

    /** The channel of Slack messages; other channels (remediation, email, …) have their own senders. */
    public static final String SLACK = "slack";

    public static final String THREAD_REPLY = "thread_reply";
    public static final String TEXT = "text";
    /** A free question in a thread, answered by the LLM when the reply is sent (never in the ack path). */
    public static final String QUESTION = "question";

    private final Jdbi jdbi;

    public Outbox(Database db) {
        this.jdbi = db.jdbi();
    }

    /** A reply a sender holds: where it goes, what it is, and which version of the incident it shows. */
    public record Pending(
            long id,
            long incidentId,
            String channel,
            String target,
            String kind,
            String payload,
            int version,
            int attempts,
            Optional<String> messageTs) {}

    /**
     * Makes sure the incident answers in this thread (one row per incident and target, whoever asks and how
     * often). Returns true when the row is new.
     */
    public boolean ensureThreadReply(long incidentId, String channel, String target, Instant now) {
        return insert(incidentId, channel, target, THREAD_REPLY, "", now);
    }

    /** Queues a one-off message (a follow-up answer) with its rendered payload. */
    public boolean addText(long incidentId, String channel, String target, String payload, Instant now) {
        return insert(incidentId, channel, target, TEXT, payload, now);
    }

    /** Queues a free question, to be answered from the incident when it is sent. */
    public boolean addQuestion(long incidentId, String channel, String target, String question, Instant now) {
        return insert(incidentId, channel, target, QUESTION, question, now);
    }

    private boolean insert(long incidentId, String channel, String target, String kind, String payload, Instant now) {
        try {
            jdbi.useHandle(h -> h.createUpdate("""
                            INSERT INTO outbox (incident_id, channel, target, kind, payload, status, created_at,
                                next_attempt_at)
                            VALUES (:incident, :channel, :target, :kind, :payload, 'pending', :now, :now)
                            """)
                    .bind("incident", incidentId)
                    .bind("channel", channel)
                    .bind("target", target)
                    .bind("kind", kind)
                    .bind("payload", payload)
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
     * Queues a row inside the caller's transaction, once per (incident, channel, target): a second call adds
     * nothing (without a unique-key error, which would abort a PostgreSQL transaction).
     */
    public static void enqueue(
            Handle h, long incidentId, String channel, String target, String kind, String payload, Instant now) {
        h.createUpdate("""
                        INSERT INTO outbox (incident_id, channel, target, kind, payload, status, created_at,
                            next_attempt_at)
                        SELECT :incident, :channel, :target, :kind, :payload, 'pending', :now, :now
                        WHERE NOT EXISTS (SELECT 1 FROM outbox
                            WHERE incident_id = :incident AND channel = :channel AND target = :target)
                        """)
                .bind("incident", incidentId)
                .bind("channel", channel)
                .bind("target", target)
                .bind("kind", kind)
                .bind("payload", payload)
                .bind("now", ts(now))
                .execute();
    }

    /** The same in a transaction of its own. */
    public void enqueue(long incidentId, String channel, String target, String kind, String payload, Instant now) {
        jdbi.useTransaction(h -> enqueue(h, incidentId, channel, target, kind, payload, now));
    }

    /**
     * The incident's outcome changed: its thread replies are sent (updated) again, inside the outcome's
     * transaction. A reply waiting out a rate limit keeps waiting; one Slack refused for good stays refused.
     */
    static void outcomeChanged(Handle h, long incidentId, Instant now) {
        h.createUpdate("""
                        UPDATE outbox SET version = version + 1, status = 'pending',
                            next_attempt_at = CASE WHEN next_attempt_at > :now THEN next_attempt_at ELSE :now END
                        WHERE incident_id = :id AND kind = 'thread_reply' AND status <> 'failed'
                        """).bind("id", incidentId).bind("now", ts(now)).execute();
    }

    /** The incident changed outside an outcome (its fix): its thread replies are updated. */
    public void refreshThreadReplies(long incidentId, Instant now) {
        jdbi.useTransaction(h -> outcomeChanged(h, incidentId, now));
    }

    /** Takes up to {@code max} due Slack replies for {@code worker}, skipping rows another sender holds. */
    public List<Pending> claim(String worker, int max, Instant now, Duration lease) {
        return claim(worker, List.of(SLACK), max, now, lease);
    }

    /** Takes up to {@code max} due rows of these channels for {@code worker}. */
    public List<Pending> claim(String worker, List<String> channels, int max, Instant now, Duration lease) {
        return jdbi.inTransaction(TransactionIsolationLevel.READ_COMMITTED, h -> {
            List<Long> ids = h.createQuery("""
                            SELECT id FROM outbox
                            WHERE status = 'pending' AND next_attempt_at <= :now
                              AND (lease_until IS NULL OR lease_until < :now)
                              AND channel IN (<channels>)
                            ORDER BY id
                            LIMIT :max
                            FOR UPDATE SKIP LOCKED
                            """)
                    .bindList("channels", channels)
                    .bind("now", ts(now))
                    .bind("max", max)
                    .mapTo(Long.class)
                    .list();
            List<Pending> out = new ArrayList<>();
            for (long id : ids) {
                h.createUpdate("UPDATE outbox SET lease_owner = :w, lease_until = :until WHERE id = :id")
                        .bind("w", worker)
                        .bind("until", ts(now.plus(lease)))
                        .bind("id", id)
                        .execute();
                out.add(h.createQuery("""
                                SELECT id, incident_id, channel, target, kind, payload, version, attempts, message_ts
                                FROM outbox WHERE id = :id
                                """)
                        .bind("id", id)
                        .map((rs, ctx) -> new Pending(
                                rs.getLong(1),
                                rs.getLong(2),
                                rs.getString(3),
                                rs.getString(4),
                                rs.getString(5),
                                rs.getString(6),
                                rs.getInt(7),
                                rs.getInt(8),
                                Optional.ofNullable(rs.getString(9))))
                        .one());
            }
            return out;
        });
    }

    /**
     * Records a successful send of {@code sentVersion}. The row is done unless the incident moved on while
     * it was being sent; then it stays pending and the next send updates the same message.
     */
    public void sent(Pending p, String worker, String messageTs, Instant now) {
        jdbi.useHandle(h -> h.createUpdate("""
                        UPDATE outbox SET message_ts = :ts, sent_at = :now, attempts = attempts + 1,
                            lease_owner = NULL, lease_until = NULL, last_error = NULL,
                            status = CASE WHEN version = :v THEN 'sent' ELSE 'pending' END
                        WHERE id = :id AND lease_owner = :w
                        """)
                .bind("ts", messageTs)
                .bind("now", ts(now))
                .bind("v", p.version())
                .bind("id", p.id())
                .bind("w", worker)
                .execute());
    }

    /** Records a failed send: tried again at {@code retryAt}, or given up when it is empty. */
    public void failed(Pending p, String worker, String error, Optional<Instant> retryAt, Instant now) {
        jdbi.useHandle(h -> h.createUpdate("""
                        UPDATE outbox SET attempts = attempts + 1, last_error = :error, lease_owner = NULL,
                            lease_until = NULL, status = :status, next_attempt_at = :next
                        WHERE id = :id AND lease_owner = :w
                        """)
                .bind("error", error.length() > 2000 ? error.substring(0, 2000) : error)
                .bind("status", retryAt.isPresent() ? "pending" : "failed")
                .bind("next", ts(retryAt.orElse(now)))
                .bind("id", p.id())
                .bind("w", worker)
                .execute());
    }

    /** The incident whose reply is the message {@code messageTs} in {@code channel}: where reactions land. */
    public Optional<Long> incidentOfMessage(String channel, String messageTs) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT incident_id FROM outbox
                        WHERE message_ts = :ts AND (target = :channel OR target LIKE :prefix)
                        """)
                .bind("ts", messageTs)
                .bind("channel", channel)
                .bind("prefix", channel + "/%")
                .mapTo(Long.class)
                .findFirst());
    }

    /** Replies not yet sent, for {@code /metrics}. */
    public long pending() {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM outbox WHERE status = 'pending'")
                .mapTo(Long.class)
                .one());
    }
}
