package io.deagent.app.store;

import io.deagent.core.Diagnosis;
import io.deagent.core.FailureEvent;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

/**
 * Incidents, their queue, signature statistics and the outbox, over JDBC. Every state change is fenced by
 * the lease holder, so a worker that lost its lease (it stalled, another replica took over) cannot write a
 * second outcome: effects happen once even though work is delivered at least once.
 */
public final class IncidentStore {

    public static final String QUEUED = "queued";
    public static final String INVESTIGATING = "investigating";
    public static final String DONE = "done";
    public static final String FAILED = "failed";

    private static final String UNIQUE_VIOLATION = "23505";

    private final Jdbi jdbi;
    private final Database.Dialect dialect;

    public IncidentStore(Database db) {
        this.jdbi = db.jdbi();
        this.dialect = db.dialect();
    }

    /** The outcome of recording an event: its incident, and whether it was already known. */
    public record Accepted(long id, boolean duplicate, String status, String correlationId) {}

    /** An incident a worker holds: what it needs to investigate it. */
    public record Claim(
            long id, String correlationId, String origin, String eventJson, int attempts, Instant receivedAt) {}

    /** A reply waiting in (or gone from) the outbox. */
    public record Reply(
            long id,
            String channel,
            String target,
            String kind,
            String status,
            int attempts,
            Optional<String> messageTs,
            Optional<Instant> sentAt,
            Optional<String> lastError) {}

    /**
     * One incident as the API shows it. {@code stepsJson} is what its investigation did (sources, their
     * statuses and times); {@code signatureSeen} how often its signature has failed this DAG and task so far;
     * {@code feedback} the verdicts people gave on its answer.
     */
    public record Incident(
            long id,
            String status,
            Instant receivedAt,
            int deliveries,
            int attempts,
            String correlationId,
            String eventJson,
            Optional<String> diagnosisJson,
            Optional<Instant> startedAt,
            Optional<Instant> finishedAt,
            Optional<Long> diagnosticMs,
            Optional<String> error,
            List<Reply> replies,
            Optional<String> stepsJson,
            int signatureSeen,
            Verdicts feedback) {}

    /** Feedback verdicts: answers people marked right and wrong. */
    public record Verdicts(long correct, long wrong) {
        public static final Verdicts NONE = new Verdicts(0, 0);
    }

    /** A page of incidents, newest first, and the cursor of the next page. */
    public record Page(List<Incident> incidents, Optional<Long> next) {}

    /**
     * What a list of incidents is narrowed to; every part is optional. {@code since} is inclusive and
     * {@code until} exclusive, both on the time the incident was received.
     */
    public record Filter(
            Optional<String> dagId,
            Optional<String> taskId,
            Optional<String> category,
            Optional<String> status,
            Optional<Instant> since,
            Optional<Instant> until) {

        public static final Filter NONE = new Filter(
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty());

        public static Filter byStatus(Optional<String> status) {
            return new Filter(
                    Optional.empty(), Optional.empty(), Optional.empty(), status, Optional.empty(), Optional.empty());
        }
    }

    /** Incidents received on one day (UTC) with one category; {@code category} is empty when not diagnosed yet. */
    public record DayCount(java.time.LocalDate day, String category, long count) {}

    /** A DAG and task a signature failed, and how often in the window. */
    public record DagTask(String dagId, String taskId, long count) {}

    /**
     * A signature that failed more than once in a window: how often, where, when, and the diagnosis of its
     * latest incident (which carries the last fix).
     */
    public record Recurring(
            String signature,
            String category,
            long count,
            Instant firstSeen,
            Instant lastSeen,
            long lastIncidentId,
            List<DagTask> dagTasks,
            Optional<String> lastDiagnosisJson) {}

    /** Feedback verdicts on the answers of one category. */
    public record CategoryVerdicts(String category, long correct, long wrong) {}

