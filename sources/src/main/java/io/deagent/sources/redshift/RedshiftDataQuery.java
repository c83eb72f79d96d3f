package io.deagent.sources.redshift;

import io.deagent.core.investigate.Budget;
import io.deagent.sources.Probe;
import io.deagent.sources.SourceException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.redshiftdata.RedshiftDataClient;
import software.amazon.awssdk.services.redshiftdata.model.ColumnMetadata;
import software.amazon.awssdk.services.redshiftdata.model.DescribeStatementResponse;
import software.amazon.awssdk.services.redshiftdata.model.ExecuteStatementRequest;
import software.amazon.awssdk.services.redshiftdata.model.Field;
import software.amazon.awssdk.services.redshiftdata.model.GetStatementResultResponse;
import software.amazon.awssdk.services.redshiftdata.model.StatusString;

/**
 * Runs SQL through the Redshift Data API: {@code ExecuteStatement}, then {@code DescribeStatement} until the
 * statement is FINISHED, FAILED or ABORTED, then {@code GetStatementResult} page by page. A statement still
 * running when the budget ends is cancelled ({@code CancelStatement}, sent in the background so the caller is
 * not held past its deadline) and reported as a timeout.
 *
 * <p>Failed SQL is reported with the database's error text. The Data API gives no SQLSTATE, so a missing
 * relation and a denied privilege are recognised by Redshift's message wording and mapped as the JDBC runner
 * maps 42P01 and 42501 ({@code NotFound}, {@code Forbidden}), letting callers skip an absent audit table the
 * same way over either path.
 */
public final class RedshiftDataQuery implements SqlRunner, Probe {

    public static final String PROBE_NAME = "redshift_data_api";

    /** As many rows as the JDBC runner returns; the audit queries ask for fewer. */
    public static final int DEFAULT_MAX_ROWS = 500;

    private static final Duration CANCEL_TIMEOUT = Duration.ofSeconds(5);

    private static final Pattern MISSING_RELATION =
            Pattern.compile("(?i)\\b(relation|schema|database|table)\\s+\"[^\"]*\"\\s+does not exist");
    private static final Pattern PERMISSION_DENIED = Pattern.compile("(?i)permission denied for");

    /** How often to ask whether a statement has finished: soon at first, then less. */
    record Polling(Duration first, Duration max) {
        static final Polling DEFAULT = new Polling(Duration.ofMillis(100), Duration.ofSeconds(1));
    }

    /**
     * What one statement did.
     *
     * @param id the Data API statement id
     * @param durationMillis the statement's run time in the warehouse ({@code Duration} is nanoseconds on the
     *     wire); -1 when the API did not say
     * @param resultRows the rows the statement produced ({@code ResultRows}), -1 when unknown
     * @param truncated whether {@code rows} stops short of the result (row limit or byte cap)
     */
    public record Statement(String id, Rows rows, long durationMillis, long resultRows, boolean truncated) {}

    private final RedshiftSettings settings;
    private final RedshiftDataClient client;
    private final Polling polling;
    private final int maxRows;

    public RedshiftDataQuery(RedshiftSettings settings, RedshiftDataClient client) {
        this(settings, client, Polling.DEFAULT, DEFAULT_MAX_ROWS);
    }

    RedshiftDataQuery(RedshiftSettings settings, RedshiftDataClient client, Polling polling, int maxRows) {
        if (maxRows < 1) {
            throw new IllegalArgumentException("maxRows must be at least 1, got " + maxRows);
        }
        this.settings = settings;
        this.client = client;
        this.polling = polling;
        this.maxRows = maxRows;
    }

    /** With the production client: default credential chain, the JDK HTTP client. */
    public static RedshiftDataQuery create(RedshiftSettings settings) {
        return new RedshiftDataQuery(settings, DataApiCalls.client(settings));
    }

    public RedshiftSettings settings() {
        return settings;
    }

    /** The warehouse as messages may name it: {@code cluster analytics database dev}. */
    public String target() {
        return settings.describe();
    }

    @Override
    public Rows query(String sql, List<Object> params, Budget budget) {
        return run(sql, params, budget).rows();
    }

