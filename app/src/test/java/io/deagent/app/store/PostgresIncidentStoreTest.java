package io.deagent.app.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/** The store contract on a real PostgreSQL server (embedded binaries, one server for the class). */
class PostgresIncidentStoreTest extends IncidentStoreContract {

    private static EmbeddedPostgres pg;
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private Database db;

    @BeforeAll
    static void startPostgres() throws IOException {
        pg = EmbeddedPostgres.builder().start();
    }

    @AfterAll
    static void stopPostgres() throws IOException {
        pg.close();
    }

    @Override
    IncidentStore emptyStore() {
        String name = "store" + DATABASES.incrementAndGet();
        try (Connection c = pg.getPostgresDatabase().getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        db = Database.open(pg.getJdbcUrl("postgres", name), Optional.of("postgres"), Optional.of("postgres"), 6);
        return new IncidentStore(db);
    }

    @Override
    Outbox outbox() {
        return new Outbox(db);
    }

    @Override
    Database database() {
        return db;
    }

    @Override
    SlackRecords slackRecords() {
        return new SlackRecords(db);
    }

    @AfterEach
    void close() {
        db.close();
    }
}
