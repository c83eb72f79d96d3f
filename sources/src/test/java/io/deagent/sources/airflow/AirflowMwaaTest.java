package io.deagent.sources.airflow;

import static io.deagent.sources.airflow.AirflowLogSourceTest.AIRFLOW2_LOG;
import static io.deagent.sources.airflow.AirflowLogSourceTest.AIRFLOW3_LOG;
import static io.deagent.sources.airflow.AirflowLogSourceTest.DAG;
import static io.deagent.sources.airflow.AirflowLogSourceTest.RUN;
import static io.deagent.sources.airflow.AirflowLogSourceTest.TASK;
import static io.deagent.sources.airflow.AirflowLogSourceTest.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.deagent.core.investigate.Budget;
import io.deagent.core.investigate.Evidence;
import io.deagent.sources.Probe;
import io.deagent.testkit.FakeAirflowApi;
import io.deagent.testkit.FakeMwaaApi;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

class AirflowMwaaTest {

    private static final String ENV = "prod-env";
    private static final String SECRET_KEY = "dummySecretKey/Never+Shown";

    private final Clock clock = Clock.systemUTC();
    private FakeAirflowApi airflow;
    private FakeMwaaApi mwaa;

    @AfterEach
    void stop() {
        if (mwaa != null) {
            mwaa.close();
        }
        if (airflow != null) {
            airflow.close();
        }
    }

    @Test
    void airflow2ThroughInvokeRestApiReadsTheJsonLogForm() {
        start(FakeAirflowApi.airflow2());
        seed(2, AIRFLOW2_LOG);

        Evidence e = source(Map.of()).collect(event(2), budget(Duration.ofSeconds(10)));

        assertThat(e.status()).as(e.missingLine()).isEqualTo(Evidence.Status.OK);
        assertThat(e.logText()).contains(AIRFLOW2_LOG);
        assertThat(e.facts())
                .containsEntry("airflow.api", "v1")
                .containsEntry("airflow.version", "2.10.5")
                .containsEntry("airflow.ti.try_number", "2")
                .containsEntry("airflow.dag.owners", "data-platform")
                .containsEntry("airflow.log.try", "2");
        String logPath = "/dags/daily_orders/dagRuns/" + RUN + "/taskInstances/load_orders/logs/2";
        assertThat(e.query()).contains("MWAA InvokeRestApi prod-env GET " + logPath);
        assertThat(e.link()).isEmpty(); // no AIRFLOW_BASE_URL: no UI host to link to
        List<FakeMwaaApi.Invocation> calls = mwaa.invocations();
        assertThat(calls).extracting(FakeMwaaApi.Invocation::path).contains("/version", logPath);
        assertThat(calls).allSatisfy(c -> {
            assertThat(c.name()).isEqualTo(ENV);
            assertThat(c.method()).isEqualTo("GET");
            assertThat(c.header("Authorization")).hasValueSatisfying(a -> assertThat(a)
                    .startsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
                    .contains("/eu-west-1/airflow/aws4_request"));
        });
        // Airflow 2's JSON form always hands back a token: the second, empty page is the end of the log
        assertThat(airflow.requests("/logs/")).hasSize(2).allSatisfy(r -> assertThat(r.viaMwaa())
                .isTrue());
        assertThat(e.facts()).containsEntry("airflow.log.pages", "2").containsEntry("airflow.log.complete", "true");
    }

    @Test
    void airflow3ThroughInvokeRestApiFollowsTheTokensAndLinksToTheConfiguredUi() {
        start(FakeAirflowApi.airflow3());
        airflow.splitLogsInto(2);
        seed(1, AIRFLOW3_LOG);

        Evidence e = source(Map.of("AIRFLOW_BASE_URL", "https://airflow.example.com"))
                .collect(event(1), budget(Duration.ofSeconds(10)));

        assertThat(e.status()).as(e.missingLine()).isEqualTo(Evidence.Status.OK);
        assertThat(e.logText()).contains(AIRFLOW3_LOG);
        assertThat(e.facts()).containsEntry("airflow.api", "v2").containsEntry("airflow.log.pages", "2");
        assertThat(mwaa.invocations())
                .filteredOn(c -> c.path().endsWith("/logs/1"))
                .hasSize(2)
                .last()
                .satisfies(c -> assertThat(c.queryParameters()).containsKey("token"));
        assertThat(e.link())
                .contains("https://airflow.example.com/dags/daily_orders/runs/" + AirflowLogSourceTest.RUN_ENCODED
                        + "/tasks/load_orders?try_number=1");
    }