    /**
     * Runs one statement with {@code ?} placeholders bound in order (see {@link SqlRunner}).
     *
     * @throws SourceException {@code BadRequest} with the SQL error text when the statement FAILED ({@code
     *     NotFound} for a missing relation, {@code Forbidden} for a denied privilege), {@code TimedOut} when it
     *     did not finish within the budget (it is then cancelled), or what the API call itself failed with
     */
    public Statement run(String sql, List<?> params, Budget budget) {
        NamedParameters bound = NamedParameters.of(sql, params);
        String what = "Data API statement on " + settings.describe() + " [" + shortSql(sql) + "]";
        // one token for every retry of this statement: the Data API then runs it at most once
        String clientToken = UUID.randomUUID().toString();
        String id = DataApiCalls.call(
                        budget,
                        "ExecuteStatement " + what,
                        o -> client.executeStatement(request(bound, clientToken)
                                .overrideConfiguration(o)
                                .build()))
                .id();
        DescribeStatementResponse done = await(id, what, budget);
        StatusString status = done.status();
        if (status == StatusString.FAILED) {
            throw failed(what, id, done.error());
        }
        if (status == StatusString.ABORTED) {
            throw new SourceException.BadRequest(what + ": statement " + id + " was ABORTED (cancelled)");
        }
        long millis = done.duration() == null || done.duration() < 0 ? -1 : done.duration() / 1_000_000;
        long resultRows = done.resultRows() == null ? -1 : done.resultRows();
        if (!Boolean.TRUE.equals(done.hasResultSet())) {
            return new Statement(id, Rows.empty(), millis, resultRows, false);
        }
        return fetch(id, what, budget, millis, resultRows);
    }

    /** {@code select 1}: reachable, authenticated, and allowed to run statements on the database. */
    @Override
    public Result probe(Duration timeout) {
        Budget budget = new Budget(Instant.now().plus(timeout), 64 * 1024, Clock.systemUTC());
        try {
            Statement s = run("select 1", List.of(), budget);
            return new Result(
                    true, PROBE_NAME, "select 1 on " + settings.describe() + " ran in " + s.durationMillis() + " ms");
        } catch (SourceException.Forbidden | SourceException.Unauthorized e) {
            return new Result(
                    false,
                    PROBE_NAME,
                    "needs redshift-data:ExecuteStatement, DescribeStatement, GetStatementResult"
                            + " (and redshift:GetClusterCredentials or secretsmanager:GetSecretValue): "
                            + e.getMessage());
        } catch (SourceException e) {
            return new Result(false, PROBE_NAME, e.getMessage());
        }
    }

    private ExecuteStatementRequest.Builder request(NamedParameters bound, String clientToken) {
        ExecuteStatementRequest.Builder b = ExecuteStatementRequest.builder()
                .sql(bound.sql())
                .database(settings.database())
                .clientToken(clientToken)
                .statementName("de-agent");
        switch (settings.target()) {
            case RedshiftSettings.Target.Cluster c -> b.clusterIdentifier(c.identifier());
            case RedshiftSettings.Target.Workgroup w -> b.workgroupName(w.name());
        }
        settings.dbUser().ifPresent(b::dbUser);
        settings.secretArn().ifPresent(b::secretArn);
        if (!bound.parameters().isEmpty()) {
            b.parameters(bound.parameters());
        }
        return b;
    }

    /** Polls until the statement has ended; cancels it and throws TimedOut when the budget runs out first. */
    private DescribeStatementResponse await(String id, String what, Budget budget) {
        Duration wait = polling.first();
        try {
            while (true) {
                DescribeStatementResponse d = DataApiCalls.call(
                        budget,
                        "DescribeStatement Id=" + id,
                        o -> client.describeStatement(b -> b.id(id).overrideConfiguration(o)));
                StatusString status = d.status();
                if (status == StatusString.FINISHED
                        || status == StatusString.FAILED
                        || status == StatusString.ABORTED) {
                    return d;
                }
                Duration left = budget.remaining();
                if (left.isZero()) {
                    throw new SourceException.TimedOut("no time left");
                }
                Thread.sleep(wait.compareTo(left) < 0 ? wait : left);
                wait = wait.multipliedBy(2).compareTo(polling.max()) < 0 ? wait.multipliedBy(2) : polling.max();
            }
        } catch (SourceException.TimedOut e) {
            cancelInBackground(id);
            throw new SourceException.TimedOut(what + ": statement " + id + " had not finished at the deadline "
                    + budget.deadline() + "; cancelled");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancelInBackground(id);
            throw new SourceException.TimedOut(what + ": interrupted while statement " + id + " ran; cancelled");
        }
    }

