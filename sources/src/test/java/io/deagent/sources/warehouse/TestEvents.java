package io.deagent.sources.warehouse;

import io.deagent.core.FailureEvent;
import io.deagent.core.investigate.Budget;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Failure events and budgets for the warehouse tests. */
final class TestEvents {

    private TestEvents() {}

    static FailureEvent event(String dagId, String taskId, String operator, String exception, String log) {
        return event(dagId, taskId, operator, exception, log, Map.of());
    }

    static FailureEvent event(
            String dagId, String taskId, String operator, String exception, String log, Map<String, Object> extra) {
        Map<String, Object> raw = new LinkedHashMap<>();
        raw.put("dag_id", dagId);
        raw.put("task_id", taskId);
        raw.put("run_id", "scheduled__2026-11-20T03:00:00+00:00");
        raw.putAll(extra);
        return new FailureEvent(
                FailureEvent.Origin.AIRFLOW_WEBHOOK,
                dagId,
                taskId,
                Optional.of("scheduled__2026-11-20T03:00:00+00:00"),
                Optional.of(1),
                Optional.empty(),
                Optional.empty(),
                Optional.ofNullable(exception),
                Optional.ofNullable(log),
                Optional.empty(),
                Optional.empty(),
                Optional.ofNullable(operator),
                Optional.empty(),
                List.of(),
                raw);
    }

    /** The stg_orders model error as the Airflow callback reports it. */
    static FailureEvent stgOrdersError() {
        return event(
                "daily_orders",
                "dbt_run_staging",
                "DbtRunLocalOperator",
                "Database Error in model stg_orders (models/staging/stg_orders.sql)\n"
                        + "  column \"customer_idd\" does not exist",
                null);
    }

    static Budget budget(Duration time) {
        return new Budget(Instant.now().plus(time), 1_000_000, Clock.systemUTC());
    }

    static Budget budget(Duration time, long maxBytes) {
        return new Budget(Instant.now().plus(time), maxBytes, Clock.systemUTC());
    }
}
