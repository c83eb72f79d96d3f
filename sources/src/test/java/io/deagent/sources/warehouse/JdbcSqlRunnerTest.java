package io.deagent.sources.warehouse;

import static io.deagent.sources.warehouse.TestEvents.budget;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deagent.sources.SourceException;
import io.deagent.sources.redshift.Rows;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class JdbcSqlRunnerTest {

    private static JdbcSqlRunner auditor;

    @BeforeAll
    static void start() {
        auditor = new JdbcSqlRunner(WarehouseDatabase.auditor(WarehouseDatabase.url()));
    }

    @Test
    void bindsParametersAndReturnsPlainValues() {
        Rows rows = auditor.query(
                "select name, failures, created_at, ?::text as bound, ?::text as nothing from elementary.dbt_run_results"
                        + " where unique_id = ? order by created_at desc",
                Arrays.asList("it's \"quoted\"", null, "test.shop.not_null_orders_customer_id.5a1c2b3d4e"),
                budget(Duration.ofSeconds(10)));

        assertThat(rows.columns()).containsExactly("name", "failures", "created_at", "bound", "nothing");
        assertThat(rows.values())
                .containsExactly(Arrays.asList(
                        "not_null_orders_customer_id", 12L, "2026-11-20T03:05:02", "it's \"quoted\"", null));
    }

    @Test
    void theTransactionIsReadOnlyEvenForTheSuperuser() {
        JdbcSqlRunner superuser = new JdbcSqlRunner(WarehouseDatabase.superuser());

        assertThatThrownBy(() -> superuser.query(
                        "delete from audit.pipeline_runs returning dag_id", List.of(), budget(Duration.ofSeconds(10))))
                .isInstanceOf(SourceException.BadRequest.class)
                .hasMessageContaining("SQLSTATE 25006")
                .hasMessageContaining("read-only transaction");
    }

    @Test
    void rowsAreCappedByCountAndCellsByTheBudgetsBytes() {
        JdbcSqlRunner three = new JdbcSqlRunner(WarehouseDatabase.auditor(WarehouseDatabase.url()), 3);
        assertThat(three.query("select generate_series(1, 1000) as n", List.of(), budget(Duration.ofSeconds(10)))
                        .values())
                .hasSize(3);

        Rows big = auditor.query(
                "select repeat('x', 100000) as blob from generate_series(1, 50)",
                List.of(),
                budget(Duration.ofSeconds(10), 40_000));
        String first = (String) big.values().getFirst().getFirst();
        assertThat(first).startsWith("xxxx").contains("…[cut at 16384 chars]");
        assertThat(big.values().size()).isLessThan(50); // stopped once the budget's bytes were used
    }

    @Test
    void missingTableIsNotFound() {
        assertThatThrownBy(
                        () -> auditor.query("select * from nope.dbt_models", List.of(), budget(Duration.ofSeconds(10))))
                .isInstanceOf(SourceException.NotFound.class)
                .hasMessageContaining("SQLSTATE 42P01")
                .hasMessageContaining("[select * from nope.dbt_models]");
    }

    @Test
    void noPrivilegeIsForbidden() {
        assertThatThrownBy(() -> auditor.query("select * from pg_authid", List.of(), budget(Duration.ofSeconds(10))))
                .isInstanceOf(SourceException.Forbidden.class)
                .hasMessageContaining("SQLSTATE 42501");
    }

    @Test
    @Timeout(value = 15, unit = TimeUnit.SECONDS)
    void slowStatementIsCancelledAtTheDeadline() {
        long started = System.nanoTime();
        assertThatThrownBy(() -> auditor.query("select pg_sleep(30)", List.of(), budget(Duration.ofMillis(1500))))
                .isInstanceOf(SourceException.TimedOut.class)
                .hasMessageContaining("SQLSTATE 57014");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(8));
    }

    @Test
    void nothingLeftInTheBudgetAsksNothing() {
        assertThatThrownBy(() -> auditor.query("select 1", List.of(), budget(Duration.ZERO)))
                .isInstanceOf(SourceException.TimedOut.class)
                .hasMessageContaining("no time left");
    }

    @Test
    void nothingListeningIsUnavailable() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        JdbcSqlRunner runner = new JdbcSqlRunner(new WarehouseSettings.Jdbc(
                "jdbc:postgresql://127.0.0.1:" + port + "/analytics", Optional.of("u"), Optional.of("Pw-404")));

        assertThatThrownBy(() -> runner.query("select 1", List.of(), budget(Duration.ofSeconds(5))))
                .isInstanceOf(SourceException.Unavailable.class)
                .hasMessageContaining("jdbc:postgresql://127.0.0.1:" + port + "/analytics")
                .hasMessageNotContaining("Pw-404");
    }
}