    /**
     * Records an event, durably, before anyone is told it was received. The same failure delivered again
     * (same dedupe key) is counted as a delivery of the existing incident.
     */
    public Accepted accept(FailureEvent event, String eventJson, Instant now) {
        String correlationId = UUID.randomUUID().toString();
        try {
            long id = jdbi.withHandle(h -> h.createUpdate("""
                            INSERT INTO incidents (dedupe_key, dag_id, task_id, run_id, try_number, origin,
                                correlation_id, status, received_at, event_json, available_at)
                            VALUES (:key, :dag, :task, :run, :try, :origin, :cid, 'queued', :now, :json, :now)
                            """)
                    .bind("key", event.dedupeKey())
                    .bind("dag", event.dagId())
                    .bind("task", event.taskId())
                    .bind("run", event.runId().orElse(null))
                    .bind("try", event.tryNumber().orElse(null))
                    .bind("origin", event.origin().name().toLowerCase(java.util.Locale.ROOT))
                    .bind("cid", correlationId)
                    .bind("now", ts(now))
                    .bind("json", eventJson)
                    .executeAndReturnGeneratedKeys("id")
                    .mapTo(Long.class)
                    .one());
            return new Accepted(id, false, QUEUED, correlationId);
        } catch (UnableToExecuteStatementException e) {
            if (!isUniqueViolation(e)) {
                throw e;
            }
            return jdbi.inTransaction(h -> {
                h.createUpdate("UPDATE incidents SET deliveries = deliveries + 1 WHERE dedupe_key = :key")
                        .bind("key", event.dedupeKey())
                        .execute();
                return h.createQuery("SELECT id, status, correlation_id FROM incidents WHERE dedupe_key = :key")
                        .bind("key", event.dedupeKey())
                        .map((rs, ctx) -> new Accepted(rs.getLong(1), true, rs.getString(2), rs.getString(3)))
                        .one();
            });
        }
    }

    /**
     * Takes up to {@code max} incidents that are queued and due, or whose holder's lease ran out, for
     * {@code worker}. Rows another worker is claiming at the same moment are skipped, not waited for.
     * An incident that has been claimed {@code maxAttempts} times without an outcome (its worker died each
     * time) is marked failed instead of being handed out again.
     */
    public List<Claim> claim(String worker, int max, Instant now, Duration lease, int maxAttempts) {
        return claim(worker, max, now, lease, maxAttempts, Optional.empty());
    }

    /** Claims one given incident if it is claimable now (replay of a single event). */
    public Optional<Claim> claim(long id, String worker, Instant now, Duration lease, int maxAttempts) {
        return claim(worker, 1, now, lease, maxAttempts, Optional.of(id)).stream()
                .findFirst();
    }

    private List<Claim> claim(
            String worker, int max, Instant now, Duration lease, int maxAttempts, Optional<Long> only) {
        if (max <= 0) {
            return List.of();
        }
        return jdbi.inTransaction(TransactionIsolationLevel.READ_COMMITTED, h -> {
            List<long[]> rows = h.createQuery("""
                            SELECT id, attempts FROM incidents
                            WHERE ((status = 'queued' AND available_at <= :now)
                               OR (status = 'investigating' AND lease_until < :now))
                               AND (:only < 0 OR id = :only)
                            ORDER BY id
                            LIMIT :max
                            FOR UPDATE SKIP LOCKED
                            """)
                    .bind("now", ts(now))
                    .bind("only", only.orElse(-1L))
                    .bind("max", max)
                    .map((rs, ctx) -> new long[] {rs.getLong(1), rs.getInt(2)})
                    .list();
            List<Claim> claims = new ArrayList<>();
            for (long[] row : rows) {
                long id = row[0];
                if (row[1] >= maxAttempts) {
                    h.createUpdate("""
                                    UPDATE incidents SET status = 'failed', finished_at = :now, lease_owner = NULL,
                                        lease_until = NULL, error = :error
                                    WHERE id = :id
                                    """)
                            .bind("now", ts(now))
                            .bind("id", id)
                            .bind(
                                    "error",
                                    "gave up after " + row[1]
                                            + " attempts: the worker stopped before finishing each time")
                            .execute();
                    Outbox.outcomeChanged(h, id, now);
                    continue;
                }
                h.createUpdate("""
                                UPDATE incidents SET status = 'investigating', lease_owner = :worker,
                                    lease_until = :until, attempts = attempts + 1,
                                    started_at = COALESCE(started_at, :now)
                                WHERE id = :id
                                """)
                        .bind("worker", worker)
                        .bind("until", ts(now.plus(lease)))
                        .bind("now", ts(now))
                        .bind("id", id)
                        .execute();
                claims.add(h.createQuery("""
                                SELECT id, correlation_id, origin, event_json, attempts, received_at
                                FROM incidents WHERE id = :id
                                """)
                        .bind("id", id)
                        .map((rs, ctx) -> new Claim(
                                rs.getLong(1),
                                rs.getString(2),
                                rs.getString(3),
                                rs.getString(4),
                                rs.getInt(5),
                                instant(rs, 6)))
                        .one());
            }
            return claims;
        });
    }

