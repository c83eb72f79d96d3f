package io.deagent.sources.airflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.deagent.core.FailureEvent;
import io.deagent.core.FailureEvents;
import io.deagent.core.investigate.Budget;
import io.deagent.core.investigate.Evidence;
import io.deagent.core.log.LogDocument;
import io.deagent.core.log.LogReader;
import io.deagent.testkit.FakeAirflowApi;
import io.deagent.testkit.FakeAirflowApi.TaskInstance;
import io.deagent.testkit.FakeAirflowApi.Trouble;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;

class AirflowLogSourceTest {

    static final String DAG = "daily_orders";
    static final String TASK = "load_orders";
    static final String RUN = "scheduled__2026-11-20T03:00:00+00:00";
    static final String RUN_ENCODED = "scheduled__2026-11-20T03%3A00%3A00%2B00%3A00";
    static final String AIRFLOW2_LOG = resource("airflow2-missing-column.log");
    static final String AIRFLOW3_LOG = resource("airflow3-missing-column.jsonl");
    static final long MAX_BYTES = 1024 * 1024;

    private final Clock clock = Clock.systemUTC();
    private FakeAirflowApi airflow;
    private AirflowLogSource source;

    @AfterEach
    void stop() {
        if (airflow != null) {
            airflow.close();
        }
    }

    // ---- happy paths ----

    @Test
    void airflow2FailureLogWithTheFactsAroundIt() {
        airflow = FakeAirflowApi.airflow2();
        seed(2, AIRFLOW2_LOG);
        source = direct(Map.of());

        Evidence e = source.collect(event(2), budget(Duration.ofSeconds(10)));

        assertThat(e.status()).as(e.missingLine()).isEqualTo(Evidence.Status.OK);
        assertThat(e.sourceId()).isEqualTo("airflow");
        assertThat(e.logText()).contains(AIRFLOW2_LOG);
        assertThat(e.facts())
                .containsEntry("airflow.api", "v1")
                .containsEntry("airflow.version", "2.10.5")
                .containsEntry("airflow.ti.state", "failed")
                .containsEntry("airflow.ti.try_number", "2")
                .containsEntry("airflow.ti.max_tries", "3")
                .containsEntry("airflow.ti.hostname", "worker-3")
                .containsEntry("airflow.ti.operator", "SQLExecuteQueryOperator")
                .containsEntry("airflow.ti.duration_s", "1.482")
                .containsEntry("airflow.run.state", "failed")
                .containsEntry("airflow.run.run_type", "scheduled")
                .containsEntry("airflow.run.logical_date", "2026-11-20T03:00:00+00:00")
                .containsEntry("airflow.dag.fileloc", "/opt/airflow/dags/orders.py")
                .containsEntry("airflow.dag.owners", "data-platform")
                .containsEntry("airflow.log.try", "2")
                .containsEntry("airflow.log.truncated", "false")
                .doesNotContainKey("airflow.log.try_fallback");
        String logPath = "/api/v1/dags/daily_orders/dagRuns/" + RUN_ENCODED + "/taskInstances/load_orders/logs/2";
        assertThat(e.query()).contains("GET " + airflow.baseUrl() + logPath);
        assertThat(e.link())
                .contains(airflow.baseUrl() + "/dags/daily_orders/grid?dag_run_id=" + RUN_ENCODED
                        + "&task_id=load_orders&tab=logs");
        FakeAirflowApi.Request log = airflow.requests("/logs/").get(0);
        assertThat(log.rawPath()).isEqualTo(logPath);
        assertThat(log.header("Accept")).contains("text/plain");
        assertThat(log.header("Authorization"))
                .hasValueSatisfying(a -> assertThat(a).startsWith("Basic "));
    }

