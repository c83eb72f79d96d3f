package io.deagent.sources.warehouse;

import static io.deagent.sources.warehouse.SqlQuery.records;

import io.deagent.core.FailureEvent;
import io.deagent.core.investigate.Budget;
import io.deagent.core.investigate.DiagnosticSource;
import io.deagent.core.investigate.Evidence;
import io.deagent.core.investigate.Evidence.Status;
import io.deagent.sources.Probe;
import io.deagent.sources.Retry;
import io.deagent.sources.SourceException;
import io.deagent.sources.redshift.Rows;
import io.deagent.sources.redshift.SqlRunner;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The dbt audit tables in the warehouse: Elementary's {@code dbt_run_results}, {@code elementary_test_results}
 * and {@code dbt_models} for the models and tests the event names, the team's own audit query when one is
 * configured, and on Redshift the COPY errors and failed queries that touched the model's table.
 *
 * <p>Applies to events that look like dbt ({@link DbtMentions#looksLikeDbt}). Each part is one parameterised
 * query, newest first and limited. A relation that does not exist (no Elementary, not Redshift) skips its part
 * quietly and says so in {@code dbt_audit.skipped.<part>}; a refused part is noted in {@code
 * dbt_audit.failed.<part>} and the others still run; bad credentials, an unreachable warehouse or the deadline
 * stop the rest. Any row makes the evidence OK; none makes it NO_DATA, or ERROR / TIMED_OUT when a part could
 * not be asked.
 */
public final class DbtAuditSource implements DiagnosticSource, Probe {

    public static final String ID = "dbt_audit";

    private final SqlRunner runner;
    private final ElementaryTables elementary;
    private final String schema;
    private final Optional<AuditQuery> auditQuery;
    private final Clock clock;
    /** Whether the warehouse is Redshift, once known: a server does not change engine between failures. */
    private final AtomicReference<Boolean> redshift = new AtomicReference<>();

    public DbtAuditSource(SqlRunner runner, WarehouseSettings settings) {
        this(runner, settings.elementarySchema(), settings.auditQuery(), Clock.systemUTC());
    }

    public DbtAuditSource(SqlRunner runner, String elementarySchema, Optional<AuditQuery> auditQuery, Clock clock) {
        this.schema = WarehouseSettings.checkedSchema(elementarySchema); // it is written into SQL text
        this.runner = runner;
        this.elementary = new ElementaryTables(schema);
        this.auditQuery = auditQuery;
        this.clock = clock;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public boolean appliesTo(FailureEvent event) {
        return DbtMentions.looksLikeDbt(event);
    }

    @Override
    public Evidence collect(FailureEvent event, Budget budget) {
        Instant start = clock.instant();
        DbtMentions mentions = DbtMentions.in(event);
        Collect run = new Collect(budget);
        if (mentions.isEmpty()) {
            run.digest.setFact("dbt_audit.match", "latest_failures");
        } else {
            run.digest.setFact("dbt_audit.searched", String.join(",", mentions.names()));
        }

        List<Map<String, Object>> runResults = run.ask(elementary.runResults(mentions));
        ElementaryTables.digestRunResults(runResults, run.digest);
        List<Map<String, Object>> testResults = run.ask(elementary.testResults(mentions));
        ElementaryTables.digestTestResults(testResults, run.digest);

        Set<String> modelNames = new LinkedHashSet<>(mentions.models());
        modelNames.addAll(ElementaryTables.modelsIn(runResults, testResults));
        List<String> models = List.copyOf(modelNames).subList(0, Math.min(modelNames.size(), DbtMentions.MAX_NAMES));
        List<Map<String, Object>> modelRows = models.isEmpty() ? List.of() : run.ask(elementary.models(models));
        ElementaryTables.digestModels(modelRows, run.digest);

        auditQuery.ifPresent(q -> teamAudit(q, event, mentions, run));

        List<String> tables = ElementaryTables.tablesOf(models, modelRows);
        if (!tables.isEmpty() && isRedshift(run)) {
            redshiftViews(tables, run);
        }
        return run.evidence(Duration.between(start, clock.instant()));
    }

    private void teamAudit(AuditQuery query, FailureEvent event, DbtMentions mentions, Collect run) {
        Map<String, Optional<String>> values = Map.of(
                "dag_id", Optional.of(event.dagId()),
                "task_id", Optional.of(event.taskId()),
                "run_id", event.runId(),
                "model", mentions.models().stream().findFirst(),
                "test", mentions.tests().stream().findFirst());
        SqlQuery sql = new SqlQuery("audit_query", "the audit query", query.sql(), query.bind(values));
        List<Map<String, Object>> rows = run.ask(sql);
        if (run.lastRows.isEmpty()) {
            return;
        }
        Rows raw = run.lastRows.get();
        run.digest.setFact("dbt_audit.audit_query.rows", rows.size());
        for (List<Object> row : raw.values()) {
            List<String> cells = new ArrayList<>();
            for (int i = 0; i < raw.columns().size() && i < row.size(); i++) {
                Object v = row.get(i);
                cells.add(raw.columns().get(i) + "=" + (v instanceof String s ? Digest.quote(s) : v));
                if (v != null) {
                    run.digest.fact("audit." + raw.columns().get(i), v);
                }
            }
            run.digest.line("audit_query: " + String.join(", ", cells));
        }
    }

    private void redshiftViews(List<String> tables, Collect run) {
        RedshiftSystemTables.digestLoadErrors(run.ask(RedshiftSystemTables.loadErrors(tables)), run.digest);
        List<Map<String, Object>> failed = run.ask(RedshiftSystemTables.failedQueries(tables));
        if (run.lastRows.isPresent()) {
            RedshiftSystemTables.digestFailedQueries(failed, run.digest);
        } else if (run.lastSkipped) { // a cluster without the SYS views: STL has no error text, but says aborted
            RedshiftSystemTables.digestAbortedQueries(run.ask(RedshiftSystemTables.abortedQueries(tables)), run.digest);
        }
    }

    private boolean isRedshift(Collect run) {
        Boolean known = redshift.get();
        if (known != null) {
            run.digest.setFact("dbt_audit.redshift", known);
            return known;
        }
        List<Map<String, Object>> rows = run.ask(RedshiftSystemTables.version(), false);
        if (rows.isEmpty()) {
            return false;
        }
        String version = SqlQuery.text(rows.getFirst(), "version").orElse("");
        boolean isRedshift = RedshiftSystemTables.isRedshift(version);
        redshift.set(isRedshift);
        run.digest.setFact("dbt_audit.redshift", isRedshift);
        if (!isRedshift) {
            run.digest.setFact("dbt_audit.skipped.redshift", "not Redshift: " + Digest.cut(version, 80));
        }
        return isRedshift;
    }

    @Override
    public Result probe(Duration timeout) {
        Budget budget = new Budget(clock.instant().plus(timeout), 64 * 1024, clock);
        String where = runner instanceof JdbcSqlRunner jdbc
                ? jdbc.target()
                : "the warehouse (" + runner.getClass().getSimpleName() + ")";
        try {
            Retry.call(budget, () -> runner.query("select 1", List.of(), budget));
        } catch (RuntimeException e) {
            return new Result(false, ID, "cannot query " + where + ": " + e.getMessage());
        }
        String relation = schema + ".dbt_run_results";
        try {
            Retry.call(budget, () -> runner.query("select 1 from " + relation + " limit 1", List.of(), budget));
            return new Result(true, ID, where + ": " + relation + " is readable");
        } catch (SourceException.NotFound e) {
            return auditQuery.isPresent()
                    ? new Result(true, ID, where + ": no " + relation + "; the audit query will be used")
                    : new Result(
                            false,
                            ID,
                            where + ": " + relation + " does not exist; set " + WarehouseSettings.ELEMENTARY_SCHEMA
                                    + " to the schema of the Elementary tables");
        } catch (RuntimeException e) {
            return new Result(false, ID, "cannot read " + relation + ": " + e.getMessage());
        }
    }

    /** One collect: the digest so far, the queries asked, and how the parts ended. */
    private final class Collect {
        final Budget budget;
        final Digest digest = new Digest();
        final List<String> queries = new ArrayList<>();
        Optional<SourceException> stopped = Optional.empty();
        Optional<String> firstError = Optional.empty();
        Optional<Rows> lastRows = Optional.empty();
        boolean lastSkipped;

        Collect(Budget budget) {
            this.budget = budget;
        }

        List<Map<String, Object>> ask(SqlQuery query) {
            return ask(query, true);
        }

        /**
         * Runs one part; never throws. Returns no rows when the part was skipped or failed, and records why.
         * {@code reported} false keeps bookkeeping queries (the engine check) out of {@code Evidence.query}.
         */
        List<Map<String, Object>> ask(SqlQuery query, boolean reported) {
            lastRows = Optional.empty();
            lastSkipped = false;
            if (stopped.isPresent()) {
                return List.of();
            }
            if (budget.remaining().isZero()) {
                stopped = Optional.of(new SourceException.TimedOut(
                        query.part() + ": not asked, the deadline " + budget.deadline() + " had passed"));
                return List.of();
            }
            if (reported) {
                queries.add(query.described());
            }
            try {
                Rows rows = Retry.call(budget, () -> runner.query(query.sql(), query.params(), budget));
                lastRows = Optional.of(rows);
                return records(rows);
            } catch (SourceException.NotFound e) {
                lastSkipped = true;
                digest.setFact("dbt_audit.skipped." + query.part(), query.relation() + " does not exist");
            } catch (SourceException.TimedOut | SourceException.Unauthorized | SourceException.Unavailable e) {
                stopped = Optional.of(e); // the next part would wait or fail the same way
                digest.setFact("dbt_audit.failed." + query.part(), e.getMessage());
            } catch (RuntimeException e) { // a refused query, or a runner that threw something unmapped
                firstError = firstError.or(() -> Optional.of(query.part() + ": " + e.getMessage()));
                digest.setFact("dbt_audit.failed." + query.part(), String.valueOf(e.getMessage()));
            }
            return List.of();
        }

        Evidence evidence(Duration elapsed) {
            Optional<String> query = queries.isEmpty() ? Optional.empty() : Optional.of(String.join(";\n\n", queries));
            if (!digest.isEmpty()) {
                digest.setFact("dbt_audit.rows", digest.lineCount());
                stopped.ifPresent(e -> digest.setFact("dbt_audit.incomplete", "true"));
                String text = digest.text(budget.maxBytes(), "dbt_audit.truncated");
                return new Evidence(
                        ID, Status.OK, Optional.of(text), facts(), query, Optional.empty(), elapsed, Optional.empty());
            }
            if (stopped.isPresent()) {
                Status status = stopped.get() instanceof SourceException.TimedOut ? Status.TIMED_OUT : Status.ERROR;
                return new Evidence(
                        ID,
                        status,
                        Optional.empty(),
                        facts(),
                        query,
                        Optional.of(stopped.get().getMessage()),
                        elapsed,
                        Optional.empty());
            }
            if (firstError.isPresent()) {
                return new Evidence(
                        ID, Status.ERROR, Optional.empty(), facts(), query, firstError, elapsed, Optional.empty());
            }
            String searched = digest.facts().getOrDefault("dbt_audit.searched", "the latest failures");
            return new Evidence(
                    ID,
                    Status.NO_DATA,
                    Optional.empty(),
                    facts(),
                    query,
                    Optional.of("no dbt audit rows for " + searched + " in " + schema
                            + ".dbt_run_results, .elementary_test_results, .dbt_models"
                            + auditQuery.map(a -> " or the audit query").orElse("")),
                    elapsed,
                    Optional.empty());
        }

        private Map<String, String> facts() {
            return Collections.unmodifiableMap(digest.facts());
        }
    }
}