    /** Extends the leases {@code worker} holds; returns how many it still holds. */
    public int renew(String worker, Instant until) {
        return jdbi.withHandle(h -> h.createUpdate(
                        "UPDATE incidents SET lease_until = :until WHERE lease_owner = :worker AND status = 'investigating'")
                .bind("until", ts(until))
                .bind("worker", worker)
                .execute());
    }

    /**
     * Records the outcome of an investigation, counts its signature and marks its thread replies for
     * sending, all in one transaction, and only if {@code worker} still holds the incident. Returns the
     * diagnosis with its recurrence, or empty when the lease was lost (another worker owns the incident now).
     */
    public Optional<Diagnosis> complete(
            Claim claim, String worker, FailureEvent event, Diagnosis diagnosis, long diagnosticMs, Instant now) {
        return complete(claim, worker, event, diagnosis, diagnosticMs, now, Optional.empty(), d -> List.of());
    }

    /** Work that follows an outcome (a fix, notifications): queued in the outbox with the outcome, or not at all. */
    public record FollowUp(String channel, String target, String kind) {}

    /** The same, with what the investigation did ({@code stepsJson}) kept for the incident's page. */
    public Optional<Diagnosis> complete(
            Claim claim,
            String worker,
            FailureEvent event,
            Diagnosis diagnosis,
            long diagnosticMs,
            Instant now,
            Optional<String> stepsJson) {
        return complete(claim, worker, event, diagnosis, diagnosticMs, now, stepsJson, d -> List.of());
    }

    /**
     * Records the outcome with what the investigation did ({@code stepsJson}: the sources asked, their statuses
     * and times, for the incident's page), and queues the follow-ups {@code then} asks for (it sees the
     * diagnosis with its recurrence) in the same transaction, so neither is recorded without the other.
     */
    public Optional<Diagnosis> complete(
            Claim claim,
            String worker,
            FailureEvent event,
            Diagnosis diagnosis,
            long diagnosticMs,
            Instant now,
            Optional<String> stepsJson,
            java.util.function.Function<Diagnosis, List<FollowUp>> then) {
        return jdbi.inTransaction(TransactionIsolationLevel.READ_COMMITTED, h -> {
            if (!holds(h, claim.id(), worker)) {
                return Optional.<Diagnosis>empty();
            }
            Diagnosis.Recurrence recurrence = countSignature(h, claim, event, diagnosis);
            Diagnosis d = diagnosis.withRecurrence(recurrence);
            h.createUpdate("""
                            UPDATE incidents SET status = 'done', finished_at = :now, diagnostic_ms = :ms,
                                category = :category, signature = :signature, diagnosis_json = :json,
                                steps_json = :steps, lease_owner = NULL, lease_until = NULL, error = NULL
                            WHERE id = :id
                            """)
                    .bind("now", ts(now))
                    .bind("ms", diagnosticMs)
                    .bind("category", d.category())
                    .bind("signature", d.signature())
                    .bind("json", io.deagent.core.DiagnosisJson.write(d))
                    .bind("steps", stepsJson.orElse(null))
                    .bind("id", claim.id())
                    .execute();
            Outbox.outcomeChanged(h, claim.id(), now);
            for (FollowUp f : then.apply(d)) {
                Outbox.enqueue(h, claim.id(), f.channel(), f.target(), f.kind(), "", now);
            }
            return Optional.of(d);
        });
    }