    @Test
    void airflow3StructuredLogStaysJsonLinesThatTheLogReaderUnderstands() {
        airflow = FakeAirflowApi.airflow3();
        seed(1, AIRFLOW3_LOG);
        source = direct(Map.of());

        Evidence e = source.collect(event(1), budget(Duration.ofSeconds(10)));

        assertThat(e.status()).as(e.missingLine()).isEqualTo(Evidence.Status.OK);
        assertThat(e.facts()).containsEntry("airflow.api", "v2").containsEntry("airflow.version", "3.1.0");
        assertThat(e.logText()).hasValueSatisfying(text -> {
            assertThat(text)
                    .contains("\"event\":\"Task failed with exception\"")
                    .contains("\"error_detail\"");
            assertThat(text).endsWith("::endgroup::\n");
            LogDocument doc = new LogReader().read(text);
            assertThat(doc.primaryChain())
                    .hasValueSatisfying(
                            c -> assertThat(c.rootCause().className()).endsWith("UndefinedColumn"));
        });
        assertThat(airflow.requests("/logs/").get(0).rawPath())
                .isEqualTo("/api/v2/dags/daily_orders/dagRuns/" + RUN_ENCODED + "/taskInstances/load_orders/logs/1");
        assertThat(e.link())
                .contains(airflow.baseUrl() + "/dags/daily_orders/runs/" + RUN_ENCODED
                        + "/tasks/load_orders?try_number=1");
    }

    // ---- auth ----

    @Test
    void airflow3SignsInOnceAndAgainOnlyAfterTheJwtIsRefused() {
        airflow = FakeAirflowApi.airflow3();
        seed(1, AIRFLOW3_LOG);
        source = direct(Map.of());

        Evidence first = source.collect(event(1), budget(Duration.ofSeconds(10)));
        airflow.expireTokens();
        Evidence second = source.collect(event(1), budget(Duration.ofSeconds(10)));

        assertThat(first.status()).isEqualTo(Evidence.Status.OK);
        assertThat(second.status()).as(second.missingLine()).isEqualTo(Evidence.Status.OK);
        assertThat(airflow.requests("/auth/token")).hasSize(2);
        assertThat(airflow.requests("/auth/token").get(0).body()).contains("\"username\":\"admin\"");
        List<FakeAirflowApi.Request> api = airflow.requests("/dags/");
        assertThat(api).allSatisfy(r -> assertThat(r.header("Authorization"))
                .hasValueSatisfying(a -> assertThat(a).startsWith("Bearer ey")));
        // exactly one call was refused: the first after expiry, repeated with the fresh token
        assertThat(api).hasSize(2 * 4 + 1);
    }

    @Test
    void aStaticTokenIsSentAsABearer() {
        airflow = FakeAirflowApi.airflow2();
        airflow.acceptToken("static-api-token-123");
        seed(2, AIRFLOW2_LOG);
        source = source(Map.of("AIRFLOW_BASE_URL", airflow.baseUrl(), "AIRFLOW_TOKEN", "static-api-token-123"));

        Evidence e = source.collect(event(2), budget(Duration.ofSeconds(10)));

        assertThat(e.status()).isEqualTo(Evidence.Status.OK);
        assertThat(airflow.requests("/logs/").get(0).header("Authorization")).contains("Bearer static-api-token-123");
    }

    @Test
    void wrongCredentialsAreAnErrorThatNeverShowsThem() {
        airflow = FakeAirflowApi.airflow2();
        seed(2, AIRFLOW2_LOG);
        source = direct(Map.of("AIRFLOW_PASSWORD", "Wr0ng-Pa55word"));

        Evidence e = source.collect(event(2), budget(Duration.ofSeconds(10)));

        assertThat(e.status()).isEqualTo(Evidence.Status.ERROR);
        assertThat(e.error()).hasValueSatisfying(m -> assertThat(m)
                .contains("GET " + airflow.baseUrl() + "/api/v1/dags/daily_orders/dagRuns/" + RUN_ENCODED)
                .contains("HTTP 401"));
        assertNoSecret(e, "Wr0ng-Pa55word");
    }

    @Test
    void aRefusedSignInIsAnErrorThatNeverShowsThePassword() {
        airflow = FakeAirflowApi.airflow3();
        seed(1, AIRFLOW3_LOG);
        source = direct(Map.of("AIRFLOW_PASSWORD", "Wr0ng-Pa55word"));

        Evidence e = source.collect(event(1), budget(Duration.ofSeconds(10)));

        assertThat(e.status()).isEqualTo(Evidence.Status.ERROR);
        assertThat(e.error()).hasValueSatisfying(m -> assertThat(m)
                .contains("POST " + airflow.baseUrl() + "/auth/token: HTTP 401 Invalid credentials"));
        assertNoSecret(e, "Wr0ng-Pa55word");
    }

