package io.deagent.sources.redshift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deagent.core.investigate.Budget;
import io.deagent.sources.Probe;
import io.deagent.sources.SourceException;
import io.deagent.testkit.FakeAwsJsonApi;
import io.deagent.testkit.FakeAwsJsonApi.AwsError;
import io.deagent.testkit.FakeAwsJsonApi.Failure;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.redshiftdata.RedshiftDataClient;

class RedshiftDataQueryTest {

    static final RedshiftSettings.Target CLUSTER = new RedshiftSettings.Target.Cluster("analytics");
    static final String ID = "d9b6c0c9-0747-4bf4-b142-e8883122f766";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EXECUTE = "RedshiftData.ExecuteStatement";
    private static final String DESCRIBE = "RedshiftData.DescribeStatement";
    private static final String RESULT = "RedshiftData.GetStatementResult";
    private static final String CANCEL = "RedshiftData.CancelStatement";
    private static final RedshiftDataQuery.Polling FAST =
            new RedshiftDataQuery.Polling(Duration.ofMillis(5), Duration.ofMillis(20));

    private final FakeAwsJsonApi aws = FakeAwsJsonApi.start();
    private final RedshiftDataClient client = client(aws, CLUSTER);
    private final RedshiftDataQuery query =
            new RedshiftDataQuery(settings(aws, CLUSTER, Optional.of("agent"), Optional.empty()), client, FAST, 500);

    /** The statuses DescribeStatement goes through; the last one repeats. */
    private final List<ObjectNode> statuses = new CopyOnWriteArrayList<>();

    private final AtomicInteger described = new AtomicInteger();

    RedshiftDataQueryTest() {
        aws.on(EXECUTE, call -> Map.of("Id", ID, "CreatedAt", 1.7636076E9));
        aws.on(DESCRIBE, call -> statuses.get(Math.min(described.getAndIncrement(), statuses.size() - 1)));
        aws.on(CANCEL, call -> Map.of("Status", true));
    }

    @AfterEach
    void stop() {
        client.close();
        aws.close();
    }

    static RedshiftSettings settings(
            FakeAwsJsonApi aws, RedshiftSettings.Target target, Optional<String> dbUser, Optional<String> secret) {
        return new RedshiftSettings(target, "dev", dbUser, secret, "us-east-1", Optional.of(aws.endpoint()));
    }