    /**
     * Records that an investigation threw. It is queued again after {@code retryAfter}, or marked failed
     * once it has had {@code maxAttempts}. Returns false when the lease was lost.
     */
    public boolean fail(Claim claim, String worker, String error, Instant now, int maxAttempts, Duration retryAfter) {
        return jdbi.inTransaction(TransactionIsolationLevel.READ_COMMITTED, h -> {
            if (!holds(h, claim.id(), worker)) {
                return false;
            }
            boolean last = claim.attempts() >= maxAttempts;
            h.createUpdate("""
                            UPDATE incidents SET status = :status, error = :error, lease_owner = NULL,
                                lease_until = NULL, available_at = :next, finished_at = :finished
                            WHERE id = :id
                            """)
                    .bind("status", last ? FAILED : QUEUED)
                    .bind("error", truncate(error, 2000))
                    .bind("next", ts(now.plus(retryAfter)))
                    .bind("finished", last ? ts(now) : null)
                    .bind("id", claim.id())
                    .execute();
            if (last) {
                Outbox.outcomeChanged(h, claim.id(), now);
            }
            return true;
        });
    }

    /** Gives back what {@code worker} holds without counting it as an attempt: a graceful shutdown. */
    public int release(String worker) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE incidents SET status = 'queued', lease_owner = NULL, lease_until = NULL,
                            attempts = attempts - 1
                        WHERE lease_owner = :worker AND status = 'investigating'
                        """).bind("worker", worker).execute());
    }

    /** Incidents not yet finished: queued or being investigated. */
    public long queueDepth() {
        return jdbi.withHandle(
                h -> h.createQuery("SELECT COUNT(*) FROM incidents WHERE status IN ('queued', 'investigating')")
                        .mapTo(Long.class)
                        .one());
    }

    /** What the store knows of a signature for this DAG and task, without counting anything (replay). */
    public Optional<Diagnosis.Recurrence> recurrence(String signature, String dagId, String taskId) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT seen, first_seen FROM signature_stats
                        WHERE signature = :s AND dag_id = :d AND task_id = :t
                        """)
                .bind("s", signature)
                .bind("d", dagId)
                .bind("t", taskId)
                .map((rs, ctx) -> new Diagnosis.Recurrence(
                        rs.getInt(1), Optional.of(instant(rs, 2).toString()), Optional.<String>empty()))
                .findOne());
    }

    public Optional<Incident> find(long id) {
        return jdbi.withHandle(h -> {
            List<Incident> one = incidents(h, "WHERE i.id = :id", Map.of("id", id), 1);
            return one.stream().findFirst();
        });
    }

    /** Newest first; {@code status} filters, {@code before} is the cursor of the previous page. */
    public Page list(int limit, Optional<String> status, Optional<Long> before) {
        return list(limit, Filter.byStatus(status), before);
    }

    /**
     * Newest first, narrowed by {@code filter} (in SQL, with bound parameters); {@code before} is the
     * cursor of the previous page.
     */
    public Page list(int limit, Filter filter, Optional<Long> before) {
        return jdbi.withHandle(h -> {
            List<String> where = new ArrayList<>();
            Map<String, Object> args = new HashMap<>();
            filter.dagId().ifPresent(d -> {
                where.add("i.dag_id = :dag");
                args.put("dag", d);
            });
            filter.taskId().ifPresent(t -> {
                where.add("i.task_id = :task");
                args.put("task", t);
            });
            filter.category().ifPresent(c -> {
                where.add("i.category = :category");
                args.put("category", c);
            });
            filter.status().ifPresent(s -> {
                where.add("i.status = :status");
                args.put("status", s);
            });
            filter.since().ifPresent(t -> {
                where.add("i.received_at >= :since");
                args.put("since", ts(t));
            });
            filter.until().ifPresent(t -> {
                where.add("i.received_at < :until");
                args.put("until", ts(t));
            });
            before.ifPresent(b -> {
                where.add("i.id < :before");
                args.put("before", b);
            });
            String clause = where.isEmpty() ? "" : "WHERE " + String.join(" AND ", where);
            List<Incident> rows = incidents(h, clause, args, limit + 1);
            Optional<Long> next = Optional.empty();
            if (rows.size() > limit) {
                rows = rows.subList(0, limit);
                next = Optional.of(rows.get(limit - 1).id());
            }
            return new Page(List.copyOf(rows), next);
        });
    }

    private List<Incident> incidents(Handle h, String clause, Map<String, Object> args, int limit) {
        var q = h.createQuery("""
                SELECT i.id, i.status, i.received_at, i.deliveries, i.attempts, i.correlation_id, i.event_json,
                    i.diagnosis_json, i.started_at, i.finished_at, i.diagnostic_ms, i.error, i.steps_json,
                    COALESCE(s.seen, 0) AS signature_seen,
                    (SELECT COUNT(*) FROM feedback f WHERE f.incident_id = i.id AND f.verdict = 'correct')
                        AS feedback_correct,
                    (SELECT COUNT(*) FROM feedback f WHERE f.incident_id = i.id AND f.verdict = 'wrong')
                        AS feedback_wrong
                FROM incidents i
                LEFT JOIN signature_stats s
                    ON s.signature = i.signature AND s.dag_id = i.dag_id AND s.task_id = i.task_id
                %s ORDER BY i.id DESC LIMIT :limit
                """.formatted(clause));
        args.forEach(q::bind);
        List<Incident> bare = q.bind("limit", limit)
                .map((rs, ctx) -> new Incident(
                        rs.getLong("id"),
                        rs.getString("status"),
                        instant(rs, "received_at"),
                        rs.getInt("deliveries"),
                        rs.getInt("attempts"),
                        rs.getString("correlation_id"),
                        rs.getString("event_json"),
                        Optional.ofNullable(rs.getString("diagnosis_json")),
                        Optional.ofNullable(instantOrNull(rs, "started_at")),
                        Optional.ofNullable(instantOrNull(rs, "finished_at")),
                        Optional.ofNullable((Long) rs.getObject("diagnostic_ms", Long.class)),
                        Optional.ofNullable(rs.getString("error")),
                        List.of(),
                        Optional.ofNullable(rs.getString("steps_json")),
                        rs.getInt("signature_seen"),
                        new Verdicts(rs.getLong("feedback_correct"), rs.getLong("feedback_wrong"))))
                .list();
        if (bare.isEmpty()) {
            return bare;
        }
        Map<Long, List<Reply>> replies =
                replies(h, bare.stream().map(Incident::id).toList());
        return bare.stream()
                .map(i -> new Incident(
                        i.id(),
                        i.status(),
                        i.receivedAt(),
                        i.deliveries(),
                        i.attempts(),
                        i.correlationId(),
                        i.eventJson(),
                        i.diagnosisJson(),
                        i.startedAt(),
                        i.finishedAt(),
                        i.diagnosticMs(),
                        i.error(),
                        replies.getOrDefault(i.id(), List.of()),
                        i.stepsJson(),
                        i.signatureSeen(),
                        i.feedback()))
                .toList();
    }

    /**
     * The DAG ids (or task ids, {@code tasks} true) diagnosed failures were recorded for, in order: the page's
     * choices. Read from the signature statistics, which stay small however many incidents there are.
     */
    public List<String> knownIds(boolean tasks, int max) {
        String column = tasks ? "task_id" : "dag_id";
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT DISTINCT %1$s FROM signature_stats ORDER BY %1$s LIMIT :max".formatted(column))
                .bind("max", max)
                .mapTo(String.class)
                .list());
    }

    /** Incidents received per day (UTC) and category in {@code [since, until)}, in day order. */
    public List<DayCount> perDay(Instant since, Instant until) {
        // the day number since the epoch, in UTC whatever the session's time zone, on H2 and PostgreSQL
        String day = "FLOOR(EXTRACT(EPOCH FROM received_at) / 86400)";
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT %1$s AS d, COALESCE(category, '') AS c, COUNT(*) AS n
                        FROM incidents
                        WHERE received_at >= :since AND received_at < :until
                        GROUP BY %1$s, COALESCE(category, '')
                        ORDER BY d, c
                        """.formatted(day))
                .bind("since", ts(since))
                .bind("until", ts(until))
                .map((rs, ctx) -> new DayCount(
                        java.time.LocalDate.ofEpochDay(rs.getLong("d")), rs.getString("c"), rs.getLong("n")))
                .list());
    }

    /**
     * The signatures that failed more than once in {@code [since, until)}, most frequent first, with the
     * DAGs and tasks they failed and the diagnosis of their latest incident.
     */
    public List<Recurring> recurring(Instant since, Instant until, int max) {
        return jdbi.withHandle(h -> {
            record Top(String signature, String category, long count, Instant first, Instant last, long lastId) {}
            List<Top> top = h.createQuery("""
                            SELECT signature, MAX(category) AS category, COUNT(*) AS n, MIN(received_at) AS first_at,
                                MAX(received_at) AS last_at, MAX(id) AS last_id
                            FROM incidents
                            WHERE signature IS NOT NULL AND received_at >= :since AND received_at < :until
                            GROUP BY signature
                            HAVING COUNT(*) > 1
                            ORDER BY n DESC, last_id DESC
                            LIMIT :max
                            """)
                    .bind("since", ts(since))
                    .bind("until", ts(until))
                    .bind("max", max)
                    .map((rs, ctx) -> new Top(
                            rs.getString("signature"),
                            rs.getString("category"),
                            rs.getLong("n"),
                            instant(rs, "first_at"),
                            instant(rs, "last_at"),
                            rs.getLong("last_id")))
                    .list();
            if (top.isEmpty()) {
                return List.<Recurring>of();
            }
            Map<String, List<DagTask>> where = new HashMap<>();
            h.createQuery("""
                            SELECT signature, dag_id, task_id, COUNT(*) AS n
                            FROM incidents
                            WHERE signature IN (<signatures>) AND received_at >= :since AND received_at < :until
                            GROUP BY signature, dag_id, task_id
                            ORDER BY n DESC, dag_id, task_id
                            """)
                    .bindList("signatures", top.stream().map(Top::signature).toList())
                    .bind("since", ts(since))
                    .bind("until", ts(until))
                    .map((rs, ctx) -> Map.entry(
                            rs.getString("signature"),
                            new DagTask(rs.getString("dag_id"), rs.getString("task_id"), rs.getLong("n"))))
                    .forEach(e -> where.computeIfAbsent(e.getKey(), k -> new ArrayList<>())
                            .add(e.getValue()));
            Map<Long, String> diagnoses = new HashMap<>();
            h.createQuery("SELECT id, diagnosis_json FROM incidents WHERE id IN (<ids>)")
                    .bindList("ids", top.stream().map(Top::lastId).toList())
                    .map((rs, ctx) -> Map.entry(rs.getLong("id"), Optional.ofNullable(rs.getString("diagnosis_json"))))
                    .forEach(e -> e.getValue().ifPresent(json -> diagnoses.put(e.getKey(), json)));
            return top.stream()
                    .map(t -> new Recurring(
                            t.signature(),
                            t.category(),
                            t.count(),
                            t.first(),
                            t.last(),
                            t.lastId(),
                            List.copyOf(where.getOrDefault(t.signature(), List.of())),
                            Optional.ofNullable(diagnoses.get(t.lastId()))))
                    .toList();
        });
    }

    /**
     * Feedback verdicts per category on the incidents received in {@code [since, until)}: how often the
     * diagnoses were marked right and wrong.
     */
    public List<CategoryVerdicts> verdicts(Instant since, Instant until) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT COALESCE(f.category, 'unknown') AS c,
                            SUM(CASE WHEN f.verdict = 'correct' THEN 1 ELSE 0 END) AS correct,
                            SUM(CASE WHEN f.verdict = 'wrong' THEN 1 ELSE 0 END) AS wrong
                        FROM feedback f JOIN incidents i ON i.id = f.incident_id
                        WHERE i.received_at >= :since AND i.received_at < :until
                        GROUP BY COALESCE(f.category, 'unknown')
                        ORDER BY c
                        """)
                .bind("since", ts(since))
                .bind("until", ts(until))
                .map((rs, ctx) -> new CategoryVerdicts(rs.getString("c"), rs.getLong("correct"), rs.getLong("wrong")))
                .list());
    }

    private Map<Long, List<Reply>> replies(Handle h, List<Long> ids) {
        Map<Long, List<Reply>> out = new HashMap<>();
        h.createQuery("""
                        SELECT id, incident_id, channel, target, kind, status, attempts, message_ts, sent_at,
                            last_error
                        FROM outbox WHERE incident_id IN (<ids>) ORDER BY id
                        """)
                .bindList("ids", ids)
                .map((rs, ctx) -> {
                    out.computeIfAbsent(rs.getLong("incident_id"), k -> new ArrayList<>())
                            .add(new Reply(
                                    rs.getLong("id"),
                                    rs.getString("channel"),
                                    rs.getString("target"),
                                    rs.getString("kind"),
                                    rs.getString("status"),
                                    rs.getInt("attempts"),
                                    Optional.ofNullable(rs.getString("message_ts")),
                                    Optional.ofNullable(instantOrNull(rs, "sent_at")),
                                    Optional.ofNullable(rs.getString("last_error"))));
                    return 0;
                })
                .list();
        return out;
    }

    private static boolean holds(Handle h, long id, String worker) {
        return h.createQuery("SELECT status, lease_owner FROM incidents WHERE id = :id FOR UPDATE")
                .bind("id", id)
                .map((rs, ctx) -> INVESTIGATING.equals(rs.getString(1)) && worker.equals(rs.getString(2)))
                .findOne()
                .orElse(false);
    }

    private Diagnosis.Recurrence countSignature(Handle h, Claim claim, FailureEvent event, Diagnosis d) {
        String sql =
                switch (dialect) {
                    case POSTGRESQL -> """
                            INSERT INTO signature_stats (signature, dag_id, task_id, category, seen, first_seen,
                                last_seen, last_incident_id)
                            VALUES (:s, :d, :t, :c, 1, :at, :at, :id)
                            ON CONFLICT (signature, dag_id, task_id) DO UPDATE SET
                                seen = signature_stats.seen + 1,
                                first_seen = LEAST(signature_stats.first_seen, EXCLUDED.first_seen),
                                last_seen = GREATEST(signature_stats.last_seen, EXCLUDED.last_seen),
                                category = EXCLUDED.category,
                                last_incident_id = EXCLUDED.last_incident_id
                            """;
                    case H2 -> """
                            MERGE INTO signature_stats k
                            USING (VALUES (CAST(:s AS VARCHAR), CAST(:d AS VARCHAR), CAST(:t AS VARCHAR),
                                CAST(:c AS VARCHAR), CAST(:at AS TIMESTAMP WITH TIME ZONE), CAST(:id AS BIGINT)))
                                AS v (signature, dag_id, task_id, category, at_time, incident_id)
                            ON k.signature = v.signature AND k.dag_id = v.dag_id AND k.task_id = v.task_id
                            WHEN MATCHED THEN UPDATE SET
                                seen = k.seen + 1,
                                first_seen = LEAST(k.first_seen, v.at_time),
                                last_seen = GREATEST(k.last_seen, v.at_time),
                                category = v.category,
                                last_incident_id = v.incident_id
                            WHEN NOT MATCHED THEN INSERT (signature, dag_id, task_id, category, seen, first_seen,
                                last_seen, last_incident_id)
                                VALUES (v.signature, v.dag_id, v.task_id, v.category, 1, v.at_time, v.at_time,
                                    v.incident_id)
                            """;
                };
        h.createUpdate(sql)
                .bind("s", d.signature())
                .bind("d", event.dagId())
                .bind("t", event.taskId())
                .bind("c", d.category())
                .bind("at", ts(claim.receivedAt()))
                .bind("id", claim.id())
                .execute();
        return h.createQuery(
                        "SELECT seen, first_seen FROM signature_stats WHERE signature = :s AND dag_id = :d AND task_id = :t")
                .bind("s", d.signature())
                .bind("d", event.dagId())
                .bind("t", event.taskId())
                .map((rs, ctx) -> new Diagnosis.Recurrence(
                        rs.getInt(1), Optional.of(instant(rs, 2).toString()), Optional.<String>empty()))
                .one();
    }

    static boolean isUniqueViolation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && UNIQUE_VIOLATION.equals(s.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    static Timestamp ts(Instant i) {
        return Timestamp.from(i);
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        return rs.getTimestamp(column).toInstant();
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        return rs.getTimestamp(column).toInstant();
    }

    static Instant instantOrNull(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
