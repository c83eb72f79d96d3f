package io.deagent.app.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.deagent.core.Diagnosis;
import io.deagent.core.FailureEvent;
import io.deagent.core.FailureEvents;
import io.deagent.core.LogDiagnoser;
import io.deagent.core.log.LogReader;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every incident store must do, whichever database is under it. */
abstract class IncidentStoreContract {

    static final Duration LEASE = Duration.ofSeconds(30);
    static final Instant T0 = Instant.parse("2026-11-20T03:00:00Z");
    static final String LOG = """
            [2026-11-20, 03:00:05 UTC] {taskinstance.py:2905} ERROR - Task failed with exception
            Traceback (most recent call last):
              File "/opt/airflow/dags/orders.py", line 40, in load
                cur.execute(sql)
            psycopg2.errors.UndefinedColumn: column "customer_idd" does not exist
            """;

    IncidentStore store;

    /** A store on an empty database. */
    abstract IncidentStore emptyStore();

    /** The outbox on the same database as {@link #emptyStore()}. */
    abstract Outbox outbox();

    abstract SlackRecords slackRecords();

    abstract Database database();

    @BeforeEach
    void open() {
        store = emptyStore();
    }

    static FailureEvent event(String run, int tryNumber) {
        return FailureEvents.parse("""
                {"dag_id":"daily_orders","task_id":"load_orders","run_id":"%s","try_number":%d}
                """.formatted(run, tryNumber), FailureEvent.Origin.AIRFLOW_WEBHOOK);
    }

    static Diagnosis diagnosis(FailureEvent e) {
        return LogDiagnoser.builtIn().diagnose(new LogReader().read(LOG), Optional.of(e), List.of());
    }

    @Test
    void the_same_failure_delivered_twice_is_one_incident() {
        FailureEvent e = event("r1", 1);
        var first = store.accept(e, "{}", T0);
        var again = store.accept(e, "{}", T0.plusSeconds(1));
        var otherTry = store.accept(event("r1", 2), "{}", T0.plusSeconds(2));

        assertThat(first.duplicate()).isFalse();
        assertThat(again.duplicate()).isTrue();
        assertThat(again.id()).isEqualTo(first.id());
        assertThat(otherTry.id()).isNotEqualTo(first.id());
        assertThat(store.find(first.id()).orElseThrow().deliveries()).isEqualTo(2);
        assertThat(store.queueDepth()).isEqualTo(2);
    }

    @Test
    void a_claimed_incident_is_not_handed_out_again_while_its_lease_runs() {
        long id = store.accept(event("r1", 1), "{}", T0).id();

        List<IncidentStore.Claim> a = store.claim("a", 10, T0, LEASE, 3);
        List<IncidentStore.Claim> b = store.claim("b", 10, T0.plusSeconds(29), LEASE, 3);

        assertThat(a).extracting(IncidentStore.Claim::id).containsExactly(id);
        assertThat(b).isEmpty();
        assertThat(store.find(id).orElseThrow().status()).isEqualTo("investigating");
    }

