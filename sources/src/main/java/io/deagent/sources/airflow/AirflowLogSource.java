package io.deagent.sources.airflow;

import io.deagent.core.FailureEvent;
import io.deagent.core.investigate.Budget;
import io.deagent.core.investigate.DiagnosticSource;
import io.deagent.core.investigate.Evidence;
import io.deagent.sources.Probe;
import io.deagent.sources.SourceException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * The failed try's task log and the facts around it (task instance, run, DAG file and owners) from the Airflow
 * REST API. Calls only the configured Airflow: a {@code log_url} or {@code airflow_base_url} in the event is never
 * fetched. Fetches and never judges.
 */
public final class AirflowLogSource implements DiagnosticSource, Probe {

    public static final String ID = "airflow";

    /** What the doctor's probe may read. */
    private static final long PROBE_BYTES = 64 * 1024;

    private final AirflowApi api;
    private final Clock clock;

    public AirflowLogSource(AirflowApi api, Clock clock) {
        this.api = api;
        this.clock = clock;
    }

    /** The source for these settings; MWAA signs with the default AWS credential chain. */
    public static AirflowLogSource from(AirflowSettings settings) {
        return new AirflowLogSource(AirflowApi.connect(settings), Clock.systemUTC());
    }

    /** The source for these settings; MWAA signs with {@code credentials}. */
    public static AirflowLogSource from(AirflowSettings settings, AwsCredentialsProvider credentials, Clock clock) {
        return new AirflowLogSource(AirflowApi.connect(settings, credentials), clock);
    }

    @Override
    public String id() {
        return ID;
    }

    /** Applies when the event names a DAG and task, and a run (its id, or a logical date to find it by). */
    @Override
    public boolean appliesTo(FailureEvent event) {
        return !blank(event.dagId())
                && !blank(event.taskId())
                && (event.runId().filter(r -> !r.isBlank()).isPresent()
                        || logicalDate(event).isPresent());
    }

    @Override
    public Evidence collect(FailureEvent event, Budget given) {
        Instant start = given.clock().instant();
        Budget budget = CallTimeout.reserving(given);
        Map<String, String> facts = new LinkedHashMap<>();
        Step step = new Step("the Airflow API version at " + api.target());
        try {
            ApiVersion version = api.version(budget);
            facts.put("airflow.api", version.label());
            api.release().ifPresent(r -> facts.put("airflow.version", r));

            Optional<DagRun> resolved = Optional.empty();
            String runId;
            if (event.runId().filter(r -> !r.isBlank()).isPresent()) {
                runId = event.runId().get();
            } else {
                OffsetDateTime at = logicalDate(event).orElseThrow();
                step.asking = "the DAG run of " + event.dagId() + " at " + at;
                resolved = api.runAt(event.dagId(), at, budget);
                if (resolved.isEmpty()) {
                    return noData(
                            start,
                            budget,
                            facts,
                            step.asking,
                            "no DAG run of " + event.dagId() + " has logical date " + at + " at " + api.target());
                }
                runId = resolved.get().runId();
                facts.put("airflow.run.resolved_from", "logical_date");
            }
            facts.put("airflow.run.id", runId);
            TaskKey key = new TaskKey(event.dagId(), runId, event.taskId(), mapIndex(event));

            step.asking = api.describeTaskInstance(key, budget);
            TaskInstance ti = api.taskInstance(key, budget);
            putTaskInstance(facts, ti);

            int firstTry = event.tryNumber().filter(t -> t > 0).orElse(Math.max(ti.tryNumber(), 1));
            step.asking = api.describeLog(key, firstTry, budget);
            Optional<TaskLog> log = log(key, firstTry, budget, facts, step);
            if (log.isEmpty()) {
                return noData(start, budget, facts, step.asking, step.noLog);
            }
            putLog(facts, log.get());
            putRunAndDag(facts, key, resolved, budget);
            return new Evidence(
                    ID,
                    Evidence.Status.OK,
                    Optional.of(log.get().text()),
                    frozen(facts),
                    Optional.of(step.asking),
                    Optional.empty(),
                    elapsed(start, budget),
                    api.uiLink(key, log.get().tryNumber(), version));
        } catch (SourceException e) {
            Evidence.Status status =
                    switch (e) {
                        case SourceException.NotFound n -> Evidence.Status.NO_DATA;
                        case SourceException.TimedOut t -> Evidence.Status.TIMED_OUT;
                        default -> Evidence.Status.ERROR;
                    };
            return new Evidence(
                    ID,
                    status,
                    Optional.empty(),
                    frozen(facts),
                    Optional.of(step.asking),
                    Optional.of(e.getMessage()),
                    elapsed(start, budget),
                    Optional.empty());
        }
    }