    static RedshiftDataClient client(FakeAwsJsonApi aws, RedshiftSettings.Target target) {
        RedshiftSettings s = target instanceof RedshiftSettings.Target.Cluster
                ? settings(aws, target, Optional.of("agent"), Optional.empty())
                : settings(aws, target, Optional.empty(), Optional.empty());
        return DataApiCalls.client(
                s, StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "not-a-secret")));
    }

    private static Budget budget(Duration time, long maxBytes) {
        return new Budget(Instant.now().plus(time), maxBytes, Clock.systemUTC());
    }

    private static ObjectNode status(String status) {
        return JSON.createObjectNode().put("Id", ID).put("Status", status).put("Duration", -1);
    }

    private static ObjectNode finished(long durationNanos, boolean hasResultSet, long rows) {
        return status("FINISHED")
                .put("Duration", durationNanos)
                .put("HasResultSet", hasResultSet)
                .put("ResultRows", rows);
    }

    private static String page(String rows, String nextToken) {
        return "{\"ColumnMetadata\":[{\"name\":\"unique_id\",\"label\":\"unique_id\",\"typeName\":\"varchar\"},"
                + "{\"name\":\"failures\",\"label\":\"failures\",\"typeName\":\"int8\"},"
                + "{\"name\":\"execution_time\",\"label\":\"execution_time\",\"typeName\":\"float8\"},"
                + "{\"name\":\"full_refresh\",\"label\":\"full_refresh\",\"typeName\":\"bool\"},"
                + "{\"name\":\"created_at\",\"label\":\"created_at\",\"typeName\":\"timestamp\"}],"
                + "\"Records\":" + rows + ",\"TotalNumRows\":3"
                + (nextToken == null ? "" : ",\"NextToken\":\"" + nextToken + "\"") + "}";
    }

    private static String row(String id, String failures) {
        return "[{\"stringValue\":\"" + id + "\"}," + failures + ",{\"doubleValue\":0.42},{\"booleanValue\":false},"
                + "{\"stringValue\":\"2026-11-20 03:01:02.123\"}]";
    }

    @Test
    void runsPollsAndPagesThroughTheResult() {
        statuses.addAll(
                List.of(status("SUBMITTED"), status("PICKED"), status("STARTED"), finished(1_234_567_890L, true, 3)));
        aws.on(
                RESULT,
                call -> call.text("NextToken").isEmpty()
                        ? page(
                                "[" + row("model.shop.orders", "{\"longValue\":3}") + ","
                                        + row("test.shop.nn", "{\"isNull\":true}") + "]",
                                "page-2")
                        : page("[" + row("model.shop.items", "{\"longValue\":0}") + "]", null));

        RedshiftDataQuery.Statement s = query.run(
                "select unique_id, failures, execution_time, full_refresh, created_at from elementary.dbt_run_results"
                        + " where status = ? and created_at > ?::timestamp",
                List.of("error", Instant.parse("2026-11-19T03:00:00Z")),
                budget(Duration.ofSeconds(10), 1 << 20));

        assertThat(s.id()).isEqualTo(ID);
        assertThat(s.durationMillis()).isEqualTo(1234);
        assertThat(s.resultRows()).isEqualTo(3);
        assertThat(s.truncated()).isFalse();
        assertThat(s.rows().columns())
                .containsExactly("unique_id", "failures", "execution_time", "full_refresh", "created_at");
        assertThat(s.rows().values())
                .containsExactly(
                        List.of("model.shop.orders", 3L, 0.42, false, "2026-11-20 03:01:02.123"),
                        Arrays.asList("test.shop.nn", null, 0.42, false, "2026-11-20 03:01:02.123"),
                        List.of("model.shop.items", 0L, 0.42, false, "2026-11-20 03:01:02.123"));
        assertThat(aws.calls(DESCRIBE)).hasSize(4).allSatisfy(c -> assertThat(c.text("Id"))
                .contains(ID));
        assertThat(aws.calls(RESULT))
                .extracting(c -> c.text("NextToken").orElse("-"))
                .containsExactly("-", "page-2");

        FakeAwsJsonApi.Call execute = aws.calls(EXECUTE).get(0);
        assertThat(execute.text("Sql"))
                .contains(
                        "select unique_id, failures, execution_time, full_refresh, created_at from elementary.dbt_run_results"
                                + " where status = :p1 and created_at > :p2::timestamp");
        assertThat(execute.body().get("Parameters").toString())
                .isEqualTo(
                        "[{\"name\":\"p1\",\"value\":\"error\"},{\"name\":\"p2\",\"value\":\"2026-11-19 03:00:00.000000\"}]");
        assertThat(execute.text("ClusterIdentifier")).contains("analytics");
        assertThat(execute.text("Database")).contains("dev");
        assertThat(execute.text("DbUser")).contains("agent");
        assertThat(execute.body().has("SecretArn")).isFalse();
        assertThat(execute.body().has("WorkgroupName")).isFalse();
        assertThat(execute.text("ClientToken")).isPresent();
        assertThat(aws.calls(CANCEL)).isEmpty();
    }

    @Test
    void theSqlRunnerPortReturnsTheRows() {
        statuses.add(finished(5_000_000L, true, 1));
        aws.on(RESULT, call -> page("[" + row("model.shop.orders", "{\"longValue\":3}") + "]", null));

        Rows rows = ((SqlRunner) query).query("select 1", List.of(), budget(Duration.ofSeconds(10), 1 << 20));

        assertThat(rows.size()).isEqualTo(1);
        assertThat(rows.get(0, "failures")).isEqualTo(3L);
    }

    @Test
    void aStatementWithoutResultSetHasNoRowsAndIsNotFetched() {
        statuses.add(finished(2_000_000L, false, 0));

        RedshiftDataQuery.Statement s = query.run("analyze t", List.of(), budget(Duration.ofSeconds(10), 1 << 20));

        assertThat(s.rows().isEmpty()).isTrue();
        assertThat(s.durationMillis()).isEqualTo(2);
        assertThat(aws.calls(RESULT)).isEmpty();
    }

    @Test
    void aFailedStatementCarriesTheSqlErrorText() {
        statuses.addAll(List.of(
                status("STARTED"), status("FAILED").put("Error", "ERROR: column \"customer_idd\" does not exist")));

        assertThatThrownBy(() -> query.run(
                        "select customer_idd from orders", List.of(), budget(Duration.ofSeconds(10), 1 << 20)))
                .isInstanceOf(SourceException.BadRequest.class)
                .hasMessageContaining("cluster analytics database dev")
                .hasMessageContaining("select customer_idd from orders")
                .hasMessageContaining(ID)
                .hasMessageContaining("FAILED: ERROR: column \"customer_idd\" does not exist");
        assertThat(aws.calls(RESULT)).isEmpty();
    }

    @Test
    void aMissingRelationIsNotFoundAndADeniedPrivilegeForbiddenAsOverJdbc() {
        statuses.add(status("FAILED")
                .put("Error", "ERROR: relation \"analytics_elementary.dbt_run_results\" does not exist"));
        assertThatThrownBy(() -> query.run(
                        "select 1 from analytics_elementary.dbt_run_results",
                        List.of(),
                        budget(Duration.ofSeconds(10), 1 << 20)))
                .isInstanceOf(SourceException.NotFound.class);

        statuses.clear();
        described.set(0);
        statuses.add(status("FAILED").put("Error", "ERROR: permission denied for relation stl_load_errors"));
        assertThatThrownBy(() ->
                        query.run("select 1 from stl_load_errors", List.of(), budget(Duration.ofSeconds(10), 1 << 20)))
                .isInstanceOf(SourceException.Forbidden.class);
    }

    @Test
    void anAbortedStatementIsAnError() {
        statuses.add(status("ABORTED"));

        assertThatThrownBy(() -> query.run("select 1", List.of(), budget(Duration.ofSeconds(10), 1 << 20)))
                .isInstanceOf(SourceException.BadRequest.class)
                .hasMessageContaining("ABORTED");
    }

    @Test
    void aStatementThatNeverFinishesTimesOutWithinTheBudgetAndIsCancelled() {
        statuses.add(status("STARTED"));
        long started = System.nanoTime();

        assertThatThrownBy(() -> query.run("select pg_sleep(3600)", List.of(), budget(Duration.ofMillis(600), 1 << 20)))
                .isInstanceOf(SourceException.TimedOut.class)
                .hasMessageContaining(ID)
                .hasMessageContaining("cancelled");

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
        assertThat(aws.awaitCall(CANCEL, c -> true, Duration.ofSeconds(5)).text("Id"))
                .contains(ID);
    }

    @Test
    void aHungDescribeCallTimesOutAtTheDeadlineAndTheStatementIsCancelled() {
        statuses.add(status("STARTED"));
        aws.failNext(DESCRIBE, 1, Failure.hang());
        long started = System.nanoTime();

        assertThatThrownBy(() -> query.run("select 1", List.of(), budget(Duration.ofMillis(600), 1 << 20)))
                .isInstanceOf(SourceException.TimedOut.class);

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
        assertThat(aws.awaitCall(CANCEL, c -> true, Duration.ofSeconds(5)).text("Id"))
                .contains(ID);
    }

    @Test
    void busyWarehouseIsRetriedWithTheSameClientToken() {
        statuses.add(finished(1_000_000L, false, 0));
        aws.failNext(
                EXECUTE,
                1,
                new AwsError(
                        400, "ActiveStatementsExceededException", "Active statements exceeded the allowed quota."));
        aws.failNext(EXECUTE, 1, AwsError.internalServerError());

        query.run("select 1", List.of(), budget(Duration.ofSeconds(10), 1 << 20));

        List<FakeAwsJsonApi.Call> executes = aws.calls(EXECUTE);
        assertThat(executes).hasSize(3);
        assertThat(executes)
                .extracting(c -> c.text("ClientToken").orElseThrow())
                .containsOnly(executes.get(0).text("ClientToken").orElseThrow());
    }

    @Test
    void accessDeniedIsForbiddenAndAValidationErrorABadRequest() {
        aws.failNext(
                EXECUTE, 1, AwsError.accessDenied("User is not authorized to perform: redshift-data:ExecuteStatement"));
        assertThatThrownBy(() -> query.run("select 1", List.of(), budget(Duration.ofSeconds(10), 1 << 20)))
                .isInstanceOf(SourceException.Forbidden.class)
                .hasMessageContaining("ExecuteStatement")
                .hasMessageContaining("redshift-data:ExecuteStatement");

        aws.failNext(EXECUTE, 1, AwsError.validation("Cluster identifier is invalid"));
        assertThatThrownBy(() -> query.run("select 1", List.of(), budget(Duration.ofSeconds(10), 1 << 20)))
                .isInstanceOf(SourceException.BadRequest.class)
                .hasMessageContaining("ValidationException Cluster identifier is invalid");
    }

    @Test
    void aServerlessWorkgroupWithASecretSendsThoseMembers() {
        String arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:de-agent/redshift-a1b2c3";
        RedshiftDataQuery serverless = new RedshiftDataQuery(
                settings(
                        aws, new RedshiftSettings.Target.Workgroup("analytics-wg"), Optional.empty(), Optional.of(arn)),
                client,
                FAST,
                500);
        statuses.add(finished(1_000_000L, false, 0));

        serverless.run("select 1", List.of(), budget(Duration.ofSeconds(10), 1 << 20));

        FakeAwsJsonApi.Call execute = aws.calls(EXECUTE).get(0);
        assertThat(execute.text("WorkgroupName")).contains("analytics-wg");
        assertThat(execute.text("SecretArn")).contains(arn);
        assertThat(execute.body().has("ClusterIdentifier")).isFalse();
        assertThat(execute.body().has("DbUser")).isFalse();
        assertThat(execute.body().has("Parameters")).isFalse();
    }

    @Test
    void theRowLimitAndByteCapStopPagingAndSaySo() {
        statuses.add(finished(1_000_000L, true, 3));
        aws.on(
                RESULT,
                call -> call.text("NextToken").isEmpty()
                        ? page(
                                "[" + row("a", "{\"longValue\":1}") + "," + row("b", "{\"longValue\":1}") + "]",
                                "page-2")
                        : page("[" + row("c", "{\"longValue\":1}") + "]", null));
        RedshiftDataQuery twoRows = new RedshiftDataQuery(query.settings(), client, FAST, 2);

        RedshiftDataQuery.Statement limited =
                twoRows.run("select 1", List.of(), budget(Duration.ofSeconds(10), 1 << 20));
        described.set(0);
        RedshiftDataQuery.Statement capped = query.run("select 1", List.of(), budget(Duration.ofSeconds(10), 10));

        assertThat(limited.truncated()).isTrue();
        assertThat(limited.rows().size()).isEqualTo(2);
        assertThat(capped.truncated()).isTrue();
        assertThat(capped.rows().size()).isEqualTo(1);
    }

    @Test
    void probeRunsSelectOne() {
        statuses.add(finished(3_000_000L, true, 1));
        aws.on(RESULT, call -> "{\"ColumnMetadata\":[{\"name\":\"?column?\"}],\"Records\":[[{\"longValue\":1}]]}");

        Probe.Result ok = query.probe(Duration.ofSeconds(5));
        aws.failNext(EXECUTE, 1, AwsError.accessDenied("not authorized"));
        Probe.Result denied = query.probe(Duration.ofSeconds(5));

        assertThat(ok.ok()).isTrue();
        assertThat(ok.name()).isEqualTo("redshift_data_api");
        assertThat(ok.detail()).contains("select 1 on cluster analytics database dev ran in 3 ms");
        assertThat(denied.ok()).isFalse();
        assertThat(denied.detail()).contains("redshift-data:ExecuteStatement");
    }
}
