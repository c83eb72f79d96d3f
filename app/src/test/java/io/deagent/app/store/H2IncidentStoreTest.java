package io.deagent.app.store;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on the embedded default: an H2 file. */
class H2IncidentStoreTest extends IncidentStoreContract {

    @TempDir
    Path dir;

    private Database db;

    @Override
    IncidentStore emptyStore() {
        db = Database.open(
                "jdbc:h2:file:" + dir.resolve("store") + ";WRITE_DELAY=0", Optional.empty(), Optional.empty(), 4);
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