    /**
     * Reads ({@code airflow.api}, release) and an authenticated call ({@code GET /dags?limit=1}), and says what
     * to fix when one fails.
     */
    @Override
    public Result probe(Duration timeout) {
        Budget budget = CallTimeout.reserving(new Budget(clock.instant().plus(timeout), PROBE_BYTES, clock));
        try {
            Optional<String> release = api.checkVersion(budget);
            ApiVersion version = api.version(budget);
            api.countDags(budget);
            return new Result(
                    true,
                    ID,
                    version.label() + release.map(r -> " (Airflow " + r + ")").orElse("") + " at " + api.target()
                            + ", authenticated as " + api.identity());
        } catch (SourceException e) {
            return new Result(false, ID, e.getMessage() + advice(e));
        }
    }

    // ---- the log, with the try-number fallback ----

    /** What is being asked right now, for {@code query}, and why there is no log when there is none. */
    private static final class Step {
        String asking;
        String noLog = "";

        Step(String asking) {
            this.asking = asking;
        }
    }

    /**
     * The log of {@code firstTry}; when that is 404 or empty, the log of the try before. Before Airflow 2.10 a
     * task instance's try number (and so an alert's) could be one ahead of the attempt that ran.
     */
    private Optional<TaskLog> log(TaskKey key, int firstTry, Budget budget, Map<String, String> facts, Step step) {
        String firstRequest = step.asking;
        String why;
        try {
            TaskLog log = api.log(key, firstTry, budget);
            if (!log.empty()) {
                return Optional.of(log);
            }
            why = "empty";
        } catch (SourceException.NotFound e) {
            if (firstTry <= 1) {
                throw e;
            }
            why = "not found (" + e.getMessage() + ")";
        }
        if (firstTry <= 1) {
            step.noLog = "the log of try " + firstTry + " is empty: " + firstRequest;
            return Optional.empty();
        }
        int earlier = firstTry - 1;
        step.asking = api.describeLog(key, earlier, budget);
        TaskLog log;
        try {
            log = api.log(key, earlier, budget);
        } catch (SourceException.NotFound e) {
            step.noLog = "the log of try " + firstTry + " is " + why + "; the log of try " + earlier
                    + " is not found either (" + e.getMessage() + ")";
            return Optional.empty();
        }
        if (log.empty()) {
            step.noLog = "the log of try " + firstTry + " is " + why + " and the log of try " + earlier + " is empty: "
                    + firstRequest + "; " + step.asking;
            return Optional.empty();
        }
        facts.put("airflow.log.try_fallback", "try " + firstTry + " log " + why + "; used try " + earlier);
        return Optional.of(log);
    }

    // ---- facts ----

    private static void putTaskInstance(Map<String, String> facts, TaskInstance ti) {
        ti.state().ifPresent(s -> facts.put("airflow.ti.state", s));
        facts.put("airflow.ti.try_number", String.valueOf(ti.tryNumber()));
        ti.maxTries().ifPresent(m -> facts.put("airflow.ti.max_tries", String.valueOf(m)));
        ti.hostname().ifPresent(h -> facts.put("airflow.ti.hostname", h));
        ti.operator().ifPresent(o -> facts.put("airflow.ti.operator", o));
        if (ti.mapIndex() >= 0) {
            facts.put("airflow.ti.map_index", String.valueOf(ti.mapIndex()));
        }
        ti.startDate().ifPresent(s -> facts.put("airflow.ti.start_date", s));
        ti.endDate().ifPresent(e -> facts.put("airflow.ti.end_date", e));
        ti.durationSeconds().ifPresent(d -> facts.put("airflow.ti.duration_s", d));
    }

    private static void putLog(Map<String, String> facts, TaskLog log) {
        facts.put("airflow.log.try", String.valueOf(log.tryNumber()));
        facts.put("airflow.log.bytes", String.valueOf(log.bytes()));
        facts.put("airflow.log.truncated", String.valueOf(log.truncated()));
        facts.put("airflow.log.pages", String.valueOf(log.pages()));
        facts.put("airflow.log.complete", String.valueOf(log.complete()));
    }

