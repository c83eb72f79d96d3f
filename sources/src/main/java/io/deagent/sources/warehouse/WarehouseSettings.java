package io.deagent.sources.warehouse;

import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Where the dbt evidence lives: a warehouse reachable over JDBC (or, wired by the app, the Redshift Data API),
 * the schema of the Elementary tables, a team's own audit query, and a local dbt {@code target/} directory.
 *
 * <p>{@link #from} is present when any of {@code DE_AGENT_WAREHOUSE_JDBC_URL}, {@code REDSHIFT_CLUSTER_ID},
 * {@code REDSHIFT_WORKGROUP} or {@code DBT_TARGET_PATH} is set: the Elementary schema and the audit query apply
 * to whichever {@code SqlRunner} the app builds (JDBC here, the Data API in {@code sources.redshift}).
 */
public record WarehouseSettings(
        Optional<Jdbc> jdbc, String elementarySchema, Optional<AuditQuery> auditQuery, Optional<Path> dbtTargetPath) {

    public static final String JDBC_URL = "DE_AGENT_WAREHOUSE_JDBC_URL";
    public static final String USER = "DE_AGENT_WAREHOUSE_USER";
    public static final String PASSWORD = "DE_AGENT_WAREHOUSE_PASSWORD";
    public static final String ELEMENTARY_SCHEMA = "DE_AGENT_ELEMENTARY_SCHEMA";
    public static final String AUDIT_QUERY = "DE_AGENT_AUDIT_QUERY";
    public static final String DBT_TARGET_PATH = "DBT_TARGET_PATH";
    public static final String DEFAULT_ELEMENTARY_SCHEMA = "elementary";

    /**
     * The schema name is written into SQL text (identifiers cannot be bound as parameters), so it must be a
     * plain identifier, optionally {@code database.schema}. Unquoted on purpose: Redshift and PostgreSQL fold
     * unquoted names to lower case, which is how dbt creates them.
     */
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*(\\.[A-Za-z_][A-Za-z0-9_$]*)?");

    public WarehouseSettings {
        checkedSchema(elementarySchema);
    }

    static String checkedSchema(String schema) {
        if (!IDENTIFIER.matcher(schema).matches()) {
            throw new IllegalArgumentException(ELEMENTARY_SCHEMA + " must be a plain schema name such as"
                    + " analytics_elementary (letters, digits, _ and $), got: " + schema);
        }
        return schema;
    }

    public static Optional<WarehouseSettings> from(Function<String, Optional<String>> config) {
        Optional<String> url = value(config, JDBC_URL);
        Optional<String> target = value(config, DBT_TARGET_PATH);
        boolean redshiftDataApi = value(config, "REDSHIFT_CLUSTER_ID").isPresent()
                || value(config, "REDSHIFT_WORKGROUP").isPresent();
        if (url.isEmpty() && target.isEmpty() && !redshiftDataApi) {
            return Optional.empty();
        }
        Optional<Jdbc> jdbc = url.map(u -> new Jdbc(u, value(config, USER), value(config, PASSWORD)));
        String schema = value(config, ELEMENTARY_SCHEMA).orElse(DEFAULT_ELEMENTARY_SCHEMA);
        Optional<AuditQuery> audit = value(config, AUDIT_QUERY).map(AuditQuery::parse);
        return Optional.of(new WarehouseSettings(jdbc, schema, audit, target.map(Path::of)));
    }

    private static Optional<String> value(Function<String, Optional<String>> config, String name) {
        return config.apply(name).map(String::strip).filter(v -> !v.isEmpty());
    }

    /**
     * A JDBC connection over the PostgreSQL driver, which Redshift speaks. A {@code jdbc:redshift://} URL (as the
     * AWS console shows it) is accepted and read as {@code jdbc:postgresql://}: only the PostgreSQL driver is on
     * the classpath, and host, port and database mean the same to both.
     */
    public record Jdbc(String url, Optional<String> user, Optional<String> password) {

        private static final Pattern SECRET_PARAM =
                Pattern.compile("(?i)([?&;][^=&;]*(?:password|secret|token)[^=&;]*=)[^&;]*");
        private static final Pattern USER_INFO = Pattern.compile("(//[^/:@]*:)[^/@]*@");

        public Jdbc {
            if (url.startsWith("jdbc:redshift:")) {
                url = "jdbc:postgresql:" + url.substring("jdbc:redshift:".length());
            }
            if (!url.startsWith("jdbc:postgresql:")) {
                throw new IllegalArgumentException(JDBC_URL + " must start with jdbc:postgresql:// (or"
                        + " jdbc:redshift://), e.g. jdbc:postgresql://my-cluster.abc.eu-west-1.redshift"
                        + ".amazonaws.com:5439/analytics; got: " + redact(url));
            }
        }

        /** The URL as it may appear in messages: passwords, secrets and tokens in it replaced by ***. */
        public String redactedUrl() {
            return redact(url);
        }

        static String redact(String url) {
            String noParams = SECRET_PARAM.matcher(url).replaceAll("$1***");
            return USER_INFO.matcher(noParams).replaceAll("$1***@");
        }

        @Override
        public String toString() {
            return "Jdbc[url=" + redactedUrl() + ", user=" + user.orElse("") + ", password="
                    + (password.isPresent() ? "***" : "") + "]";
        }
    }
}