    // ---- paging, tries, caps ----

    @Test
    void airflow2AnsweringJsonIsReadThroughItsContinuationTokensAndPythonRepr() {
        airflow = FakeAirflowApi.airflow2();
        airflow.answerLogsAsJson(true);
        airflow.splitLogsInto(3);
        seed(2, AIRFLOW2_LOG);
        source = direct(Map.of());

        Evidence e = source.collect(event(2), budget(Duration.ofSeconds(10)));

        assertThat(e.status()).isEqualTo(Evidence.Status.OK);
        assertThat(e.logText()).contains(AIRFLOW2_LOG);
        // three pages with content, then the same token back with none: Airflow 2's end of log
        assertThat(airflow.requests("/logs/")).hasSize(4);
        assertThat(airflow.requests("/logs/").get(1).query()).containsKey("token");
        assertThat(e.facts()).containsEntry("airflow.log.pages", "4").containsEntry("airflow.log.complete", "true");
    }

    @Test
    void airflow3PagesAreFollowedUntilTheTokenIsNull() {
        airflow = FakeAirflowApi.airflow3();
        airflow.splitLogsInto(3);
        seed(1, AIRFLOW3_LOG);
        source = direct(Map.of());

        Evidence e = source.collect(event(1), budget(Duration.ofSeconds(10)));

        assertThat(e.status()).isEqualTo(Evidence.Status.OK);
        assertThat(e.logText()).contains(AIRFLOW3_LOG);
        assertThat(airflow.requests("/logs/")).hasSize(3);
        assertThat(e.facts()).containsEntry("airflow.log.pages", "3");
    }

    @Test
    void anEmptyLogForTheAlertsTryFallsBackToTheTryBefore() {
        airflow = FakeAirflowApi.airflow2();
        seed(3, null);
        airflow.addLog(DAG, RUN, TASK, 2, AIRFLOW2_LOG);
        source = direct(Map.of());

        Evidence e = source.collect(event(3), budget(Duration.ofSeconds(10)));

        assertThat(e.status()).isEqualTo(Evidence.Status.OK);
        assertThat(e.logText()).contains(AIRFLOW2_LOG);
        assertThat(e.facts())
                .containsEntry("airflow.log.try", "2")
                .containsEntry("airflow.log.try_fallback", "try 3 log empty; used try 2");
        assertThat(e.query()).hasValueSatisfying(q -> assertThat(q).endsWith("/logs/2"));
    }

    @Test
    void aMissingLogForTheAlertsTryFallsBackToTheTryBefore() {
        airflow = FakeAirflowApi.airflow3();
        seed(3, null);
        airflow.addLog(DAG, RUN, TASK, 2, AIRFLOW3_LOG);
        airflow.failNext("/logs/3", 1, Trouble.status(404, "TaskInstance not found"));
        source = direct(Map.of());

        Evidence e = source.collect(event(3), budget(Duration.ofSeconds(10)));

        assertThat(e.status()).isEqualTo(Evidence.Status.OK);
        assertThat(e.facts()).containsEntry("airflow.log.try", "2");
        assertThat(e.facts().get("airflow.log.try_fallback")).startsWith("try 3 log not found (GET ");
    }

    @Test
    void withoutATryNumberTheTaskInstancesIsUsed() {
        airflow = FakeAirflowApi.airflow2();
        seed(2, AIRFLOW2_LOG);
        source = direct(Map.of());

        Evidence e = source.collect(event(null), budget(Duration.ofSeconds(10)));

        assertThat(e.status()).isEqualTo(Evidence.Status.OK);
        assertThat(e.facts()).containsEntry("airflow.log.try", "2");
        assertThat(airflow.requests("/logs/")).singleElement().satisfies(r -> assertThat(r.rawPath())
                .endsWith("/logs/2"));
    }