    /**
     * Run and DAG facts are context: when they cannot be had (a broken DAG file answers 404 for its DAG), the log
     * is still the evidence, and the fact says why the context is missing.
     */
    private void putRunAndDag(Map<String, String> facts, TaskKey key, Optional<DagRun> resolved, Budget budget) {
        try {
            DagRun run = resolved.isPresent() ? resolved.get() : api.dagRun(key.dagId(), key.runId(), budget);
            run.state().ifPresent(s -> facts.put("airflow.run.state", s));
            run.runType().ifPresent(t -> facts.put("airflow.run.run_type", t));
            run.logicalDate().ifPresent(d -> facts.put("airflow.run.logical_date", d));
        } catch (SourceException e) {
            facts.put("airflow.run.error", e.getMessage());
        }
        try {
            Dag dag = api.dag(key.dagId(), budget);
            dag.fileloc().ifPresent(f -> facts.put("airflow.dag.fileloc", f));
            if (!dag.owners().isEmpty()) {
                facts.put("airflow.dag.owners", String.join(",", dag.owners()));
            }
        } catch (SourceException e) {
            facts.put("airflow.dag.error", e.getMessage());
        }
    }

    // ---- event fields ----

    /** {@code logical_date} (Airflow 2.2+ and 3) or {@code execution_date} (older alerts) from the payload. */
    private static Optional<OffsetDateTime> logicalDate(FailureEvent event) {
        for (String field : new String[] {"logical_date", "execution_date"}) {
            Object value = event.raw().get(field);
            if (value instanceof String s && !s.isBlank()) {
                try {
                    return Optional.of(OffsetDateTime.parse(s.strip().replace(' ', 'T')));
                } catch (DateTimeParseException notIso) {
                    // try the other field; an unreadable date is as good as none
                }
            }
        }
        return Optional.empty();
    }

    /** {@code map_index} from the payload (a number or its text); {@code -1} when the task is not mapped. */
    private static int mapIndex(FailureEvent event) {
        Object value = event.raw().get("map_index");
        if (value instanceof Number n) {
            return n.intValue();
        }
        if (value instanceof String s) {
            try {
                return Integer.parseInt(s.strip());
            } catch (NumberFormatException notANumber) {
                return -1;
            }
        }
        return -1;
    }

    // ---- helpers ----

    private String advice(SourceException e) {
        boolean mwaa = api.viaMwaa();
        return switch (e) {
            case SourceException.Unauthorized u ->
                mwaa
                        ? "; check the AWS credentials (default chain) and AWS_REGION"
                        : "; check AIRFLOW_USERNAME/AIRFLOW_PASSWORD or AIRFLOW_TOKEN";
            case SourceException.Forbidden f ->
                mwaa
                        ? "; the AWS principal needs airflow:InvokeRestApi on the environment and an Airflow role"
                                + " (Viewer is enough)"
                        : "; the Airflow user needs the Viewer role (read access to DAGs, runs, task instances and"
                                + " logs)";
            case SourceException.NotFound n ->
                mwaa
                        ? "; check MWAA_ENVIRONMENT"
                        : "; check AIRFLOW_BASE_URL (the webserver root, e.g. http://airflow:8080)";
            case SourceException.TimedOut t ->
                mwaa ? "; check the network path to MWAA" : "; check AIRFLOW_BASE_URL and the network path to it";
            case SourceException.Unavailable u ->
                mwaa
                        ? "; MWAA or the environment's webserver is unavailable"
                        : "; is Airflow up at " + api.target() + "?";
            default -> "";
        };
    }

    private Evidence noData(Instant start, Budget budget, Map<String, String> facts, String query, String why) {
        return new Evidence(
                ID,
                Evidence.Status.NO_DATA,
                Optional.empty(),
                frozen(facts),
                Optional.of(query),
                Optional.of(why),
                elapsed(start, budget),
                Optional.empty());
    }

    private static Map<String, String> frozen(Map<String, String> facts) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(facts));
    }

    private static Duration elapsed(Instant start, Budget budget) {
        return Duration.between(start, budget.clock().instant());
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
