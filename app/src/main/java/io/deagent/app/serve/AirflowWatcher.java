package io.deagent.app.serve;

import io.deagent.app.store.IncidentStore;
import io.deagent.core.FailureEvent;
import io.deagent.core.investigate.Budget;
import io.deagent.runtime.EventJson;
import io.deagent.sources.SourceException;
import io.deagent.sources.airflow.AirflowApi;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls the Airflow API for task instances that failed without telling anyone: a worker killed by SIGKILL
 * or the OOM killer runs no callback and posts no alert. Each one becomes an event like any other; the
 * store's dedupe key folds it into the incident a callback or alert already opened.
 */
final class AirflowWatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AirflowWatcher.class);

    private final AirflowApi api;
    private final IncidentStore store;
    private final Runnable wake;
    private final ServiceMetrics metrics;
    private final Clock clock;
    private final Duration every;
    private final Duration lookback;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "de-agent-airflow-watcher");
        t.setDaemon(true);
        return t;
    });
    private Instant checkedUntil;

    AirflowWatcher(
            AirflowApi api,
            IncidentStore store,
            Runnable wake,
            ServiceMetrics metrics,
            Clock clock,
            Duration every,
            Duration lookback) {
        this.api = api;
        this.store = store;
        this.wake = wake;
        this.metrics = metrics;
        this.clock = clock;
        this.every = every;
        this.lookback = lookback;
    }

    void start() {
        timer.scheduleWithFixedDelay(this::pollSafely, 0, every.toMillis(), TimeUnit.MILLISECONDS);
        log.info("watching {} for failed task instances every {} s", api.target(), every.toSeconds());
    }

    private void pollSafely() {
        try {
            int found = poll();
            if (found > 0) {
                log.info("the Airflow watcher found {} failed task instances nobody reported", found);
            }
        } catch (SourceException e) {
            log.warn("the Airflow watcher cannot list failed task instances: {}", e.getMessage());
        } catch (RuntimeException e) {
            log.error("the Airflow watcher failed: {}", e.toString(), e);
        }
    }

    /** One pass; returns how many new incidents it opened. */
    int poll() {
        Instant now = clock.instant();
        // overlap the previous window: a task instance's end date can be written after our last look
        Instant since = checkedUntil == null ? now.minus(lookback) : checkedUntil.minus(every.multipliedBy(2));
        List<AirflowApi.FailedTask> failed =
                api.failedSince(since, 100, new Budget(now.plusSeconds(10), 1 << 20, clock));
        int opened = 0;
        for (AirflowApi.FailedTask t : failed) {
            FailureEvent event = event(t);
            IncidentStore.Accepted a = store.accept(event, EventJson.redacted(event), clock.instant());
            if (!a.duplicate()) {
                opened++;
                metrics.webhook("watcher");
            }
        }
        checkedUntil = now;
        if (opened > 0) {
            wake.run();
        }
        return opened;
    }

    static FailureEvent event(AirflowApi.FailedTask t) {
        Map<String, Object> raw = new LinkedHashMap<>();
        raw.put("dag_id", t.dagId());
        raw.put("task_id", t.taskId());
        raw.put("run_id", t.runId());
        raw.put("try_number", t.tryNumber());
        if (t.mapIndex() >= 0) {
            raw.put("map_index", t.mapIndex());
        }
        t.hostname().ifPresent(h -> raw.put("hostname", h));
        t.operator().ifPresent(o -> raw.put("operator", o));
        raw.put("found_by", "airflow_watcher");
        return new FailureEvent(
                FailureEvent.Origin.AIRFLOW_WATCHER,
                t.dagId(),
                t.taskId(),
                Optional.of(t.runId()),
                Optional.of(t.tryNumber()),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                t.hostname(),
                t.operator(),
                Optional.empty(),
                List.of(),
                raw);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