    @Test
    void accessDeniedIsAnErrorNamingThePermission() {
        start(FakeAirflowApi.airflow2());
        seed(2, AIRFLOW2_LOG);
        mwaa.failNext(1, FakeMwaaApi.Trouble.accessDenied());

        Evidence e = source(Map.of()).collect(event(2), budget(Duration.ofSeconds(10)));

        assertThat(e.status()).isEqualTo(Evidence.Status.ERROR);
        assertThat(e.error()).hasValueSatisfying(m -> assertThat(m)
                .startsWith("MWAA InvokeRestApi prod-env GET /version: AccessDeniedException")
                .contains("airflow:InvokeRestApi"));
        assertThat(e.error().orElseThrow()).doesNotContain(SECRET_KEY);
        assertThat(e.query().orElseThrow()).doesNotContain(SECRET_KEY);
        assertThat(airflow.requests()).isEmpty();
    }

    @Test
    void throttlingIsRetried() {
        start(FakeAirflowApi.airflow2());
        seed(2, AIRFLOW2_LOG);
        mwaa.failNext(1, FakeMwaaApi.Trouble.throttling());

        Evidence e = source(Map.of()).collect(event(2), budget(Duration.ofSeconds(10)));

        assertThat(e.status()).as(e.missingLine()).isEqualTo(Evidence.Status.OK);
        assertThat(mwaa.invocations())
                .filteredOn(c -> c.path().equals("/version"))
                .hasSize(2);
    }

    @Test
    void airflowsNotFoundThroughMwaaIsNoData() {
        start(FakeAirflowApi.airflow2());
        seed(2, AIRFLOW2_LOG);

        Evidence e = source(Map.of())
                .collect(AirflowLogSourceTest.event(DAG, "no_such_task", 2), budget(Duration.ofSeconds(10)));

        assertThat(e.status()).isEqualTo(Evidence.Status.NO_DATA);
        assertThat(e.error()).hasValueSatisfying(m -> assertThat(m)
                .contains("/taskInstances/no_such_task: HTTP 404 Task instance not found"));
    }

    @Test
    void anUnknownEnvironmentIsAnErrorNotMissingData() {
        start(FakeAirflowApi.airflow2());

        Evidence e =
                source(Map.of("MWAA_ENVIRONMENT", "no-such-env")).collect(event(2), budget(Duration.ofSeconds(10)));

        assertThat(e.status()).isEqualTo(Evidence.Status.ERROR);
        assertThat(e.error())
                .hasValueSatisfying(
                        m -> assertThat(m).contains("ResourceNotFoundException").contains("MWAA_ENVIRONMENT"));
    }

    @Test
    void aHangingMwaaIsTimedOutBeforeTheDeadline() {
        start(FakeAirflowApi.airflow2());
        seed(2, AIRFLOW2_LOG);
        mwaa.failNext(1, FakeMwaaApi.Trouble.hang());
        Instant deadline = clock.instant().plusMillis(1_500);

        Evidence e = source(Map.of()).collect(event(2), new Budget(deadline, 1 << 20, clock));

        assertThat(e.status()).as(e.missingLine()).isEqualTo(Evidence.Status.TIMED_OUT);
        assertThat(clock.instant()).isBefore(deadline);
    }

    @Test
    void theProbeNamesTheEnvironmentOrThePermissionToGrant() {
        start(FakeAirflowApi.airflow3());
        AirflowLogSource source = source(Map.of());

        Probe.Result ok = source.probe(Duration.ofSeconds(5));
        mwaa.failNext(1, FakeMwaaApi.Trouble.accessDenied());
        Probe.Result denied = source.probe(Duration.ofSeconds(5));

        assertThat(ok.ok()).as(ok.detail()).isTrue();
        assertThat(ok.detail()).startsWith("v2 (Airflow 3.1.0) at MWAA environment prod-env (eu-west-1)");
        assertThat(denied.ok()).isFalse();
        assertThat(denied.detail()).contains("AccessDeniedException").contains("airflow:InvokeRestApi");
    }

    private void start(FakeAirflowApi fake) {
        airflow = fake;
        mwaa = FakeMwaaApi.start(ENV, airflow);
    }

    private void seed(int tryNumber, String log) {
        airflow.addDag(DAG, "/usr/local/airflow/dags/orders.py", "data-platform");
        airflow.addDagRun(DAG, RUN, "failed", "scheduled", Instant.parse("2026-11-20T03:00:00Z"));
        airflow.addTaskInstance(FakeAirflowApi.TaskInstance.of(DAG, RUN, TASK, tryNumber, "failed"));
        airflow.addLog(DAG, RUN, TASK, tryNumber, log);
    }

    private AirflowLogSource source(Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>();
        env.put("MWAA_ENVIRONMENT", ENV);
        env.put("AWS_REGION", "eu-west-1");
        env.put("AWS_ENDPOINT_URL", mwaa.endpoint());
        env.putAll(overrides);
        AirflowSettings settings =
                AirflowSettings.from(name -> Optional.ofNullable(env.get(name))).orElseThrow();
        return AirflowLogSource.from(
                settings,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", SECRET_KEY)),
                clock);
    }

    private Budget budget(Duration timeout) {
        return new Budget(clock.instant().plus(timeout), 1 << 20, clock);
    }
}