    @Test
    void concurrent_workers_never_claim_the_same_incident() throws Exception {
        for (int i = 0; i < 60; i++) {
            store.accept(event("run-" + i, 1), "{}", T0);
        }
        Set<Long> seen = Collections.synchronizedSet(new HashSet<>());
        List<Long> all = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch go = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<?>> fs = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                String worker = "w" + w;
                fs.add(pool.submit(() -> {
                    go.await();
                    for (int round = 0; round < 30; round++) {
                        for (var c : store.claim(worker, 3, T0, LEASE, 3)) {
                            seen.add(c.id());
                            all.add(c.id());
                        }
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : fs) {
                f.get();
            }
        }
        assertThat(all).hasSize(60).doesNotHaveDuplicates();
        assertThat(seen).hasSize(60);
    }

    @Test
    void work_of_a_worker_that_died_is_taken_over_when_its_lease_runs_out_and_its_late_answer_is_ignored() {
        FailureEvent e = event("r1", 1);
        store.accept(e, "{}", T0);
        IncidentStore.Claim dead = store.claim("dead", 1, T0, LEASE, 3).get(0);

        List<IncidentStore.Claim> taken = store.claim("alive", 1, T0.plus(LEASE).plusSeconds(1), LEASE, 3);
        assertThat(taken).hasSize(1);
        assertThat(taken.get(0).attempts()).isEqualTo(2);

        Optional<Diagnosis> late = store.complete(dead, "dead", e, diagnosis(e), 5, T0.plusSeconds(40));
        Optional<Diagnosis> done = store.complete(taken.get(0), "alive", e, diagnosis(e), 7, T0.plusSeconds(41));

        assertThat(late).isEmpty();
        assertThat(done).isPresent();
        var incident = store.find(dead.id()).orElseThrow();
        assertThat(incident.status()).isEqualTo("done");
        assertThat(incident.diagnosticMs()).contains(7L);
        assertThat(store.recurrence(done.get().signature(), "daily_orders", "load_orders")
                        .orElseThrow()
                        .seen())
                .isEqualTo(1);
    }

    @Test
    void recurrence_counts_each_incident_once_per_dag_and_task() {
        Diagnosis last = null;
        for (int i = 0; i < 3; i++) {
            FailureEvent e = event("run-" + i, 1);
            store.accept(e, "{}", T0.plus(Duration.ofDays(i)));
            IncidentStore.Claim c =
                    store.claim("w", 1, T0.plus(Duration.ofDays(i)), LEASE, 3).get(0);
            last = store.complete(c, "w", e, diagnosis(e), 3, T0.plus(Duration.ofDays(i)))
                    .orElseThrow();
            // a second completion of the same claim (a retried transaction, a confused worker) counts nothing
            assertThat(store.complete(c, "w", e, diagnosis(e), 3, T0)).isEmpty();
        }
        assertThat(last.recurrence()).isPresent();
        assertThat(last.recurrence().get().seen()).isEqualTo(3);
        assertThat(last.recurrence().get().firstSeen()).contains("2026-11-20T03:00:00Z");
        assertThat(last.category()).isEqualTo("missing_column");
    }

    @Test
    void a_failing_investigation_is_retried_then_marked_failed() {
        FailureEvent e = event("r1", 1);
        long id = store.accept(e, "{}", T0).id();
        Instant now = T0;
        for (int attempt = 1; attempt <= 3; attempt++) {
            IncidentStore.Claim c = store.claim("w", 1, now, LEASE, 3).get(0);
            assertThat(c.attempts()).isEqualTo(attempt);
            assertThat(store.fail(c, "w", "boom " + attempt, now, 3, Duration.ofSeconds(10)))
                    .isTrue();
            assertThat(store.claim("w", 1, now.plusSeconds(5), LEASE, 3)).isEmpty();
            now = now.plusSeconds(11);
        }
        var incident = store.find(id).orElseThrow();
        assertThat(incident.status()).isEqualTo("failed");
        assertThat(incident.error()).contains("boom 3");
        assertThat(store.queueDepth()).isZero();
    }

    @Test
    void an_incident_whose_worker_keeps_dying_is_given_up_after_the_attempt_limit() {
        long id = store.accept(event("poison", 1), "{}", T0).id();
        Instant now = T0;
        for (int i = 0; i < 3; i++) {
            assertThat(store.claim("w" + i, 1, now, LEASE, 3)).hasSize(1);
            now = now.plus(LEASE).plusSeconds(1);
        }
        assertThat(store.claim("w9", 1, now, LEASE, 3)).isEmpty();
        assertThat(store.find(id).orElseThrow().status()).isEqualTo("failed");
    }

    @Test
    void released_work_goes_back_to_the_queue_without_using_an_attempt() {
        long id = store.accept(event("r1", 1), "{}", T0).id();
        store.claim("w", 1, T0, LEASE, 3);
        assertThat(store.release("w")).isEqualTo(1);

        var again = store.claim("v", 1, T0.plusSeconds(1), LEASE, 3);
        assertThat(again).extracting(IncidentStore.Claim::id).containsExactly(id);
        assertThat(again.get(0).attempts()).isEqualTo(1);
    }

    @Test
    void a_renewed_lease_keeps_the_incident() {
        store.accept(event("r1", 1), "{}", T0);
        store.claim("w", 1, T0, LEASE, 3);
        assertThat(store.renew("w", T0.plusSeconds(60))).isEqualTo(1);
        assertThat(store.claim("v", 1, T0.plusSeconds(45), LEASE, 3)).isEmpty();
    }

    @Test
    void a_thread_reply_is_sent_again_when_the_outcome_changes_and_listed_with_the_incident() {
        Outbox outbox = outbox();
        FailureEvent e = event("r1", 1);
        long id = store.accept(e, "{\"dag_id\":\"daily_orders\"}", T0).id();
        assertThat(outbox.ensureThreadReply(id, "slack", "C123/1700000000.000100", T0))
                .isTrue();
        assertThat(outbox.ensureThreadReply(id, "slack", "C123/1700000000.000100", T0))
                .isFalse();

        // the "investigating" message goes out first
        Outbox.Pending first = outbox.claim("s", 10, T0, LEASE).get(0);
        assertThat(outbox.claim("other", 10, T0, LEASE)).isEmpty();
        outbox.sent(first, "s", "1700000001.000200", T0);
        assertThat(outbox.claim("s", 10, T0, LEASE)).isEmpty();

        // the outcome queues it again, to update the same message
        IncidentStore.Claim c = store.claim("w", 1, T0, LEASE, 3).get(0);
        store.complete(c, "w", e, diagnosis(e), 3, T0);
        Outbox.Pending update = outbox.claim("s", 10, T0, LEASE).get(0);
        assertThat(update.messageTs()).contains("1700000001.000200");
        assertThat(update.version()).isEqualTo(first.version() + 1);
        outbox.sent(update, "s", "1700000001.000200", T0);

        var incident = store.find(id).orElseThrow();
        assertThat(incident.replies()).hasSize(1);
        assertThat(incident.replies().get(0).status()).isEqualTo("sent");
        assertThat(outbox.incidentOfMessage("C123", "1700000001.000200")).contains(id);
        assertThat(incident.diagnosisJson().orElseThrow()).contains("\"recurrence\"", "\"seen\": 1");
    }

    @Test
    void a_send_that_raced_with_a_new_outcome_stays_pending_and_a_permanent_error_stops_retries() {
        Outbox outbox = outbox();
        FailureEvent e = event("r1", 1);
        long id = store.accept(e, "{}", T0).id();
        outbox.ensureThreadReply(id, "slack", "C1/1.1", T0);
        Outbox.Pending sending = outbox.claim("s", 10, T0, LEASE).get(0);
        IncidentStore.Claim c = store.claim("w", 1, T0, LEASE, 3).get(0);
        store.complete(c, "w", e, diagnosis(e), 3, T0); // while the first send is in flight
        outbox.sent(sending, "s", "2.2", T0);
        Outbox.Pending again = outbox.claim("s", 10, T0, LEASE).get(0);
        assertThat(again.messageTs()).contains("2.2");

        outbox.failed(again, "s", "ratelimited", Optional.of(T0.plusSeconds(30)), T0);
        assertThat(outbox.claim("s", 10, T0.plusSeconds(29), LEASE)).isEmpty();
        Outbox.Pending retried =
                outbox.claim("s", 10, T0.plusSeconds(31), LEASE).get(0);
        outbox.failed(retried, "s", "channel_not_found", Optional.empty(), T0);
        assertThat(outbox.claim("s", 10, T0.plus(Duration.ofDays(1)), LEASE)).isEmpty();
        assertThat(store.find(id).orElseThrow().replies().get(0).status()).isEqualTo("failed");
    }

    @Test
    void slack_deliveries_threads_and_feedback_are_remembered_once() {
        SlackRecords slack = slackRecords();
        long id = store.accept(event("r1", 1), "{}", T0).id();
        long other = store.accept(event("r2", 1), "{}", T0).id();

        assertThat(slack.firstDelivery("Ev1", T0)).isTrue();
        assertThat(slack.firstDelivery("Ev1", T0)).isFalse();
        assertThat(slack.linkThread("C1", "1.1", id, T0)).isEqualTo(id);
        assertThat(slack.linkThread("C1", "1.1", other, T0)).isEqualTo(id);
        assertThat(slack.incidentOfThread("C1", "1.1")).contains(id);

        assertThat(slack.recordFeedback(
                        id, "U1", "+1", "correct", Optional.of("missing_column"), Optional.of("s1"), T0))
                .isTrue();
        assertThat(slack.recordFeedback(
                        id, "U1", "+1", "correct", Optional.of("missing_column"), Optional.of("s1"), T0))
                .isFalse();
        slack.recordFeedback(id, "U2", "x", "wrong", Optional.of("missing_column"), Optional.of("s1"), T0);
        slack.recordFeedback(other, "U2", "white_check_mark", "correct", Optional.of("timeout"), Optional.of("s2"), T0);

        assertThat(slack.feedback("category"))
                .containsExactly(
                        new SlackRecords.Tally("missing_column", 1, 1), new SlackRecords.Tally("timeout", 1, 0));
        assertThat(slack.feedback("signature")).hasSize(2);
        assertThat(slack.feedbackOn(id).correct()).isEqualTo(1);
    }

    @Test
    void listing_is_newest_first_with_a_cursor_and_a_status_filter() {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(store.accept(event("run-" + i, 1), "{}", T0.plusSeconds(i)).id());
        }
        store.claim("w", 1, T0.plusSeconds(10), LEASE, 3);

        IncidentStore.Page first = store.list(2, Optional.empty(), Optional.empty());
        IncidentStore.Page second = store.list(2, Optional.empty(), first.next());
        IncidentStore.Page third = store.list(2, Optional.empty(), second.next());

        assertThat(first.incidents()).extracting(IncidentStore.Incident::id).containsExactly(ids.get(4), ids.get(3));
        assertThat(second.incidents()).extracting(IncidentStore.Incident::id).containsExactly(ids.get(2), ids.get(1));
        assertThat(third.incidents()).extracting(IncidentStore.Incident::id).containsExactly(ids.get(0));
        assertThat(third.next()).isEmpty();
        assertThat(store.list(50, Optional.of("investigating"), Optional.empty())
                        .incidents())
                .extracting(IncidentStore.Incident::id)
                .containsExactly(ids.get(0));
    }

    @Test
    void llm_answers_are_cached_until_their_ttl_and_replaced_by_a_newer_one() {
        java.util.concurrent.atomic.AtomicReference<Instant> now =
                new java.util.concurrent.atomic.AtomicReference<>(T0);
        java.time.Clock clock = new java.time.Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return java.time.ZoneOffset.UTC;
            }

            @Override
            public java.time.Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        };
        StoredExplanations cache = new StoredExplanations(database(), clock);
        assertThat(cache.get("sig|openai|gpt|explain-v1")).isEmpty();
        cache.put("sig|openai|gpt|explain-v1", "{\"category\":\"missing_column\"}", Duration.ofHours(1));
        cache.put("sig|openai|gpt|explain-v1", "{\"category\":\"timeout\"}", Duration.ofHours(1));
        assertThat(cache.get("sig|openai|gpt|explain-v1")).contains("{\"category\":\"timeout\"}");
        now.set(T0.plus(Duration.ofHours(2)));
        assertThat(cache.get("sig|openai|gpt|explain-v1")).isEmpty();
    }

    static final String OOM_LOG = """
            24/11/20 03:10:02 ERROR Executor: Exception in task 117.3 in stage 12.0 (TID 4511)
            java.lang.OutOfMemoryError: Java heap space
            \tat java.util.Arrays.copyOf(Arrays.java:3236)
            """;

    /** Records a failure of {@code dag.task} at {@code at} and, when {@code log} is given, diagnoses it. */
    long failure(String dag, String task, String run, Optional<String> log, Instant at) {
        FailureEvent e = FailureEvents.parse(
                "{\"dag_id\":\"%s\",\"task_id\":\"%s\",\"run_id\":\"%s\"}".formatted(dag, task, run),
                FailureEvent.Origin.AIRFLOW_WEBHOOK);
        long id = store.accept(e, "{}", at).id();
        if (log.isPresent()) {
            IncidentStore.Claim c = store.claim(id, "w", at, LEASE, 3).orElseThrow();
            Diagnosis d = LogDiagnoser.builtIn().diagnose(new LogReader().read(log.get()), Optional.of(e), List.of());
            store.complete(c, "w", e, d, 5, at, Optional.of("{\"log_source\":\"event\",\"sources\":[]}"))
                    .orElseThrow();
        }
        return id;
    }

    static IncidentStore.Filter filter(
            String dag, String task, String category, String status, Instant since, Instant until) {
        return new IncidentStore.Filter(
                Optional.ofNullable(dag),
                Optional.ofNullable(task),
                Optional.ofNullable(category),
                Optional.ofNullable(status),
                Optional.ofNullable(since),
                Optional.ofNullable(until));
    }

    List<Long> ids(IncidentStore.Filter f) {
        return store.list(50, f, Optional.empty()).incidents().stream()
                .map(IncidentStore.Incident::id)
                .toList();
    }

    @Test
    void listing_filters_by_dag_task_category_status_and_time_in_the_database() {
        Instant day = T0;
        long a = failure("daily_orders", "load_orders", "r1", Optional.of(LOG), day);
        long b = failure("daily_orders", "transform", "r1", Optional.of(OOM_LOG), day.plus(Duration.ofDays(1)));
        long c = failure("billing", "load_invoices", "r1", Optional.of(LOG), day.plus(Duration.ofDays(2)));
        long d = failure("billing", "load_invoices", "r2", Optional.empty(), day.plus(Duration.ofDays(3)));

        assertThat(ids(IncidentStore.Filter.NONE)).containsExactly(d, c, b, a);
        assertThat(ids(filter("daily_orders", null, null, null, null, null))).containsExactly(b, a);
        assertThat(ids(filter("daily_orders", "transform", null, null, null, null)))
                .containsExactly(b);
        assertThat(ids(filter(null, "load_invoices", null, null, null, null))).containsExactly(d, c);
        assertThat(ids(filter(null, null, "missing_column", null, null, null))).containsExactly(c, a);
        assertThat(ids(filter(null, null, "out_of_memory_executor", "done", null, null)))
                .containsExactly(b);
        assertThat(ids(filter(null, null, null, "queued", null, null))).containsExactly(d);
        assertThat(ids(filter(null, null, null, null, T0.plus(Duration.ofDays(1)), null)))
                .containsExactly(d, c, b);
        assertThat(ids(filter(null, null, null, null, null, T0.plus(Duration.ofDays(2)))))
                .as("until is exclusive")
                .containsExactly(b, a);
        assertThat(ids(filter("billing", null, "missing_column", "done", T0, T0.plus(Duration.ofDays(5)))))
                .containsExactly(c);
        // a value is a bound parameter, never SQL
        assertThat(ids(filter("x' OR '1'='1", null, null, null, null, null))).isEmpty();

        IncidentStore.Page first =
                store.list(1, filter(null, null, "missing_column", null, null, null), Optional.empty());
        assertThat(first.incidents()).extracting(IncidentStore.Incident::id).containsExactly(c);
        IncidentStore.Page second = store.list(1, filter(null, null, "missing_column", null, null, null), first.next());
        assertThat(second.incidents()).extracting(IncidentStore.Incident::id).containsExactly(a);
        assertThat(second.next()).isEmpty();

        assertThat(store.knownIds(false, 10)).containsExactly("billing", "daily_orders");
        assertThat(store.knownIds(true, 10)).containsExactly("load_invoices", "load_orders", "transform");
    }

    @Test
    void patterns_count_failures_per_day_recurring_signatures_and_feedback_per_category() {
        SlackRecords slack = slackRecords();
        long a = failure("daily_orders", "load_orders", "r1", Optional.of(LOG), T0);
        long b = failure("daily_orders", "transform", "r1", Optional.of(OOM_LOG), T0.plus(Duration.ofHours(25)));
        long c = failure("billing", "load_invoices", "r1", Optional.of(LOG), T0.plus(Duration.ofDays(2)));
        long e = failure("daily_orders", "load_orders", "r2", Optional.of(LOG), T0.plus(Duration.ofDays(2)));
        long pending = failure("billing", "load_invoices", "r2", Optional.empty(), T0.plus(Duration.ofDays(3)));
        slack.recordFeedback(a, "U1", "+1", "correct", Optional.of("missing_column"), Optional.of("s"), T0);
        slack.recordFeedback(c, "U2", "x", "wrong", Optional.of("missing_column"), Optional.of("s"), T0);
        slack.recordFeedback(c, "U3", "+1", "correct", Optional.of("missing_column"), Optional.of("s"), T0);
        slack.recordFeedback(b, "U1", "+1", "correct", Optional.of("out_of_memory_executor"), Optional.of("o"), T0);

        Instant since = T0.minus(Duration.ofDays(1));
        Instant until = T0.plus(Duration.ofDays(7));
        java.time.LocalDate d0 = java.time.LocalDate.of(2026, 11, 20);
        assertThat(store.perDay(since, until))
                .containsExactly(
                        new IncidentStore.DayCount(d0, "missing_column", 1),
                        new IncidentStore.DayCount(d0.plusDays(1), "out_of_memory_executor", 1),
                        new IncidentStore.DayCount(d0.plusDays(2), "missing_column", 2),
                        new IncidentStore.DayCount(d0.plusDays(3), "", 1));

        List<IncidentStore.Recurring> recurring = store.recurring(since, until, 10);
        assertThat(recurring).hasSize(1);
        IncidentStore.Recurring r = recurring.get(0);
        assertThat(r.category()).isEqualTo("missing_column");
        assertThat(r.count()).isEqualTo(3);
        assertThat(r.firstSeen()).isEqualTo(T0);
        assertThat(r.lastIncidentId()).isEqualTo(Math.max(c, e));
        assertThat(r.dagTasks())
                .containsExactly(
                        new IncidentStore.DagTask("daily_orders", "load_orders", 2),
                        new IncidentStore.DagTask("billing", "load_invoices", 1));
        assertThat(r.lastDiagnosisJson().orElseThrow()).contains("fix_column_reference");
        assertThat(store.recurring(T0.plus(Duration.ofDays(1)), until, 10))
                .as("in a window with one occurrence per signature and DAG, the signature still recurs across DAGs")
                .extracting(IncidentStore.Recurring::count)
                .containsExactly(2L);

        assertThat(store.verdicts(since, until))
                .containsExactly(
                        new IncidentStore.CategoryVerdicts("missing_column", 2, 1),
                        new IncidentStore.CategoryVerdicts("out_of_memory_executor", 1, 0));
        assertThat(store.verdicts(T0.plus(Duration.ofDays(2)), until))
                .containsExactly(new IncidentStore.CategoryVerdicts("missing_column", 1, 1));

        IncidentStore.Incident first = store.find(a).orElseThrow();
        assertThat(first.signatureSeen()).as("seen so far on its DAG and task").isEqualTo(2);
        assertThat(first.feedback()).isEqualTo(new IncidentStore.Verdicts(1, 0));
        assertThat(store.find(c).orElseThrow().feedback()).isEqualTo(new IncidentStore.Verdicts(1, 1));
        assertThat(first.stepsJson()).contains("{\"log_source\":\"event\",\"sources\":[]}");
        assertThat(store.find(pending).orElseThrow().signatureSeen()).isZero();
    }
}
