package io.deagent.app.store;

import static io.deagent.app.store.IncidentStore.ts;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * What happened to each incident's fix, and the alerts and tickets raised for it elsewhere (PagerDuty, Jira),
 * so that a recurrence joins an open alert rather than raising another and a success resolves it.
 */
public final class Remediations {

    /** An incident's fix as people see it: state, a line for people, and the pull request or diff. */
    public record Remediation(
            long incidentId,
            String state,
            String summary,
            Optional<String> prUrl,
            Optional<Integer> prNumber,
            Optional<String> branch,
            Optional<String> commit,
            Optional<String> codemod,
            Optional<String> file,
            Optional<String> diff,
            Instant updatedAt) {}

    /** An alert or ticket raised in another system, keyed by its dedupe key there. */
    public record Alert(
            String channel,
            String dedupeKey,
            long incidentId,
            String dagId,
            String taskId,
            String state,
            Optional<String> reference) {}

    private final Jdbi jdbi;

    public Remediations(Database db) {
        this.jdbi = db.jdbi();
    }

    /** Records (or replaces) the incident's fix outcome. */
    public void record(Remediation r) {
        jdbi.useTransaction(h -> {
            h.createUpdate("DELETE FROM remediations WHERE incident_id = :id")
                    .bind("id", r.incidentId())
                    .execute();
            h.createUpdate("""
                            INSERT INTO remediations (incident_id, state, summary, pr_url, pr_number, branch,
                                commit_sha, codemod, file_path, diff, updated_at)
                            VALUES (:id, :state, :summary, :pr, :number, :branch, :commit, :codemod, :file, :diff,
                                :at)
                            """)
                    .bind("id", r.incidentId())
                    .bind("state", r.state())
                    .bind("summary", cut(r.summary(), 2000))
                    .bind("pr", r.prUrl().orElse(null))
                    .bind("number", r.prNumber().orElse(null))
                    .bind("branch", r.branch().orElse(null))
                    .bind("commit", r.commit().orElse(null))
                    .bind("codemod", r.codemod().orElse(null))
                    .bind("file", r.file().orElse(null))
                    .bind("diff", r.diff().orElse(null))
                    .bind("at", ts(r.updatedAt()))
                    .execute();
        });
    }

    public Optional<Remediation> find(long incidentId) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT incident_id, state, summary, pr_url, pr_number, branch, commit_sha, codemod,
                            file_path, diff, updated_at
                        FROM remediations WHERE incident_id = :id
                        """)
                .bind("id", incidentId)
                .map((rs, ctx) -> new Remediation(
                        rs.getLong(1),
                        rs.getString(2),
                        rs.getString(3),
                        Optional.ofNullable(rs.getString(4)),
                        Optional.ofNullable((Integer) rs.getObject(5, Integer.class)),
                        Optional.ofNullable(rs.getString(6)),
                        Optional.ofNullable(rs.getString(7)),
                        Optional.ofNullable(rs.getString(8)),
                        Optional.ofNullable(rs.getString(9)),
                        Optional.ofNullable(rs.getString(10)),
                        rs.getTimestamp(11).toInstant()))
                .findFirst());
    }

    /** The alert raised under this key, if any. */
    public Optional<Alert> alert(String channel, String dedupeKey) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT channel, dedupe_key, incident_id, dag_id, task_id, state, reference
                        FROM alerts WHERE channel = :c AND dedupe_key = :k
                        """)
                .bind("c", channel)
                .bind("k", dedupeKey)
                .map((rs, ctx) -> alert(rs))
                .findFirst());
    }

    /** Remembers an alert (raised, or raised again) in state {@code state}. */
    public void raised(
            String channel,
            String dedupeKey,
            long incidentId,
            String dagId,
            String taskId,
            String reference,
            String state,
            Instant now) {
        jdbi.useTransaction(h -> {
            int updated = h.createUpdate("""
                            UPDATE alerts SET incident_id = :incident, reference = :ref, state = :state,
                                updated_at = :now
                            WHERE channel = :c AND dedupe_key = :k
                            """)
                    .bind("incident", incidentId)
                    .bind("ref", reference)
                    .bind("state", state)
                    .bind("now", ts(now))
                    .bind("c", channel)
                    .bind("k", dedupeKey)
                    .execute();
            if (updated == 0) {
                h.createUpdate("""
                                INSERT INTO alerts (channel, dedupe_key, incident_id, dag_id, task_id, reference,
                                    state, created_at, updated_at)
                                VALUES (:c, :k, :incident, :dag, :task, :ref, :state, :now, :now)
                                """)
                        .bind("c", channel)
                        .bind("k", dedupeKey)
                        .bind("incident", incidentId)
                        .bind("dag", dagId)
                        .bind("task", taskId)
                        .bind("ref", reference)
                        .bind("state", state)
                        .bind("now", ts(now))
                        .execute();
            }
        });
    }

    /** Open alerts of a task: what its next success resolves. */
    public List<Alert> open(String channel, String dagId, String taskId) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT channel, dedupe_key, incident_id, dag_id, task_id, state, reference
                        FROM alerts WHERE channel = :c AND dag_id = :d AND task_id = :t AND state = 'triggered'
                        ORDER BY created_at
                        """)
                .bind("c", channel)
                .bind("d", dagId)
                .bind("t", taskId)
                .map((rs, ctx) -> alert(rs))
                .list());
    }

    public void setState(String channel, String dedupeKey, String state, Instant now) {
        jdbi.useHandle(h -> h.createUpdate(
                        "UPDATE alerts SET state = :s, updated_at = :now WHERE channel = :c AND dedupe_key = :k")
                .bind("s", state)
                .bind("now", ts(now))
                .bind("c", channel)
                .bind("k", dedupeKey)
                .execute());
    }

    private static Alert alert(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Alert(
                rs.getString(1),
                rs.getString(2),
                rs.getLong(3),
                rs.getString(4),
                rs.getString(5),
                rs.getString(6),
                Optional.ofNullable(rs.getString(7)));
    }

    private static String cut(String s, int max) {
        return s.length() > max ? s.substring(0, max) : s;
    }
}
