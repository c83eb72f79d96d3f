package io.deagent.core.investigate;

import static org.assertj.core.api.Assertions.assertThat;

import io.deagent.core.FailureEvent;
import io.deagent.core.FailureEvents;
import io.deagent.core.LogDiagnoser;
import io.deagent.core.log.LogReader;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

class EvidenceCollectorTest {

    static final FailureEvent EVENT = FailureEvents.parse(
            "{\"dag_id\":\"daily_orders\",\"task_id\":\"load\",\"exception\":\"java.lang.OutOfMemoryError: Java heap space\"}",
            FailureEvent.Origin.CLI);

    record Source(String id, boolean applies, BiFunction<FailureEvent, Budget, Evidence> body)
            implements DiagnosticSource {
        @Override
        public boolean appliesTo(FailureEvent event) {
            return applies;
        }

        @Override
        public Evidence collect(FailureEvent event, Budget budget) {
            return body.apply(event, budget);
        }
    }

    static EvidenceCollector collector(Duration perSource, DiagnosticSource... sources) {
        return new EvidenceCollector(List.of(sources), Duration.ofSeconds(10), perSource, 1 << 20, Clock.systemUTC());
    }

    @Test
    void sources_run_at_the_same_time() {
        CountDownLatch a = new CountDownLatch(1);
        CountDownLatch b = new CountDownLatch(1);
        // each waits for the other: only concurrent calls can both finish
        Source first = new Source("first", true, (e, budget) -> {
            a.countDown();
            return await(b) ? Evidence.ok("first", "x", Duration.ZERO) : null;
        });
        Source second = new Source("second", true, (e, budget) -> {
            b.countDown();
            return await(a) ? Evidence.ok("second", "y", Duration.ZERO) : null;
        });

        List<Evidence> out = collector(Duration.ofSeconds(5), first, second).collect(EVENT);

        assertThat(out).extracting(Evidence::status).containsExactly(Evidence.Status.OK, Evidence.Status.OK);
    }

    @Test
    void a_slow_source_times_out_a_broken_one_errors_and_neither_stops_the_rest() {
        Source slow = new Source("slow", true, (e, budget) -> {
            sleep(5_000);
            return Evidence.ok("slow", "late", Duration.ZERO);
        });
        Source broken = new Source("broken", true, (e, budget) -> {
            throw new IllegalStateException("HTTP 502 from the Airflow API");
        });
        Source fine = new Source("fine", true, (e, budget) -> Evidence.ok("fine", "log text", Duration.ZERO));
        Source notForThis = new Source("other", false, (e, budget) -> {
            throw new AssertionError("must not be called");
        });

        long start = System.nanoTime();
        List<Evidence> out = collector(Duration.ofMillis(300), slow, broken, fine, notForThis)
                .collect(EVENT);
        long tookMs = (System.nanoTime() - start) / 1_000_000;

        assertThat(out).extracting(Evidence::sourceId).containsExactly("slow", "broken", "fine");
        assertThat(out.get(0).status()).isEqualTo(Evidence.Status.TIMED_OUT);
        assertThat(out.get(0).missingLine()).startsWith("slow: TIMED_OUT (no answer after 0.");
        assertThat(out.get(1).status()).isEqualTo(Evidence.Status.ERROR);
        assertThat(out.get(1).error()).contains("IllegalStateException: HTTP 502 from the Airflow API");
        assertThat(out.get(2).status()).isEqualTo(Evidence.Status.OK);
        assertThat(tookMs)
                .as("returns at the per-source limit, not when the slow source ends")
                .isLessThan(4_000);
    }

    @Test
    void the_investigator_reads_the_log_a_source_fetched_and_reports_what_was_missing() {
        Source airflow = new Source(
                "airflow",
                true,
                (e, budget) -> Evidence.ok(
                        "airflow",
                        "ERROR Executor: Exception in task 3.0 in stage 2.0 (TID 7)\njava.lang.OutOfMemoryError: Java heap space\n",
                        Duration.ZERO));
        Source spark = new Source(
                "spark_history",
                true,
                (e, budget) ->
                        Evidence.failed("spark_history", Evidence.Status.ERROR, "connection refused", Duration.ZERO));
        FailureEvent noLog = FailureEvents.parse("{\"dag_id\":\"d\",\"task_id\":\"t\"}", FailureEvent.Origin.CLI);
        Investigator investigator = new Investigator(
                LogDiagnoser.builtIn(),
                collector(Duration.ofSeconds(5), airflow, spark),
                new LogReader(),
                Clock.systemUTC());

        Investigator.Investigation inv =
                investigator.investigate(noLog, Investigator.LogFiles.IGNORE, Optional.empty());

        assertThat(inv.logSource()).isEqualTo("airflow");
        assertThat(inv.diagnosis().category()).isEqualTo("out_of_memory_executor");
        assertThat(inv.diagnosis().missingEvidence()).contains("spark_history: ERROR (connection refused)");
        assertThat(inv.sourcesCalled()).containsExactly("airflow", "spark_history");
    }

    @Test
    void an_event_from_outside_never_makes_the_investigator_read_a_file() {
        FailureEvent withPath = FailureEvents.parse(
                "{\"dag_id\":\"d\",\"task_id\":\"t\",\"log_file\":\"/etc/passwd\",\"exception\":\"boom\"}",
                FailureEvent.Origin.AIRFLOW_WEBHOOK);
        Investigator investigator = new Investigator(
                LogDiagnoser.builtIn(), collector(Duration.ofSeconds(1)), new LogReader(), Clock.systemUTC());

        Investigator.Investigation inv =
                investigator.investigate(withPath, Investigator.LogFiles.IGNORE, Optional.empty());

        assertThat(inv.logSource()).isEqualTo("exception");
        assertThat(inv.diagnosis().log().bytes()).isEqualTo(4);
    }

    static boolean await(CountDownLatch l) {
        try {
            return l.await(3, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
