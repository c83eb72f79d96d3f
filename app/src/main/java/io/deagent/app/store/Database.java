package io.deagent.app.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.jdbi.v3.core.Jdbi;

/**
 * The incident store's database: a pooled connection, the schema migrated by Flyway, and the dialect for
 * the few statements H2 and PostgreSQL spell differently.
 */
public final class Database implements AutoCloseable {

    /** The embedded default: a file under {@code ./.de-agent/}; commits are written before they return. */
    public static final String DEFAULT_URL = "jdbc:h2:file:./.de-agent/incidents";

    /** The SQL spellings that differ. */
    public enum Dialect {
        H2,
        POSTGRESQL
    }

    /** The database cannot be opened or migrated; the message says which and what to check. */
    public static final class UnavailableException extends RuntimeException {
        public UnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final HikariDataSource dataSource;
    private final Jdbi jdbi;
    private final Dialect dialect;
    private final String displayUrl;

    private Database(HikariDataSource dataSource, Dialect dialect, String displayUrl) {
        this.dataSource = dataSource;
        this.jdbi = Jdbi.create(dataSource);
        this.dialect = dialect;
        this.displayUrl = displayUrl;
    }

    /** Opens (and creates, for H2) the database at {@code url} and brings its schema up to date. */
    public static Database open(String url, Optional<String> user, Optional<String> password, int poolSize) {
        if (!url.startsWith("jdbc:h2:") && !url.startsWith("jdbc:postgresql:")) {
            throw new UnavailableException(
                    "DE_AGENT_DB_URL must be a jdbc:h2: or jdbc:postgresql: URL, got " + safe(url), null);
        }
        String jdbcUrl = url;
        if (url.startsWith("jdbc:h2:file:")) {
            createParentDirectory(url);
            jdbcUrl = withH2Settings(url);
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        user.ifPresent(config::setUsername);
        password.ifPresent(config::setPassword);
        // Flyway holds one connection while it migrates on another
        config.setMaximumPoolSize(Math.max(3, poolSize));
        config.setPoolName("de-agent-store");
        config.setConnectionTimeout(Duration.ofSeconds(5).toMillis());
        // fail at start-up with the driver's own words, not after the first request
        config.setInitializationFailTimeout(1);
        HikariDataSource ds;
        try {
            ds = new HikariDataSource(config);
        } catch (RuntimeException e) {
            if (rootMessage(e).contains("file is locked")) {
                throw new UnavailableException(
                        "the incident store " + safe(url) + " is in use by another de-agent process; stop it, or"
                                + " give this one its own DE_AGENT_DB_URL (replicas share PostgreSQL, not an H2 file)",
                        e);
            }
            throw new UnavailableException(
                    "cannot open the incident store at " + safe(url) + ": " + rootMessage(e)
                            + " (check DE_AGENT_DB_URL, that the database is running and the credentials)",
                    e);
        }
        try {
            Dialect dialect = detect(ds);
            Flyway.configure()
                    .dataSource(ds)
                    .locations("classpath:db/migration")
                    .load()
                    .migrate();
            return new Database(ds, dialect, safe(url));
        } catch (FlywayException | SQLException e) {
            ds.close();
            throw new UnavailableException(
                    "cannot prepare the incident store at " + safe(url) + ": " + rootMessage(e), e);
        }
    }

    /**
     * An H2 file that is safe for a service: commits are written before they return (a killed process keeps
     * every acknowledged event), the database stays open until we close it at the end of a graceful
     * shutdown, and a second process gets a clear "in use" error instead of waiting.
     */
    static String withH2Settings(String url) {
        String lower = url.toLowerCase(Locale.ROOT);
        StringBuilder out = new StringBuilder(url);
        if (!lower.contains(";write_delay=")) {
            out.append(";WRITE_DELAY=0");
        }
        if (!lower.contains(";db_close_on_exit=")) {
            out.append(";DB_CLOSE_ON_EXIT=FALSE");
        }
        if (!lower.contains(";trace_level_file=")) {
            out.append(";TRACE_LEVEL_FILE=0");
        }
        return out.toString();
    }

    private static Dialect detect(HikariDataSource ds) throws SQLException {
        try (Connection c = ds.getConnection()) {
            String product = c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
            return product.contains("postgres") ? Dialect.POSTGRESQL : Dialect.H2;
        }
    }

    private static void createParentDirectory(String url) {
        String path = url.substring("jdbc:h2:file:".length());
        int semi = path.indexOf(';');
        if (semi >= 0) {
            path = path.substring(0, semi);
        }
        Path parent = Path.of(path).toAbsolutePath().getParent();
        try {
            Files.createDirectories(parent);
        } catch (java.io.IOException e) {
            throw new UnavailableException("cannot create the directory " + parent + " for the incident store", e);
        }
    }

    /** The URL without a password, for messages and logs. */
    static String safe(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***").replaceAll("//([^/:@]+):[^@/]*@", "//$1:***@");
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        int nl = m.indexOf('\n');
        return nl > 0 ? m.substring(0, nl) : m;
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    public Dialect dialect() {
        return dialect;
    }

    public String displayUrl() {
        return displayUrl;
    }

    /** True when a connection answers within a second: what {@code /readyz} reports. */
    public boolean isReachable() {
        try (Connection c = dataSource.getConnection()) {
            return c.isValid(1);
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