    @Test
    void theByteCapKeepsTheTailOfATextLog() {
        airflow = FakeAirflowApi.airflow2();
        seed(2, AIRFLOW2_LOG);
        source = direct(Map.of());

        Evidence e = source.collect(event(2), new Budget(clock.instant().plusSeconds(10), 400, clock));

        assertThat(e.status()).isEqualTo(Evidence.Status.OK);
        assertTail(e, AIRFLOW2_LOG, 400);
    }

    @Test
    void theByteCapKeepsTheTailAcrossPages() {
        airflow = FakeAirflowApi.airflow3();
        airflow.splitLogsInto(4);
        seed(1, AIRFLOW3_LOG);
        source = direct(Map.of());

        Evidence e = source.collect(event(1), new Budget(clock.instant().plusSeconds(10), 1_500, clock));

        assertThat(e.status()).isEqualTo(Evidence.Status.OK);
        assertThat(airflow.requests("/logs/")).hasSize(4);
        assertTail(e, AIRFLOW3_LOG, 1_500);
    }

    // ---- missing and failing ----

    @Test
    void aMissingTaskInstanceIsNoDataNamingTheUrl() {
        airflow = FakeAirflowApi.airflow2();
        seed(2, AIRFLOW2_LOG);
        source = direct(Map.of());

        Evidence e = source.collect(event(DAG, "no_such_task", 2), budget(Duration.ofSeconds(10)));

        assertThat(e.status()).isEqualTo(Evidence.Status.NO_DATA);
        String url =
                airflow.baseUrl() + "/api/v1/dags/daily_orders/dagRuns/" + RUN_ENCODED + "/taskInstances/no_such_task";
        assertThat(e.error()).contains("GET " + url + ": HTTP 404 Task instance not found");
        assertThat(e.query()).contains("GET " + url);
    }

    @Test
    void noLogInEitherTryIsNoData() {
        airflow = FakeAirflowApi.airflow2();
        seed(2, null);
        source = direct(Map.of());

        Evidence e = source.collect(event(2), budget(Duration.ofSeconds(10)));

        assertThat(e.status()).isEqualTo(Evidence.Status.NO_DATA);
        assertThat(e.error()).hasValueSatisfying(m -> assertThat(m)
                .startsWith("the log of try 2 is empty and the log of try 1 is empty: GET ")
                .contains("/logs/2")
                .contains("/logs/1"));
    }

    @Test
    void aServerErrorIsRetried() {
        airflow = FakeAirflowApi.airflow2();
        seed(2, AIRFLOW2_LOG);
        airflow.failNext("/taskInstances/", 1, Trouble.status(500, "database is locked"));
        source = direct(Map.of());

        Evidence e = source.collect(event(2), budget(Duration.ofSeconds(10)));

        assertThat(e.status()).isEqualTo(Evidence.Status.OK);
        assertThat(airflow.requests("/taskInstances/load_orders").stream()
                        .filter(r -> !r.rawPath().contains("/logs/")))
                .hasSize(2);
    }

    @Test
    void aRateLimitIsWaitedOutAsRetryAfterSays() {
        airflow = FakeAirflowApi.airflow2();
        seed(2, AIRFLOW2_LOG);
        airflow.failNext("/logs/", 1, Trouble.rateLimited(1));
        source = direct(Map.of());

        Evidence e = source.collect(event(2), budget(Duration.ofSeconds(10)));

        assertThat(e.status()).isEqualTo(Evidence.Status.OK);
        List<FakeAirflowApi.Request> logs = airflow.requests("/logs/");
        assertThat(logs).hasSize(2);
        assertThat(Duration.between(logs.get(0).at(), logs.get(1).at())).isGreaterThanOrEqualTo(Duration.ofMillis(950));
    }

