package io.deagent.sources.warehouse;

import io.deagent.core.investigate.Budget;
import io.deagent.sources.SourceException;
import io.deagent.sources.redshift.Rows;
import io.deagent.sources.redshift.SqlRunner;
import java.math.BigDecimal;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs read-only SQL over JDBC with the PostgreSQL driver (Redshift speaks its protocol). One connection per
 * query, so a stuck statement never holds anything beyond its own deadline and the runner is safe to share.
 *
 * <p>Every wait is bounded by the budget: connecting ({@code loginTimeout}, {@code connectTimeout}), the
 * statement (cancelled at the deadline, to the millisecond), and reading the socket ({@code socketTimeout}, a
 * backstop when the server cannot even be asked to cancel). The transaction is {@code READ ONLY}, parameters
 * are always bound, and the result is capped in rows and bytes: the caller sees at most {@code maxRows} rows,
 * and cells are cut so the whole result stays within {@code budget.maxBytes()}.
 */
public final class JdbcSqlRunner implements SqlRunner {

    public static final int DEFAULT_MAX_ROWS = 500;
    /** A single cell (compiled SQL, a long message) is cut at this length even when the budget allows more. */
    static final int MAX_CELL_CHARS = 16 * 1024;

    private static final ScheduledExecutorService CANCELLER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "de-agent-jdbc-cancel");
        t.setDaemon(true);
        return t;
    });
    private static final DateTimeFormatter LOCAL_TIMESTAMP = DateTimeFormatter.ISO_LOCAL_DATE_TIME;

    private final WarehouseSettings.Jdbc jdbc;
    private final int maxRows;

    public JdbcSqlRunner(WarehouseSettings.Jdbc jdbc) {
        this(jdbc, DEFAULT_MAX_ROWS);
    }

    public JdbcSqlRunner(WarehouseSettings.Jdbc jdbc, int maxRows) {
        if (maxRows < 1) {
            throw new IllegalArgumentException("maxRows must be at least 1, got " + maxRows);
        }
        this.jdbc = jdbc;
        this.maxRows = maxRows;
    }

    /** The warehouse as messages may name it: the JDBC URL without any password. */
    public String target() {
        return jdbc.redactedUrl();
    }

    @Override
    public Rows query(String sql, List<Object> params, Budget budget) {
        Duration left = budget.remaining();
        if (left.isZero()) {
            throw new SourceException.TimedOut(what(sql) + ": no time left in the budget");
        }
        AtomicBoolean cancelledAtDeadline = new AtomicBoolean();
        try (Connection connection = DriverManager.getConnection(jdbc.url(), properties(left))) {
            connection.setAutoCommit(false);
            connection.setReadOnly(true); // the driver begins every transaction READ ONLY
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                bind(statement, params);
                statement.setMaxRows(maxRows);
                statement.setFetchSize(Math.min(maxRows, 100));
                ScheduledFuture<?> cancel = cancelAtDeadline(statement, budget, cancelledAtDeadline);
                try (ResultSet result = statement.executeQuery()) {
                    return read(result, budget.maxBytes());
                } finally {
                    cancel.cancel(false);
                }
            } finally {
                rollbackQuietly(connection);
            }
        } catch (SQLException e) {
            throw mapped(e, sql, budget, cancelledAtDeadline.get());
        }
    }

    private Properties properties(Duration left) {
        Properties p = new Properties();
        jdbc.user().ifPresent(u -> p.setProperty("user", u));
        jdbc.password().ifPresent(pw -> p.setProperty("password", pw));
        String seconds = String.valueOf(ceilSeconds(left));
        p.setProperty("loginTimeout", seconds);
        p.setProperty("connectTimeout", seconds);
        // a backstop only: the statement is cancelled at the deadline; this ends a read from a dead peer
        p.setProperty("socketTimeout", String.valueOf(ceilSeconds(left) + 1));
        p.setProperty("ApplicationName", "de-agent");
        return p;
    }

    private static ScheduledFuture<?> cancelAtDeadline(
            PreparedStatement statement, Budget budget, AtomicBoolean cancelled) {
        long millis = Math.max(1, budget.remaining().toMillis());
        return CANCELLER.schedule(
                () -> {
                    cancelled.set(true);
                    try {
                        statement.cancel();
                    } catch (SQLException ignored) {
                        // the socket timeout still ends the wait
                    }
                },
                millis,
                TimeUnit.MILLISECONDS);
    }

    private static void bind(PreparedStatement statement, List<Object> params) throws SQLException {
        for (int i = 0; i < params.size(); i++) {
            Object value = params.get(i);
            switch (value) {
                case null -> statement.setNull(i + 1, Types.VARCHAR);
                case String s -> statement.setString(i + 1, s);
                case Integer n -> statement.setInt(i + 1, n);
                case Long n -> statement.setLong(i + 1, n);
                case Double n -> statement.setDouble(i + 1, n);
                case BigDecimal n -> statement.setBigDecimal(i + 1, n);
                case Boolean b -> statement.setBoolean(i + 1, b);
                case Instant t -> statement.setTimestamp(i + 1, Timestamp.from(t));
                default -> statement.setString(i + 1, value.toString());
            }
        }
    }

    private Rows read(ResultSet result, long maxBytes) throws SQLException {
        ResultSetMetaData meta = result.getMetaData();
        int width = meta.getColumnCount();
        List<String> columns = new ArrayList<>(width);
        for (int c = 1; c <= width; c++) {
            columns.add(meta.getColumnLabel(c));
        }
        List<List<Object>> values = new ArrayList<>();
        long bytes = 0;
        while (values.size() < maxRows && bytes < maxBytes && result.next()) {
            List<Object> row = new ArrayList<>(width);
            for (int c = 1; c <= width; c++) {
                Object cell = cell(result, c, meta.getColumnTypeName(c));
                if (cell instanceof String s) {
                    cell = cut(s, (int) Math.min(MAX_CELL_CHARS, Math.max(0, maxBytes - bytes)));
                    bytes += ((String) cell).getBytes(StandardCharsets.UTF_8).length;
                } else {
                    bytes += 8;
                }
                row.add(cell);
            }
            values.add(Collections.unmodifiableList(row));
        }
        return new Rows(List.copyOf(columns), Collections.unmodifiableList(values));
    }

    /** Numbers, booleans and text as they are; time as ISO-8601 text, the way the Data API returns it. */
    private static Object cell(ResultSet result, int c, String typeName) throws SQLException {
        Object raw = result.getObject(c);
        if (raw == null) {
            return null;
        }
        return switch (typeName) {
            case "timestamptz" ->
                result.getObject(c, OffsetDateTime.class).toInstant().toString();
            case "timestamp" -> LOCAL_TIMESTAMP.format(result.getObject(c, LocalDateTime.class));
            case "date" -> result.getObject(c, LocalDate.class).toString();
            default ->
                raw instanceof Number || raw instanceof Boolean || raw instanceof String ? raw : result.getString(c);
        };
    }

    static String cut(String s, int maxChars) {
        if (s.length() <= maxChars) {
            return s;
        }
        return s.substring(0, Math.max(0, maxChars)) + "…[cut at " + maxChars + " chars]";
    }

    private static void rollbackQuietly(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // closing the connection ends the transaction anyway
        }
    }

    /**
     * Maps the driver's error once, by SQLSTATE class: 28 (authorization) and 42501 (privilege) are not worth a
     * retry, 42P01/3F000 (no such table or schema) is "not found" so callers can skip that part, 08 and 53/57P
     * (connection, resources, shutdown) are worth another try, and a statement we cancelled at the deadline is a
     * timeout.
     */
    private SourceException mapped(SQLException e, String sql, Budget budget, boolean cancelledAtDeadline) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String message =
                what(sql) + ": " + (state.isEmpty() ? "" : "SQLSTATE " + state + " ") + oneLine(e.getMessage());
        if (cancelledAtDeadline || state.equals("57014") || hasCause(e, SocketTimeoutException.class)) {
            return new SourceException.TimedOut(message + " (deadline " + budget.deadline() + ")");
        }
        if (state.startsWith("28")) {
            return new SourceException.Unauthorized(message);
        }
        if (state.equals("42501")) {
            return new SourceException.Forbidden(message);
        }
        if (state.equals("42P01") || state.equals("3F000") || state.equals("3D000")) {
            return new SourceException.NotFound(message);
        }
        if (state.startsWith("08")
                || state.startsWith("53")
                || state.startsWith("57P")
                || state.equals("40001")
                || hasCause(e, ConnectException.class)
                || hasCause(e, UnknownHostException.class)) {
            return budget.remaining().isZero()
                    ? new SourceException.TimedOut(message)
                    : new SourceException.Unavailable(message);
        }
        return new SourceException.BadRequest(message);
    }

    private String what(String sql) {
        String oneLine = oneLine(sql);
        return "query on " + target() + " [" + (oneLine.length() > 160 ? oneLine.substring(0, 160) + "…" : oneLine)
                + "]";
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.strip().replaceAll("\\s+", " ");
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> kind) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (kind.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    static int ceilSeconds(Duration d) {
        long ms = d.toMillis();
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (ms + 999) / 1000));
    }

    @Override
    public String toString() {
        return "JdbcSqlRunner[" + target() + "]";
    }
}
