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
}
