package io.deagent.app.serve;

import static org.assertj.core.api.Assertions.assertThat;

import io.deagent.app.store.Database;
import io.deagent.app.store.IncidentStore;
import io.deagent.core.FailureEvent;
import io.deagent.core.FailureEvents;
import io.deagent.core.LogDiagnoser;
import io.deagent.core.investigate.Budget;
import io.deagent.core.investigate.DiagnosticSource;
import io.deagent.core.investigate.Evidence;
import io.deagent.core.investigate.EvidenceCollector;
import io.deagent.core.investigate.Investigator;
import io.deagent.core.log.LogReader;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dispatcher against a real store: graceful shutdown, failures and retries. */
class DispatcherTest {

    @TempDir
    Path dir;

    Database db;
    IncidentStore store;

    @BeforeEach
    void open() {
        db = Database.open("jdbc:h2:file:" + dir.resolve("store"), Optional.empty(), Optional.empty(), 6);
        store = new IncidentStore(db);
    }

    @AfterEach
    void close() {
        db.close();
    }

    static String json(String run) {
        return "{\"dag_id\":\"d\",\"task_id\":\"t\",\"run_id\":\"" + run
                + "\",\"exception\":\"java.lang.OutOfMemoryError: Java heap space\"}";
    }

    static FailureEvent event(String run) {
        return FailureEvents.parse(json(run), FailureEvent.Origin.AIRFLOW_WEBHOOK);
    }

    /** A source that holds the investigation until released, like a slow Airflow API. */
    static final class HeldSource implements DiagnosticSource {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public String id() {
            return "held";
        }

        @Override
        public boolean appliesTo(FailureEvent event) {
            return true;
        }

        @Override
        public Evidence collect(FailureEvent event, Budget budget) {
            entered.countDown();
            try {
                release.await(budget.remaining().toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Evidence.failed("held", Evidence.Status.NO_DATA, "nothing", Duration.ZERO);
        }
    }

    static final class ThrowingSource implements DiagnosticSource {
        @Override
        public String id() {
            return "broken";
        }

        @Override
        public boolean appliesTo(FailureEvent event) {
            throw new IllegalStateException("appliesTo exploded");
        }

        @Override
        public Evidence collect(FailureEvent event, Budget budget) {
            throw new IllegalStateException("never called");
        }
    }

    Dispatcher dispatcher(List<DiagnosticSource> sources, Duration grace) {
        Clock clock = Clock.systemUTC();
        Investigator investigator = new Investigator(
                LogDiagnoser.builtIn(),
                new EvidenceCollector(sources, Duration.ofSeconds(20), Duration.ofSeconds(20), 1 << 20, clock),
                new LogReader(),
                clock);
        return new Dispatcher(
                store,
                investigator,
                new ServiceMetrics(store::queueDepth),
                clock,
                new Dispatcher.Settings(
                        2, Duration.ofSeconds(30), 3, Duration.ofMillis(20), Duration.ofSeconds(1), grace),
                "worker-under-test");
    }

    @Test
    void shutdown_returns_work_still_in_progress_to_the_queue_and_its_late_result_is_dropped() throws Exception {
        HeldSource held = new HeldSource();
        long id = store.accept(event("r1"), json("r1"), Instant.now()).id();
        Dispatcher d = dispatcher(List.of(held), Duration.ofMillis(200));
        d.start();
        assertThat(held.entered.await(10, TimeUnit.SECONDS)).isTrue();

        d.close();

        var incident = store.find(id).orElseThrow();
        assertThat(incident.status()).isEqualTo("queued");
        assertThat(incident.attempts()).isZero();
        held.release.countDown();
        Thread.sleep(200);
        assertThat(store.find(id).orElseThrow().status()).isEqualTo("queued");
    }

    @Test
    void shutdown_lets_work_in_progress_finish_within_the_grace_period() throws Exception {
        HeldSource held = new HeldSource();
        long id = store.accept(event("r1"), json("r1"), Instant.now()).id();
        Dispatcher d = dispatcher(List.of(held), Duration.ofSeconds(10));
        d.start();
        assertThat(held.entered.await(10, TimeUnit.SECONDS)).isTrue();
        Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            held.release.countDown();
        });

        d.close();

        var incident = store.find(id).orElseThrow();
        assertThat(incident.status()).isEqualTo("done");
        assertThat(incident.diagnosisJson().orElseThrow())
                .contains("out_of_memory")
                .contains("held: NO_DATA (nothing)");
    }

    @Test
    void an_event_that_cannot_be_read_fails_after_its_attempts_without_stopping_the_others() throws Exception {
        long bad =
                store.accept(event("bad"), "{\"dag_id\":\"d\"}", Instant.now()).id();
        long good = store.accept(event("good"), json("good"), Instant.now()).id();
        Dispatcher d = dispatcher(List.of(new ThrowingSource()), Duration.ofSeconds(1));
        var claims = store.claim("worker-under-test", 5, Instant.now(), Duration.ofSeconds(30), 3);
        assertThat(claims).hasSize(2);
        for (var c : claims) {
            d.process(c);
        }
        assertThat(store.find(good).orElseThrow().status()).isEqualTo("done");
        var first = store.find(bad).orElseThrow();
        assertThat(first.status()).isEqualTo("queued");
        assertThat(first.error()).get().asString().contains("missing \"task_id\"");
    }
}
