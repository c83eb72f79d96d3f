package io.deagent.sources.airflow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deagent.core.investigate.Budget;
import io.deagent.sources.Retry;
import io.deagent.sources.SourceException;
import io.deagent.sources.airflow.AirflowSettings.Direct;
import io.deagent.sources.airflow.AirflowSettings.Mwaa;
import java.net.URI;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;

/**
 * A client of the Airflow REST API, v1 (Airflow 2) or v2 (Airflow 3), directly or through MWAA. Detects the API
 * version once (unless configured) and remembers it. Every call retries what is retriable within the budget and
 * throws a {@link SourceException} naming the request otherwise.
 */
public final class AirflowApi implements AutoCloseable {

    /** A safety stop for servers that keep handing out tokens. */
    static final int MAX_LOG_PAGES = 1_000;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Airflow's own form, {@code 2026-11-20T03:00:00+00:00}: an offset, never {@code Z}, fraction only if any. */
    private static final DateTimeFormatter LOGICAL_DATE = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_DATE_TIME)
            .appendOffset("+HH:MM", "+00:00")
            .toFormatter(Locale.ROOT);

    private final AirflowTransport transport;
    private final Optional<URI> uiBase;
    private final AtomicReference<AirflowTransport.Detected> detected = new AtomicReference<>();

    AirflowApi(AirflowTransport transport, Optional<ApiVersion> version, Optional<URI> uiBase) {
        this.transport = transport;
        this.uiBase = uiBase;
        version.ifPresent(v -> detected.set(new AirflowTransport.Detected(v, Optional.empty())));
    }

    /** A client for the settings; MWAA signs with the default AWS credential chain. */
    public static AirflowApi connect(AirflowSettings settings) {
        return connect(settings, DefaultCredentialsProvider.builder().build());
    }

    /** A client for the settings; MWAA signs with {@code credentials} (unused for a direct connection). */
    public static AirflowApi connect(AirflowSettings settings, AwsCredentialsProvider credentials) {
        AirflowTransport transport =
                switch (settings.connection()) {
                    case Direct d -> new DirectTransport(d.baseUrl(), d.credentials());
                    case Mwaa m -> new MwaaTransport(m, credentials);
                };
        return new AirflowApi(transport, settings.apiVersion(), settings.uiBaseUrl());
    }

    /** The API version: configured, or detected on first use and remembered. */
    public ApiVersion version(Budget budget) {
        AirflowTransport.Detected known = detected.get();
        if (known != null) {
            return known.version();
        }
        AirflowTransport.Detected found = Retry.call(budget, () -> transport.detect(budget));
        detected.compareAndSet(null, found);
        return found.version();
    }

    /** The Airflow release ({@code 2.10.5}) when the server has said it. */
    public Optional<String> release() {
        return Optional.ofNullable(detected.get()).flatMap(AirflowTransport.Detected::release);
    }

    /** Asks the server for its version even when the API version is configured: the doctor's reachability check. */
    public Optional<String> checkVersion(Budget budget) {
        AirflowTransport.Detected known = detected.get();
        if (known == null) {
            version(budget);
            return release();
        }
        Optional<String> release = Retry.call(budget, () -> transport.release(known.version(), budget));
        detected.set(new AirflowTransport.Detected(known.version(), release));
        return release;
    }

    /** An authenticated call that reads one DAG ({@code GET /dags?limit=1}): proves credentials and permission. */
    public int countDags(Budget budget) {
        JsonNode page = json(ApiCall.get(Map.of("limit", "1"), "dags"), budget);
        return page.path("total_entries").asInt(0);
    }

    public TaskInstance taskInstance(TaskKey key, Budget budget) {
        JsonNode ti = json(taskInstanceCall(key), budget);
        return new TaskInstance(
                text(ti, "state"),
                ti.path("try_number").asInt(0),
                ti.hasNonNull("max_tries") ? Optional.of(ti.get("max_tries").asInt()) : Optional.empty(),
                text(ti, "hostname"),
                text(ti, "operator"),
                ti.path("map_index").asInt(-1),
                text(ti, "start_date"),
                text(ti, "end_date"),
                ti.hasNonNull("duration") ? Optional.of(ti.get("duration").asText()) : Optional.empty());
    }

    /** A task instance that ended in {@code failed}, as the watcher sees it. */
    public record FailedTask(
            String dagId,
            String runId,
            String taskId,
            int mapIndex,
            int tryNumber,
            Optional<String> endDate,
            Optional<String> hostname,
            Optional<String> operator) {}

    /**
     * Task instances of every DAG and run that failed since {@code since}
     * ({@code GET /dags/~/dagRuns/~/taskInstances?state=failed&end_date_gte=…}, the same on v1 and v2).
     */
    public java.util.List<FailedTask> failedSince(java.time.Instant since, int limit, Budget budget) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("state", "failed");
        query.put("end_date_gte", LOGICAL_DATE.format(since.atOffset(java.time.ZoneOffset.UTC)));
        query.put("limit", String.valueOf(limit));
        JsonNode list = json(ApiCall.get(query, "dags", "~", "dagRuns", "~", "taskInstances"), budget)
                .path("task_instances");
        java.util.List<FailedTask> out = new java.util.ArrayList<>();
        for (JsonNode ti : list) {
            out.add(new FailedTask(
                    ti.path("dag_id").asText(),
                    ti.path("dag_run_id").asText(),
                    ti.path("task_id").asText(),
                    ti.path("map_index").asInt(-1),
                    ti.path("try_number").asInt(0),
                    text(ti, "end_date"),
                    text(ti, "hostname"),
                    text(ti, "operator")));
        }
        return out;
    }

    public DagRun dagRun(String dagId, String runId, Budget budget) {
        return dagRunOf(json(ApiCall.get(Map.of(), "dags", dagId, "dagRuns", runId), budget));
    }

    /**
     * The run of {@code dagId} whose logical date is {@code logicalDate}, for events that name no run id. v1
     * filters on {@code execution_date_gte/lte}, v2 on {@code logical_date_gte/lte}.
     */
    public Optional<DagRun> runAt(String dagId, OffsetDateTime logicalDate, Budget budget) {
        ApiVersion v = version(budget);
        String field = v == ApiVersion.V1 ? "execution_date" : "logical_date";
        String at = LOGICAL_DATE.format(logicalDate);
        Map<String, String> query = new LinkedHashMap<>();
        query.put(field + "_gte", at);
        query.put(field + "_lte", at);
        JsonNode runs =
                json(ApiCall.get(query, "dags", dagId, "dagRuns"), budget).path("dag_runs");
        return runs.isArray() && !runs.isEmpty() ? Optional.of(dagRunOf(runs.get(0))) : Optional.empty();
    }

    public Dag dag(String dagId, Budget budget) {
        JsonNode dag = json(ApiCall.get(Map.of(), "dags", dagId), budget);
        List<String> owners = new ArrayList<>();
        dag.path("owners").forEach(o -> owners.add(o.asText()));
        return new Dag(dagId, text(dag, "fileloc"), owners);
    }

    /**
     * The log of one try, its tail kept within {@code budget.maxBytes()}. v1 asks for {@code text/plain} (one
     * stream, no pages); a v1 server answering JSON anyway, v2 and MWAA give JSON pages, followed by their
     * continuation tokens until the end of the log. Pages cannot skip to the end, so all are read while the
     * deadline allows; if it (or an error) stops them after the first page, the log read so far comes back
     * with {@code complete = false}. An existing task instance without a log for the try answers empty.
     */
    public TaskLog log(TaskKey key, int tryNumber, Budget budget) {
        ApiVersion v = version(budget);
        ApiCall first = logCall(key, tryNumber, Optional.empty(), v);
        String request = transport.describe(v, first);
        ApiReply reply = send(v, first, budget);
        if (!reply.isJson()) {
            return new TaskLog(tryNumber, reply.body(), reply.bytes(), reply.truncated(), true, 1, request);
        }
        TailBuffer tail = new TailBuffer(budget.maxBytes());
        Optional<String> previous = Optional.empty();
        int pages = 0;
        boolean complete = true;
        while (true) {
            LogPage page = LogPage.parse(parse(reply, transport.describe(v, first)));
            pages++;
            tail.write(page.text());
            Optional<String> next = page.nextToken().or(reply::continuationToken);
            // Airflow 2 hands back a token even at the end: an empty page or a repeated token is the end
            if (page.text().isEmpty() || next.isEmpty() || next.equals(previous)) {
                break;
            }
            if (pages >= MAX_LOG_PAGES) {
                complete = false;
                break;
            }
            previous = next;
            try {
                reply = send(v, logCall(key, tryNumber, next, v), budget);
            } catch (SourceException stopped) {
                complete = false; // what was read is still the best evidence there is
                break;
            }
        }
        return new TaskLog(tryNumber, tail.text(), tail.total(), tail.truncated(), complete, pages, request);
    }

    /** {@code GET …/taskInstances/{task}[/{map_index}]}, as shown in messages. */
    public String describeTaskInstance(TaskKey key, Budget budget) {
        return transport.describe(version(budget), taskInstanceCall(key));
    }

    /** {@code GET …/logs/{try}}, as shown in messages. */
    public String describeLog(TaskKey key, int tryNumber, Budget budget) {
        ApiVersion v = version(budget);
        return transport.describe(v, logCall(key, tryNumber, Optional.empty(), v));
    }

    /**
     * The Airflow UI page of this try's log, on the configured base URL (never a host from an alert): the grid
     * view with the logs tab on Airflow 2, the task instance page on Airflow 3. Empty when no base URL is known
     * (MWAA without {@code AIRFLOW_BASE_URL}).
     */
    public Optional<String> uiLink(TaskKey key, int tryNumber, ApiVersion version) {
        return uiBase.map(base -> {
            String dag = UrlEncoding.strict(key.dagId());
            String run = UrlEncoding.strict(key.runId());
            String task = UrlEncoding.strict(key.taskId());
            if (version == ApiVersion.V1) {
                return base + "/dags/" + dag + "/grid?dag_run_id=" + run + "&task_id=" + task + "&tab=logs"
                        + (key.mapped() ? "&map_index=" + key.mapIndex() : "");
            }
            return base + "/dags/" + dag + "/runs/" + run + "/tasks/" + task
                    + (key.mapped() ? "/mapped/" + key.mapIndex() : "") + "?try_number=" + tryNumber;
        });
    }

    /** Where calls go: the base URL or the MWAA environment. */
    public String target() {
        return transport.target();
    }

    /** Who we authenticate as, for the doctor line; never a secret. */
    public String identity() {
        return transport.identity();
    }

    public boolean viaMwaa() {
        return transport.viaMwaa();
    }

    @Override
    public void close() {
        transport.close();
    }

    // ---- calls ----

    private static ApiCall taskInstanceCall(TaskKey key) {
        List<String> segments =
                new ArrayList<>(List.of("dags", key.dagId(), "dagRuns", key.runId(), "taskInstances", key.taskId()));
        if (key.mapped()) {
            segments.add(String.valueOf(key.mapIndex()));
        }
        return new ApiCall("GET", segments, Map.of(), ApiCall.Accept.JSON);
    }

    private ApiCall logCall(TaskKey key, int tryNumber, Optional<String> token, ApiVersion v) {
        Map<String, String> query = new LinkedHashMap<>();
        if (key.mapped()) {
            query.put("map_index", String.valueOf(key.mapIndex()));
        }
        token.ifPresent(t -> query.put("token", t));
        ApiCall.Accept accept = v == ApiVersion.V1 && !transport.viaMwaa() ? ApiCall.Accept.TEXT : ApiCall.Accept.JSON;
        return new ApiCall(
                "GET",
                List.of(
                        "dags",
                        key.dagId(),
                        "dagRuns",
                        key.runId(),
                        "taskInstances",
                        key.taskId(),
                        "logs",
                        String.valueOf(tryNumber)),
                query,
                accept);
    }

    private ApiReply send(ApiVersion v, ApiCall call, Budget budget) {
        return Retry.call(budget, () -> transport.send(v, call, budget, budget.maxBytes()));
    }

    private JsonNode json(ApiCall call, Budget budget) {
        ApiVersion v = version(budget);
        return parse(send(v, call, budget), transport.describe(v, call));
    }

    private static JsonNode parse(ApiReply reply, String what) {
        try {
            JsonNode node = JSON.readTree(reply.body());
            if (node == null) {
                throw new SourceException.BadRequest(what + ": empty answer");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new SourceException.BadRequest(what + ": answer is not JSON (" + e.getOriginalMessage() + ")");
        }
    }

    private static DagRun dagRunOf(JsonNode run) {
        Optional<String> logical = text(run, "logical_date").or(() -> text(run, "execution_date"));
        return new DagRun(run.path("dag_run_id").asText(""), text(run, "state"), text(run, "run_type"), logical);
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() || v.asText().isEmpty() ? Optional.empty() : Optional.of(v.asText());
    }
}