    private Statement fetch(String id, String what, Budget budget, long millis, long resultRows) {
        long cap = budget.maxBytes() > 0 ? budget.maxBytes() : Long.MAX_VALUE;
        List<String> columns = null;
        List<List<Object>> values = new ArrayList<>();
        long bytes = 0;
        String token = null;
        do {
            String sent = token;
            GetStatementResultResponse page = DataApiCalls.call(
                    budget,
                    "GetStatementResult Id=" + id + (sent == null ? "" : " (next page)"),
                    o -> client.getStatementResult(b -> b.id(id).nextToken(sent).overrideConfiguration(o)));
            if (columns == null) {
                columns = columns(page.columnMetadata());
            }
            for (List<Field> record : page.records()) {
                // the first row always comes back whole: a result cut to nothing would say less than one cut short
                if (values.size() >= maxRows || (bytes >= cap && !values.isEmpty())) {
                    return new Statement(id, new Rows(columns, values), millis, resultRows, true);
                }
                List<Object> row = new ArrayList<>(record.size());
                for (Field f : record) {
                    Object v = value(f);
                    bytes += size(v);
                    row.add(v);
                }
                values.add(row);
            }
            token = page.nextToken();
        } while (token != null && !token.isEmpty());
        return new Statement(id, new Rows(columns, values), millis, resultRows, false);
    }

    private static List<String> columns(List<ColumnMetadata> metadata) {
        List<String> names = new ArrayList<>(metadata.size());
        for (ColumnMetadata m : metadata) {
            names.add(m.label() != null && !m.label().isEmpty() ? m.label() : m.name());
        }
        return names;
    }

    /** The union {@code Field} as a Java value; timestamps and decimals are strings on the wire and stay so. */
    static Object value(Field f) {
        if (Boolean.TRUE.equals(f.isNull())) {
            return null;
        }
        return switch (f.type()) {
            case STRING_VALUE -> f.stringValue();
            case LONG_VALUE -> f.longValue();
            case DOUBLE_VALUE -> f.doubleValue();
            case BOOLEAN_VALUE -> f.booleanValue();
            case BLOB_VALUE -> f.blobValue().asByteArray();
            case IS_NULL, UNKNOWN_TO_SDK_VERSION -> null;
        };
    }

    private static long size(Object v) {
        return switch (v) {
            case String s -> s.getBytes(StandardCharsets.UTF_8).length;
            case byte[] b -> b.length;
            case null -> 4;
            default -> 8;
        };
    }

    static SourceException failed(String what, String id, String error) {
        String text = what + ": statement " + id + " FAILED: " + (error == null ? "(no error text)" : error.strip());
        if (error != null && MISSING_RELATION.matcher(error).find()) {
            return new SourceException.NotFound(text);
        }
        if (error != null && PERMISSION_DENIED.matcher(error).find()) {
            return new SourceException.Forbidden(text);
        }
        return new SourceException.BadRequest(text);
    }

    /** A statement left running holds a slot (and cost) in the warehouse; cancel it without waiting for it. */
    private void cancelInBackground(String id) {
        Thread.ofVirtual().name("cancel-statement-" + id).start(() -> {
            try {
                client.cancelStatement(b -> b.id(id).overrideConfiguration(o -> o.apiCallTimeout(CANCEL_TIMEOUT)));
            } catch (SdkException e) {
                // best effort: the statement may have just finished; Redshift's own timeouts still apply
            }
        });
    }

    private static String shortSql(String sql) {
        String oneLine = sql.strip().replaceAll("\\s+", " ");
        return oneLine.length() > 160 ? oneLine.substring(0, 160) + "…" : oneLine;
    }
}