    @Test
    void aRateLimitLongerThanTheBudgetIsNotWaitedFor() {
        airflow = FakeAirflowApi.airflow2();
        seed(2, AIRFLOW2_LOG);
        airflow.failNext("/logs/", 1, Trouble.rateLimited(30));
        source = direct(Map.of());
        Instant start = Instant.now();

        Evidence e = source.collect(event(2), budget(Duration.ofSeconds(3)));

        assertThat(e.status()).isEqualTo(Evidence.Status.ERROR);
        assertThat(e.error()).hasValueSatisfying(m -> assertThat(m).contains("HTTP 429"));
        assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void aHangIsTimedOutBeforeTheDeadline() {
        airflow = FakeAirflowApi.airflow2();
        seed(2, AIRFLOW2_LOG);
        airflow.failNext("/logs/", 1, Trouble.hang());
        source = direct(Map.of());
        Instant deadline = clock.instant().plusMillis(1_500);

        Evidence e = source.collect(event(2), new Budget(deadline, MAX_BYTES, clock));

        assertThat(e.status()).isEqualTo(Evidence.Status.TIMED_OUT);
        assertThat(clock.instant()).isBefore(deadline);
        assertThat(e.error()).hasValueSatisfying(m -> assertThat(m).contains("/logs/2: no answer within"));
        assertThat(airflow.requests("/logs/")).hasSize(1);
        assertThat(e.query()).hasValueSatisfying(q -> assertThat(q).endsWith("/logs/2"));
    }

    // ---- coordinates ----

    @Test
    void theHostsInTheEventAreNeverCalled() {
        airflow = FakeAirflowApi.airflow2();
        seed(2, AIRFLOW2_LOG);
        source = direct(Map.of());
        try (FakeAirflowApi elsewhere = FakeAirflowApi.airflow2()) {
            elsewhere.addTaskInstance(DAG, RUN, TASK, 2, "failed");
            FailureEvent event = FailureEvents.parse(
                    """
                    {"dag_id": "daily_orders", "task_id": "load_orders", "run_id": "%s", "try_number": 2,
                     "log_url": "%s/dags/daily_orders/grid?dag_run_id=%s&task_id=load_orders&tab=logs",
                     "airflow_base_url": "%s"}
                    """.formatted(RUN, elsewhere.baseUrl(), RUN_ENCODED, elsewhere.baseUrl()),
                    FailureEvent.Origin.AIRFLOW_WEBHOOK);

            Evidence e = source.collect(event, budget(Duration.ofSeconds(10)));

            assertThat(e.status()).isEqualTo(Evidence.Status.OK);
            assertThat(elsewhere.requests()).isEmpty();
            assertThat(e.link()).hasValueSatisfying(l -> assertThat(l).startsWith(airflow.baseUrl()));
        }
    }

    @Test
    void aRunIsFoundByItsLogicalDateWhenTheEventHasNoRunId() {
        airflow = FakeAirflowApi.airflow2();
        seed(2, AIRFLOW2_LOG);
        source = direct(Map.of());
        FailureEvent event = FailureEvents.parse("""
                {"dag_id": "daily_orders", "task_id": "load_orders", "logical_date": "2026-11-20T03:00:00+00:00",
                 "try_number": 2}
                """, FailureEvent.Origin.CLI);

        assertThat(source.appliesTo(event)).isTrue();
        Evidence e = source.collect(event, budget(Duration.ofSeconds(10)));

        assertThat(e.status()).as(e.missingLine()).isEqualTo(Evidence.Status.OK);
        assertThat(e.facts())
                .containsEntry("airflow.run.id", RUN)
                .containsEntry("airflow.run.resolved_from", "logical_date");
        assertThat(airflow.requests().stream().map(r -> r.rawQuery().orElse("")))
                .contains("execution_date_gte=2026-11-20T03%3A00%3A00%2B00%3A00"
                        + "&execution_date_lte=2026-11-20T03%3A00%3A00%2B00%3A00");
    }

    @Test
    void noRunAtTheLogicalDateIsNoData() {
        airflow = FakeAirflowApi.airflow3();
        seed(2, AIRFLOW3_LOG);
        source = direct(Map.of());
        FailureEvent event = FailureEvents.parse("""
                {"dag_id": "daily_orders", "task_id": "load_orders", "logical_date": "2026-11-21T03:00:00+00:00"}
                """, FailureEvent.Origin.CLI);

        Evidence e = source.collect(event, budget(Duration.ofSeconds(10)));

        assertThat(e.status()).isEqualTo(Evidence.Status.NO_DATA);
        assertThat(e.error()).hasValueSatisfying(m -> assertThat(m).contains("no DAG run of daily_orders"));
        assertThat(airflow.requests().stream().map(r -> r.rawQuery().orElse("")))
                .anySatisfy(q -> assertThat(q).startsWith("logical_date_gte="));
    }

    @Test
    void aMappedTaskIsAskedForByItsMapIndex() {
        airflow = FakeAirflowApi.airflow2();
        airflow.addTaskInstance(TaskInstance.of(DAG, RUN, TASK, 1, "failed").withMapIndex(3));
        airflow.addLog(DAG, RUN, TASK, 3, 1, AIRFLOW2_LOG);
        source = direct(Map.of());
        FailureEvent event = FailureEvents.parse("""
                {"dag_id": "daily_orders", "task_id": "load_orders", "run_id": "%s", "map_index": 3}
                """.formatted(RUN), FailureEvent.Origin.CLI);

        Evidence e = source.collect(event, budget(Duration.ofSeconds(10)));

        assertThat(e.status()).as(e.missingLine()).isEqualTo(Evidence.Status.OK);
        assertThat(e.facts()).containsEntry("airflow.ti.map_index", "3");
        assertThat(airflow.requests("/taskInstances/").get(0).rawPath()).endsWith("/taskInstances/load_orders/3");
        assertThat(airflow.requests("/logs/").get(0).query()).containsEntry("map_index", "3");
        assertThat(e.link()).hasValueSatisfying(l -> assertThat(l).endsWith("&map_index=3"));
    }

    @Test
    void appliesOnlyWithARunOrALogicalDate() {
        airflow = FakeAirflowApi.airflow2();
        source = direct(Map.of());

        assertThat(source.appliesTo(event(2))).isTrue();
        assertThat(source.appliesTo(
                        FailureEvents.parse("{\"dag_id\": \"d\", \"task_id\": \"t\"}", FailureEvent.Origin.CLI)))
                .isFalse();
    }

    @Test
    void theVersionIsDetectedOnceOrNotAtAllWhenConfigured() {
        airflow = FakeAirflowApi.airflow2();
        seed(2, AIRFLOW2_LOG);
        AirflowLogSource detecting = direct(Map.of());
        AirflowLogSource configured = direct(Map.of("AIRFLOW_API_VERSION", "v1"));

        detecting.collect(event(2), budget(Duration.ofSeconds(10)));
        detecting.collect(event(2), budget(Duration.ofSeconds(10)));
        List<String> detected = airflow.requests("/version").stream()
                .map(FakeAirflowApi.Request::rawPath)
                .toList();
        Evidence e = configured.collect(event(2), budget(Duration.ofSeconds(10)));

        assertThat(detected).containsExactly("/api/v2/version", "/api/v1/version");
        assertThat(airflow.requests("/version")).hasSize(2);
        assertThat(e.facts()).containsEntry("airflow.api", "v1").doesNotContainKey("airflow.version");
    }

    // ---- probe ----

    @Test
    void theProbeSaysWhereAndAsWhom() {
        airflow = FakeAirflowApi.airflow3();
        source = direct(Map.of());

        var result = source.probe(Duration.ofSeconds(5));

        assertThat(result.ok()).as(result.detail()).isTrue();
        assertThat(result.name()).isEqualTo("airflow");
        assertThat(result.detail())
                .startsWith("v2 (Airflow 3.1.0) at " + airflow.baseUrl() + ", authenticated as admin");
        assertThat(airflow.requests("/dags").get(0).query()).containsEntry("limit", "1");
    }

    @Test
    void theProbeSaysWhatToFix() {
        airflow = FakeAirflowApi.airflow2();
        AirflowLogSource wrongPassword = direct(Map.of("AIRFLOW_PASSWORD", "Wr0ng-Pa55word"));
        AirflowLogSource viewerMissing = direct(Map.of());

        var unauthorized = wrongPassword.probe(Duration.ofSeconds(5));
        airflow.failNext("/dags", 1, Trouble.status(403, "Forbidden"));
        var forbidden = viewerMissing.probe(Duration.ofSeconds(5));

        assertThat(unauthorized.ok()).isFalse();
        assertThat(unauthorized.detail())
                .contains("HTTP 401")
                .endsWith("check AIRFLOW_USERNAME/AIRFLOW_PASSWORD or AIRFLOW_TOKEN")
                .doesNotContain("Wr0ng-Pa55word");
        assertThat(forbidden.ok()).isFalse();
        assertThat(forbidden.detail()).contains("HTTP 403").contains("Viewer role");
    }

    @Test
    void theProbeOfAnUnreachableAirflowSaysSo() {
        airflow = FakeAirflowApi.airflow2();
        String base = airflow.baseUrl();
        airflow.close();
        AirflowLogSource gone = source(Map.of("AIRFLOW_BASE_URL", base));

        var result = gone.probe(Duration.ofMillis(800));

        assertThat(result.ok()).isFalse();
        assertThat(result.detail()).contains(base + "/api/v2/version");
    }

    // ---- helpers ----

    /** One failed task instance (try {@code tryNumber} of 3) with its DAG and run, and its log when given. */
    private void seed(int tryNumber, String log) {
        airflow.addDag(DAG, "/opt/airflow/dags/orders.py", "data-platform");
        airflow.addDagRun(DAG, RUN, "failed", "scheduled", Instant.parse("2026-11-20T03:00:00Z"));
        airflow.addTaskInstance(
                TaskInstance.of(DAG, RUN, TASK, tryNumber, "failed").withMaxTries(3));
        if (log != null) {
            airflow.addLog(DAG, RUN, TASK, tryNumber, log);
        }
    }

    private AirflowLogSource direct(Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>();
        env.put("AIRFLOW_BASE_URL", airflow.baseUrl());
        env.put("AIRFLOW_USERNAME", FakeAirflowApi.USERNAME);
        env.put("AIRFLOW_PASSWORD", FakeAirflowApi.PASSWORD);
        env.putAll(overrides);
        return source(env);
    }

    private AirflowLogSource source(Map<String, String> env) {
        AirflowSettings settings =
                AirflowSettings.from(name -> Optional.ofNullable(env.get(name))).orElseThrow();
        return AirflowLogSource.from(settings, AnonymousCredentialsProvider.create(), clock);
    }

    private Budget budget(Duration timeout) {
        return new Budget(clock.instant().plus(timeout), MAX_BYTES, clock);
    }

    static FailureEvent event(Integer tryNumber) {
        return event(DAG, TASK, tryNumber);
    }

    static FailureEvent event(String dag, String task, Integer tryNumber) {
        String tryField = tryNumber == null ? "" : ", \"try_number\": " + tryNumber;
        return FailureEvents.parse("""
                {"dag_id": "%s", "task_id": "%s", "run_id": "%s"%s,
                 "logical_date": "2026-11-20T03:00:00+00:00"}
                """.formatted(dag, task, RUN, tryField), FailureEvent.Origin.AIRFLOW_WEBHOOK);
    }

    private static void assertTail(Evidence e, String full, int cap) {
        String last = full.strip().substring(full.strip().lastIndexOf('\n') + 1);
        String firstLine = full.substring(0, full.indexOf('\n'));
        assertThat(e.logText()).hasValueSatisfying(text -> {
            assertThat(text.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(cap);
            assertThat(full).endsWith(text);
            assertThat(text).contains(last).doesNotContain(firstLine);
            assertThat(text).isNotBlank();
        });
        assertThat(e.facts())
                .containsEntry("airflow.log.truncated", "true")
                .containsEntry("airflow.log.bytes", String.valueOf(full.getBytes(StandardCharsets.UTF_8).length));
    }

    static void assertNoSecret(Evidence e, String secret) {
        String b64 = java.util.Base64.getEncoder().encodeToString(("admin:" + secret).getBytes(StandardCharsets.UTF_8));
        for (String s : List.of(secret, b64)) {
            assertThat(e.error().orElse("")).doesNotContain(s);
            assertThat(e.query().orElse("")).doesNotContain(s);
            assertThat(e.facts().toString()).doesNotContain(s);
            assertThat(e.logText().orElse("")).doesNotContain(s);
        }
    }

    static String resource(String name) {
        try (InputStream in = AirflowLogSourceTest.class.getResourceAsStream("/airflow/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource airflow/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
