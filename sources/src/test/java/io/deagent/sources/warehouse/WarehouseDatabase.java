package io.deagent.sources.warehouse;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/**
 * One real PostgreSQL for the warehouse tests, started once per test JVM: the Elementary tables and a team audit
 * table ({@code warehouse/elementary.sql}), Redshift look-alikes ({@code warehouse/redshift.sql}), and a
 * read-only login role that needs a password (pg_hba is switched from trust to scram-sha-256 for every role but
 * the superuser the fixture itself uses).
 */
final class WarehouseDatabase {

    static final String AUDITOR = "de_agent_auditor";
    static final String AUDITOR_PASSWORD = "Auditor-pw-7f3e9c";

    private static EmbeddedPostgres postgres;

    private WarehouseDatabase() {}

    static synchronized EmbeddedPostgres postgres() {
        if (postgres == null) {
            try {
                postgres = EmbeddedPostgres.builder()
                        .setDataDirectoryCustomizer(WarehouseDatabase::requirePasswords)
                        .start();
                load();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return postgres;
    }

    /** {@code jdbc:postgresql://localhost:<port>/postgres}. */
    static String url() {
        return "jdbc:postgresql://localhost:" + postgres().getPort() + "/postgres";
    }

    /** The same database seen as Redshift: {@code schema} (redshift_fake or redshift_stl) first on the path. */
    static String redshiftUrl(String schema) {
        return url() + "?currentSchema=" + schema + ",pg_catalog,public";
    }

    static WarehouseSettings.Jdbc auditor(String url) {
        return new WarehouseSettings.Jdbc(url, Optional.of(AUDITOR), Optional.of(AUDITOR_PASSWORD));
    }

    /** The superuser: may drop anything, so only the source's own care protects the tables. */
    static WarehouseSettings.Jdbc superuser() {
        return new WarehouseSettings.Jdbc(url(), Optional.of("postgres"), Optional.empty());
    }

    static Connection admin() throws SQLException {
        return postgres().getPostgresDatabase().getConnection();
    }

    static boolean tableExists(String qualified) throws SQLException {
        try (Connection c = admin();
                Statement s = c.createStatement();
                var rs = s.executeQuery("select to_regclass('" + qualified + "') is not null")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private static void requirePasswords(java.io.File dataDirectory) {
        String hba = String.join(
                "\n",
                "local all all trust",
                "host all postgres 127.0.0.1/32 trust",
                "host all postgres ::1/128 trust",
                "host all all 127.0.0.1/32 scram-sha-256",
                "host all all ::1/128 scram-sha-256",
                "");
        try {
            Files.writeString(dataDirectory.toPath().resolve("pg_hba.conf"), hba);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void load() {
        try (Connection c = postgres.getPostgresDatabase().getConnection();
                Statement s = c.createStatement()) {
            s.execute(resource("elementary.sql"));
            s.execute(resource("redshift.sql"));
            s.execute("create role " + AUDITOR + " login password '" + AUDITOR_PASSWORD + "'");
            for (String schema : new String[] {"elementary", "audit", "redshift_fake", "redshift_stl"}) {
                s.execute("grant usage on schema " + schema + " to " + AUDITOR);
                s.execute("grant select on all tables in schema " + schema + " to " + AUDITOR);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("loading the warehouse fixtures failed: " + e.getMessage(), e);
        }
    }

    private static String resource(String name) {
        try (InputStream in = WarehouseDatabase.class.getResourceAsStream("/warehouse/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource warehouse/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path resourceDir(String name) {
        try {
            return Path.of(
                    WarehouseDatabase.class.getResource("/warehouse/" + name).toURI());
        } catch (java.net.URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing test resource directory warehouse/" + name, e);
        }
    }
}
