package io.deagent.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * A local Airflow webserver at the wire, acting as Airflow 2 ({@code /api/v1}, basic auth, {@code text/plain} or
 * JSON task logs, RFC 7807 {@code problem+json} errors) or Airflow 3 ({@code /api/v2}, {@code POST /auth/token}
 * for a JWT, structured JSON task logs, FastAPI {@code {"detail": …}} errors). Point a client at {@link
 * #baseUrl()}, the webserver root, as {@code AIRFLOW_BASE_URL} would.
 *
 * <p>Data is programmed ({@link #addTaskInstance}, {@link #addLog}, …), so is trouble ({@link #failNext}), and
 * every request is recorded with its raw (still encoded) path and its headers so a test can assert how a client
 * encoded a run id and how it authenticated.
 *
 * <p>Path segments are decoded as the servers named in the run-id pitfall do: {@code %XX} escapes, and a literal
 * {@code +} read as a space. A client that does not percent-encode {@code +} therefore misses the run, as it would
 * behind such a server or proxy.
 */
public final class FakeAirflowApi implements AutoCloseable {

    /** Which Airflow the fake is. */
    public enum Flavor {
        /** Airflow 2.x: {@code /api/v1}. */
        AIRFLOW_2("/api/v1", "2.10.5"),
        /** Airflow 3.x: {@code /api/v2}. */
        AIRFLOW_3("/api/v2", "3.1.0");

        private final String prefix;
        private final String version;

        Flavor(String prefix, String version) {
            this.prefix = prefix;
            this.version = version;
        }

        public String apiPrefix() {
            return prefix;
        }
    }

    public static final String USERNAME = "admin";
    public static final String PASSWORD = "admin-secret-pw";
    public static final String DEFAULT_HOSTNAME = "worker-3";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROBLEM_TYPE =
            "https://airflow.apache.org/docs/apache-airflow/2.10.5/stable-rest-api-ref.html#section/Errors/";

    /** One request as the fake received it. Header names compare case-insensitively, as HTTP says. */
    public record Request(
            String method,
            String rawPath,
            Optional<String> rawQuery,
            Map<String, List<String>> headers,
            String body,
            boolean viaMwaa,
            Instant at) {
        public Request {
            Map<String, List<String>> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            headers.forEach((k, v) -> h.put(k, List.copyOf(v)));
            headers = Collections.unmodifiableMap(h);
        }

        public Optional<String> header(String name) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
        }

        /** The query parameters, percent-decoded. */
        public Map<String, String> query() {
            return rawQuery.map(FakeAirflowApi::decodeQuery).orElse(Map.of());
        }

        /** Method and raw path (and query), for assertion messages. */
        @Override
        public String toString() {
            return method + " " + rawPath + rawQuery.map(q -> "?" + q).orElse("") + (viaMwaa ? " (via MWAA)" : "");
        }
    }

    /** Trouble to answer with instead of the normal reply. */
    public sealed interface Trouble {
        /** An error answer with this status, shaped like the flavor's errors. */
        record Status(int status, String detail) implements Trouble {}

        /** HTTP 429 with {@code Retry-After: seconds}. */
        record RateLimited(int retryAfterSeconds) implements Trouble {}

        /** No answer at all until the fake is closed: the client has to give up by itself. */
        record Hang() implements Trouble {}

        /** The connection is closed without a response. */
        record Drop() implements Trouble {}

        static Trouble status(int status, String detail) {
            return new Status(status, detail);
        }

        static Trouble rateLimited(int retryAfterSeconds) {
            return new RateLimited(retryAfterSeconds);
        }

        static Trouble hang() {
            return new Hang();
        }

        static Trouble drop() {
            return new Drop();
        }
    }

    /** A task instance as the fake serves it; {@code with…} methods return changed copies. */
    public record TaskInstance(
            String dagId,
            String runId,
            String taskId,
            int mapIndex,
            int tryNumber,
            int maxTries,
            String state,
            String hostname,
            String operator,
            Instant startDate,
            Instant endDate) {

        public static TaskInstance of(String dagId, String runId, String taskId, int tryNumber, String state) {
            Instant end = Instant.parse("2026-11-20T03:14:03.512Z");
            return new TaskInstance(
                    dagId,
                    runId,
                    taskId,
                    -1,
                    tryNumber,
                    Math.max(tryNumber, 1),
                    state,
                    DEFAULT_HOSTNAME,
                    "SQLExecuteQueryOperator",
                    end.minusMillis(1_482),
                    end);
        }

        public TaskInstance withMapIndex(int mapIndex) {
            return new TaskInstance(
                    dagId, runId, taskId, mapIndex, tryNumber, maxTries, state, hostname, operator, startDate, endDate);
        }

        public TaskInstance withMaxTries(int maxTries) {
            return new TaskInstance(
                    dagId, runId, taskId, mapIndex, tryNumber, maxTries, state, hostname, operator, startDate, endDate);
        }

        public TaskInstance withHostname(String hostname) {
            return new TaskInstance(
                    dagId, runId, taskId, mapIndex, tryNumber, maxTries, state, hostname, operator, startDate, endDate);
        }

        public TaskInstance withOperator(String operator) {
            return new TaskInstance(
                    dagId, runId, taskId, mapIndex, tryNumber, maxTries, state, hostname, operator, startDate, endDate);
        }

        public TaskInstance withTimes(Instant startDate, Instant endDate) {
            return new TaskInstance(
                    dagId, runId, taskId, mapIndex, tryNumber, maxTries, state, hostname, operator, startDate, endDate);
        }

        double durationSeconds() {
            return (endDate.toEpochMilli() - startDate.toEpochMilli()) / 1000.0;
        }
    }

    /** A DAG run as the fake serves it. */
    public record DagRun(String dagId, String runId, String state, String runType, Instant logicalDate) {}

    /** A DAG as the fake serves it. */
    public record Dag(String dagId, String fileloc, List<String> owners) {
        public Dag {
            owners = List.copyOf(owners);
        }
    }

    /** What the fake answers, before it goes on the wire (or into an MWAA envelope). */
    record Reply(int status, Map<String, String> headers, String contentType, String body) {
        static Reply json(int status, JsonNode body) {
            return new Reply(status, Map.of(), "application/json", body.toString());
        }
    }

    private record Key(String dagId, String runId, String taskId, int mapIndex) {}

    private record LogKey(Key ti, int tryNumber) {}

    private record Planned(Predicate<Request> matching, Trouble trouble) {}

    private final Flavor flavor;
    private final Clock clock;
    private final HttpServer server;
    private final ExecutorService executor;
    private final CountDownLatch closed = new CountDownLatch(1);

    private final ReentrantLock lock = new ReentrantLock();
    private final List<Request> requests = new ArrayList<>();
    private final List<Planned> planned = new ArrayList<>();
    private final Map<String, Dag> dags = new LinkedHashMap<>();
    private final Map<String, DagRun> runs = new LinkedHashMap<>();
    private final Map<Key, TaskInstance> taskInstances = new LinkedHashMap<>();
    private final Map<LogKey, String> logs = new LinkedHashMap<>();
    private final Set<String> validTokens = new HashSet<>();
    private final Set<String> staticTokens = new HashSet<>();
    private int issuedTokens;
    private int logPages = 1;
    private boolean logsAlwaysJson;
    private boolean logsAsPythonRepr = true;

    private FakeAirflowApi(Flavor flavor, Clock clock) throws IOException {
        this.flavor = flavor;
        this.clock = clock;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        // one virtual thread per request: a hanging request must not block the others
        this.executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** An Airflow 2 ({@code /api/v1}) accepting basic auth {@value #USERNAME} / {@link #PASSWORD}. */
    public static FakeAirflowApi airflow2() {
        return start(Flavor.AIRFLOW_2, Clock.systemUTC());
    }

    /** An Airflow 3 ({@code /api/v2}) issuing JWTs for {@value #USERNAME} / {@link #PASSWORD}. */
    public static FakeAirflowApi airflow3() {
        return start(Flavor.AIRFLOW_3, Clock.systemUTC());
    }

    /** The clock stamps {@link Request#at()}. */
    public static FakeAirflowApi start(Flavor flavor, Clock clock) {
        try {
            return new FakeAirflowApi(flavor, clock);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a local port for the fake Airflow API", e);
        }
    }

    public Flavor flavor() {
        return flavor;
    }

    /** {@code http://127.0.0.1:<port>}: the webserver root, without a trailing slash. */
    public String baseUrl() {
        return "http://" + server.getAddress().getAddress().getHostAddress() + ":"
                + server.getAddress().getPort();
    }

    // ---- programmable data ----

    public void addDag(String dagId, String fileloc, String... owners) {
        locked(() -> dags.put(dagId, new Dag(dagId, fileloc, List.of(owners))));
    }

    public void addDagRun(String dagId, String runId, String state, String runType, Instant logicalDate) {
        locked(() -> {
            ensureDag(dagId);
            runs.put(dagId + "\n" + runId, new DagRun(dagId, runId, state, runType, logicalDate));
        });
    }

    /** Adds a task instance (and its DAG and run with defaults, when not added before). */
    public TaskInstance addTaskInstance(TaskInstance ti) {
        locked(() -> {
            ensureDag(ti.dagId());
            runs.computeIfAbsent(ti.dagId() + "\n" + ti.runId(), k -> defaultRun(ti.dagId(), ti.runId()));
            taskInstances.put(new Key(ti.dagId(), ti.runId(), ti.taskId(), ti.mapIndex()), ti);
        });
        return ti;
    }

    public TaskInstance addTaskInstance(String dagId, String runId, String taskId, int tryNumber, String state) {
        return addTaskInstance(TaskInstance.of(dagId, runId, taskId, tryNumber, state));
    }

    /**
     * The log of one try. For Airflow 3, lines that are JSON objects are served as structured records and other
     * lines as strings, as the {@code /api/v2} log endpoint does.
     */
    public void addLog(String dagId, String runId, String taskId, int tryNumber, String text) {
        addLog(dagId, runId, taskId, -1, tryNumber, text);
    }

    public void addLog(String dagId, String runId, String taskId, int mapIndex, int tryNumber, String text) {
        locked(() -> logs.put(new LogKey(new Key(dagId, runId, taskId, mapIndex), tryNumber), text));
    }

    // ---- programmable behaviour ----

    /** JSON log answers come in {@code pages} pages linked by continuation tokens (text/plain is never paged). */
    public void splitLogsInto(int pages) {
        if (pages < 1) {
            throw new IllegalArgumentException("pages must be at least 1, got " + pages);
        }
        locked(() -> logPages = pages);
    }

    /** Airflow 2 answers logs in the JSON form even when asked for {@code text/plain}, as some proxies make it. */
    public void answerLogsAsJson(boolean always) {
        locked(() -> logsAlwaysJson = always);
    }

    /**
     * Airflow 2's JSON log {@code content}: the Python {@code str()} of {@code [(host, text)]} (true, the
     * default, as many 2.x versions answer) or the plain text.
     */
    public void jsonLogContentAsPythonRepr(boolean repr) {
        locked(() -> logsAsPythonRepr = repr);
    }

    /** Accepts {@code Authorization: Bearer token} (as a static API token) in either flavor. */
    public void acceptToken(String token) {
        locked(() -> staticTokens.add(token));
    }

    /** Every JWT issued so far stops working: the next call with one gets a 401, as after expiry. */
    public void expireTokens() {
        locked(validTokens::clear);
    }

    /** The next {@code times} requests get {@code trouble} instead of the normal answer. */
    public void failNext(int times, Trouble trouble) {
        failNext(r -> true, times, trouble);
    }

    /** The next {@code times} requests whose decoded path contains {@code pathPart} get {@code trouble}. */
    public void failNext(String pathPart, int times, Trouble trouble) {
        failNext(r -> decodedPath(r.rawPath(), r.viaMwaa()).contains(pathPart), times, trouble);
    }

    public void failNext(Predicate<Request> matching, int times, Trouble trouble) {
        if (times < 0) {
            throw new IllegalArgumentException("times must be zero or more, got " + times);
        }
        locked(() -> {
            for (int i = 0; i < times; i++) {
                planned.add(new Planned(matching, trouble));
            }
        });
    }

    // ---- what was asked ----

    public List<Request> requests() {
        lock.lock();
        try {
            return List.copyOf(requests);
        } finally {
            lock.unlock();
        }
    }

    /** Requests whose decoded path contains {@code pathPart}. */
    public List<Request> requests(String pathPart) {
        return requests().stream()
                .filter(r -> decodedPath(r.rawPath(), r.viaMwaa()).contains(pathPart))
                .toList();
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
        executor.shutdownNow();
    }

    // ---- the wire ----

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Request request = new Request(
                    exchange.getRequestMethod(),
                    exchange.getRequestURI().getRawPath(),
                    Optional.ofNullable(exchange.getRequestURI().getRawQuery()),
                    exchange.getRequestHeaders(),
                    body,
                    false,
                    clock.instant());
            Optional<Trouble> trouble = record(request);
            if (trouble.isPresent() && trouble.get() instanceof Trouble.Drop) {
                return; // closing an exchange that sent no headers closes the connection
            }
            if (trouble.isPresent() && trouble.get() instanceof Trouble.Hang) {
                hang();
                return;
            }
            Reply reply = trouble.map(this::troubleReply).orElseGet(() -> answer(request, false));
            send(exchange, reply);
        }
    }

    /**
     * Answers a request that MWAA's InvokeRestApi forwards: {@code apiPath} is relative to the flavor's API
     * prefix, the caller is trusted (MWAA signs in with its own role), logs come in the JSON form. The path is
     * decoded as RFC 3986 says ({@code %XX} only), since MWAA builds the real request from it.
     */
    Reply answerViaMwaa(String method, String apiPath, Map<String, String> query, String body) {
        String rawQuery = encodeQuery(query);
        Request request = new Request(
                method,
                flavor.prefix + apiPath,
                rawQuery.isEmpty() ? Optional.empty() : Optional.of(rawQuery),
                Map.of("Accept", List.of("application/json")),
                body,
                true,
                clock.instant());
        Optional<Trouble> trouble = record(request);
        return trouble.filter(t -> t instanceof Trouble.Status || t instanceof Trouble.RateLimited)
                .map(this::troubleReply)
                .orElseGet(() -> answer(request, true));
    }

    private Optional<Trouble> record(Request request) {
        lock.lock();
        try {
            requests.add(request);
            for (int i = 0; i < planned.size(); i++) {
                if (planned.get(i).matching().test(request)) {
                    return Optional.of(planned.remove(i).trouble());
                }
            }
            return Optional.empty();
        } finally {
            lock.unlock();
        }
    }

    private void hang() {
        try {
            closed.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void send(HttpExchange exchange, Reply reply) throws IOException {
        byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", reply.contentType());
        reply.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        exchange.sendResponseHeaders(reply.status(), body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            exchange.getResponseBody().write(body);
        }
    }

    private Reply troubleReply(Trouble trouble) {
        return switch (trouble) {
            case Trouble.Status s -> error(s.status(), titleFor(s.status()), s.detail());
            case Trouble.RateLimited r -> {
                Reply e = error(429, "Too Many Requests", "Rate limit exceeded");
                yield new Reply(
                        429, Map.of("Retry-After", String.valueOf(r.retryAfterSeconds())), e.contentType(), e.body());
            }
            case Trouble.Hang h -> throw new IllegalStateException("a hang has no answer");
            case Trouble.Drop d -> throw new IllegalStateException("a dropped connection has no answer");
        };
    }

    private Reply answer(Request request, boolean trusted) {
        String path = decodedPathOrNull(request.rawPath(), trusted);
        if (path == null) {
            return error(400, "Bad Request", "malformed percent-encoding in the path");
        }
        if (flavor == Flavor.AIRFLOW_3 && path.equals("/auth/token")) {
            return token(request);
        }
        if (!path.startsWith(flavor.prefix + "/") && !path.equals(flavor.prefix)) {
            return notFoundOutsideApi();
        }
        List<String> segments = segments(request.rawPath().substring(flavor.prefix.length()), trusted);
        if (segments.equals(List.of("version"))) {
            return version(); // public in both flavors
        }
        if (!trusted) {
            Optional<Reply> denied = authenticate(request);
            if (denied.isPresent()) {
                return denied.get();
            }
        }
        if (!request.method().equals("GET")) {
            return error(405, "Method Not Allowed", "the fake Airflow API only serves GET");
        }
        lock.lock();
        try {
            return route(segments, request.query(), request.header("Accept").orElse(""));
        } finally {
            lock.unlock();
        }
    }

    private Reply route(List<String> s, Map<String, String> query, String accept) {
        int n = s.size();
        if (n == 1 && s.get(0).equals("dags")) {
            return dagList(query);
        }
        if (n < 2 || !s.get(0).equals("dags")) {
            return error(404, "Not Found", "no route for this path in the fake");
        }
        String dagId = s.get(1);
        if (n == 2) {
            return dag(dagId);
        }
        if (!s.get(2).equals("dagRuns")) {
            return error(404, "Not Found", "no route for this path in the fake");
        }
        if (n == 3) {
            return runList(dagId, query);
        }
        String runId = s.get(3);
        if (n == 4) {
            return run(dagId, runId);
        }
        if (n == 5 && s.get(4).equals("taskInstances")) {
            return taskInstanceList(dagId, runId, query);
        }
        if (n >= 6 && s.get(4).equals("taskInstances")) {
            String taskId = s.get(5);
            if (n == 6) {
                return taskInstance(dagId, runId, taskId, -1);
            }
            if (n == 7) {
                return parseInt(s.get(6))
                        .map(mapIndex -> taskInstance(dagId, runId, taskId, mapIndex))
                        .orElseGet(() -> error(404, "Not Found", "no route for this path in the fake"));
            }
            if (n == 8 && s.get(6).equals("logs")) {
                return log(dagId, runId, taskId, s.get(7), query, accept);
            }
        }
        return error(404, "Not Found", "no route for this path in the fake");
    }

    // ---- auth ----

    private Optional<Reply> authenticate(Request request) {
        Optional<String> auth = request.header("Authorization");
        lock.lock();
        try {
            if (auth.isPresent() && auth.get().regionMatches(true, 0, "Bearer ", 0, 7)) {
                String token = auth.get().substring(7).strip();
                if (staticTokens.contains(token) || validTokens.contains(token)) {
                    return Optional.empty();
                }
                return Optional.of(unauthorized(flavor == Flavor.AIRFLOW_3 ? "Invalid JWT token" : null));
            }
        } finally {
            lock.unlock();
        }
        if (flavor == Flavor.AIRFLOW_2 && auth.isPresent() && auth.get().regionMatches(true, 0, "Basic ", 0, 6)) {
            String expected =
                    Base64.getEncoder().encodeToString((USERNAME + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
            if (auth.get().substring(6).strip().equals(expected)) {
                return Optional.empty();
            }
        }
        return Optional.of(unauthorized(flavor == Flavor.AIRFLOW_3 ? "Not authenticated" : null));
    }

    private Reply unauthorized(String detail) {
        Reply e = error(401, "Unauthorized", detail);
        Map<String, String> headers =
                flavor == Flavor.AIRFLOW_2 ? Map.of("WWW-Authenticate", "Basic") : Map.of("WWW-Authenticate", "Bearer");
        return new Reply(401, headers, e.contentType(), e.body());
    }

    /** Airflow 3 simple auth manager: {@code POST /auth/token} with a JSON body → 201 {@code access_token}. */
    private Reply token(Request request) {
        if (!request.method().equals("POST")) {
            return error(405, "Method Not Allowed", "Method Not Allowed");
        }
        JsonNode body;
        try {
            body = JSON.readTree(request.body());
        } catch (JsonProcessingException e) {
            return error(422, "Unprocessable Entity", "request body is not JSON");
        }
        if (body == null
                || !USERNAME.equals(body.path("username").asText(null))
                || !PASSWORD.equals(body.path("password").asText(null))) {
            return error(401, "Unauthorized", "Invalid credentials");
        }
        String jwt;
        lock.lock();
        try {
            issuedTokens++;
            jwt = fakeJwt(issuedTokens);
            validTokens.add(jwt);
        } finally {
            lock.unlock();
        }
        return Reply.json(201, JSON.createObjectNode().put("access_token", jwt));
    }

    private static String fakeJwt(int serial) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"alg\":\"HS512\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String payload = b64.encodeToString(
                ("{\"sub\":\"" + USERNAME + "\",\"jti\":\"" + serial + "\"}").getBytes(StandardCharsets.UTF_8));
        String signature = b64.encodeToString(("fake-signature-" + serial).getBytes(StandardCharsets.UTF_8));
        return header + "." + payload + "." + signature;
    }

    // ---- resources ----

    private Reply version() {
        return Reply.json(
                200, JSON.createObjectNode().put("version", flavor.version).putNull("git_version"));
    }

    private Reply dagList(Map<String, String> query) {
        int limit = parseInt(query.getOrDefault("limit", "100")).orElse(100);
        ObjectNode body = JSON.createObjectNode();
        ArrayNode list = body.putArray("dags");
        dags.values().stream().limit(Math.max(limit, 0)).forEach(d -> list.add(dagJson(d)));
        body.put("total_entries", dags.size());
        return Reply.json(200, body);
    }

    private Reply dag(String dagId) {
        Dag dag = dags.get(dagId);
        if (dag == null) {
            return error(404, "DAG not found", "DAG with dag_id: '" + dagId + "' not found");
        }
        return Reply.json(200, dagJson(dag));
    }

    private Reply runList(String dagId, Map<String, String> query) {
        String field = flavor == Flavor.AIRFLOW_2 ? "execution_date" : "logical_date";
        Optional<Instant> gte;
        Optional<Instant> lte;
        try {
            gte = Optional.ofNullable(query.get(field + "_gte")).map(FakeAirflowApi::instant);
            lte = Optional.ofNullable(query.get(field + "_lte")).map(FakeAirflowApi::instant);
        } catch (DateTimeParseException e) {
            return error(400, "Bad Request", "'" + e.getParsedString() + "' is not a 'date-time'");
        }
        ObjectNode body = JSON.createObjectNode();
        ArrayNode list = body.putArray("dag_runs");
        runs.values().stream()
                .filter(r -> r.dagId().equals(dagId))
                .filter(r -> gte.map(g -> !r.logicalDate().isBefore(g)).orElse(true))
                .filter(r -> lte.map(l -> !r.logicalDate().isAfter(l)).orElse(true))
                .forEach(r -> list.add(runJson(r)));
        body.put("total_entries", list.size());
        return Reply.json(200, body);
    }

    private Reply run(String dagId, String runId) {
        DagRun run = runs.get(dagId + "\n" + runId);
        if (run == null) {
            return error(
                    404,
                    "DAGRun not found",
                    "DAGRun with DAG ID: '" + dagId + "' and DagRun ID: '" + runId + "' not found");
        }
        return Reply.json(200, runJson(run));
    }

    /**
     * {@code GET /dags/{dag}/dagRuns/{run}/taskInstances} where {@code ~} stands for every DAG or run, as
     * Airflow allows, filtered by {@code state} and {@code end_date_gte}.
     */
    private Reply taskInstanceList(String dagId, String runId, Map<String, String> query) {
        Optional<Instant> endedAfter = Optional.ofNullable(query.get("end_date_gte"))
                .map(v -> java.time.OffsetDateTime.parse(v).toInstant());
        ArrayNode list = JSON.createArrayNode();
        for (TaskInstance ti : taskInstances.values()) {
            if ((!dagId.equals("~") && !dagId.equals(ti.dagId()))
                    || (!runId.equals("~") && !runId.equals(ti.runId()))
                    || (query.containsKey("state") && !query.get("state").equals(ti.state()))
                    || (endedAfter.isPresent()
                            && (ti.endDate() == null || ti.endDate().isBefore(endedAfter.get())))) {
                continue;
            }
            list.add(tiJson(ti));
        }
        ObjectNode body = JSON.createObjectNode();
        body.set("task_instances", list);
        body.put("total_entries", list.size());
        return Reply.json(200, body);
    }

    private Reply taskInstance(String dagId, String runId, String taskId, int mapIndex) {
        TaskInstance ti = taskInstances.get(new Key(dagId, runId, taskId, mapIndex));
        if (ti == null) {
            return error(404, "Task instance not found", tiNotFoundDetail(dagId, runId, taskId, mapIndex));
        }
        return Reply.json(200, tiJson(ti));
    }

    private Reply log(
            String dagId, String runId, String taskId, String tryText, Map<String, String> query, String accept) {
        int mapIndex = parseInt(query.getOrDefault("map_index", "-1")).orElse(-1);
        Optional<Integer> tryNumber = parseInt(tryText).filter(t -> t > 0);
        if (tryNumber.isEmpty()) {
            return error(400, "Bad Request", "try_number must be a positive integer, got '" + tryText + "'");
        }
        Key key = new Key(dagId, runId, taskId, mapIndex);
        if (!taskInstances.containsKey(key)) {
            return error(404, "TaskInstance not found", tiNotFoundDetail(dagId, runId, taskId, mapIndex));
        }
        // an existing task instance without a log for this try answers an empty log, as Airflow does
        String text = logs.getOrDefault(new LogKey(key, tryNumber.get()), "");
        if (flavor == Flavor.AIRFLOW_2 && !logsAlwaysJson && accept.contains("text/plain")) {
            return new Reply(200, Map.of(), "text/plain", text);
        }
        Optional<Integer> page = Optional.of(0);
        if (query.containsKey("token")) {
            page = pageOf(query.get("token"));
            if (page.isEmpty()) {
                return error(400, "Bad Request", "Bad Signature. Please use only the tokens provided by the API.");
            }
        }
        return flavor == Flavor.AIRFLOW_2 ? v1LogPage(text, page.get()) : v2LogPage(text, page.get());
    }

    private Reply v1LogPage(String text, int page) {
        List<String> pages = split(lines(text), logPages);
        String content = page < pages.size() ? pages.get(page) : "";
        ObjectNode body = JSON.createObjectNode();
        // Airflow 2 always sends a token; past the end it sends the same one back with no content
        body.put("continuation_token", tokenFor(Math.min(page + 1, pages.size())));
        body.put("content", logsAsPythonRepr ? pythonRepr(DEFAULT_HOSTNAME, content) : content);
        return Reply.json(200, body);
    }

    private Reply v2LogPage(String text, int page) {
        List<String> lines = lines(text);
        List<String> pages = split(lines, logPages);
        ObjectNode body = JSON.createObjectNode();
        ArrayNode content = body.putArray("content");
        if (page < pages.size()) {
            for (String line : lines(pages.get(page))) {
                content.add(structured(stripNewline(line)));
            }
        }
        if (page + 1 < pages.size()) {
            body.put("continuation_token", tokenFor(page + 1));
        } else {
            body.putNull("continuation_token");
        }
        return Reply.json(200, body);
    }

    private static JsonNode structured(String line) {
        if (line.startsWith("{")) {
            try {
                JsonNode node = JSON.readTree(line);
                if (node != null && node.isObject()) {
                    return node;
                }
            } catch (JsonProcessingException notJson) {
                // served as a plain string, as Airflow does for lines that are not structured
            }
        }
        return JSON.getNodeFactory().textNode(line);
    }

    // ---- JSON shapes ----

    private ObjectNode dagJson(Dag dag) {
        ObjectNode d = JSON.createObjectNode();
        d.put("dag_id", dag.dagId());
        d.put("dag_display_name", dag.dagId());
        d.put("is_paused", false);
        if (flavor == Flavor.AIRFLOW_2) {
            d.put("is_active", true);
            d.put("is_subdag", false);
            d.putNull("root_dag_id");
            d.put("default_view", "grid");
            d.put("file_token", "Ii9vcHQvYWlyZmxvdy9kYWdzL2RhZy5weSI.fake");
        } else {
            d.put("is_stale", false);
            d.put("bundle_name", "dags-folder");
            d.put("relative_fileloc", dag.fileloc().substring(dag.fileloc().lastIndexOf('/') + 1));
        }
        d.put("fileloc", dag.fileloc());
        d.putNull("description");
        ArrayNode owners = d.putArray("owners");
        dag.owners().forEach(owners::add);
        d.putArray("tags");
        d.put("max_active_tasks", 16);
        d.put("max_active_runs", 16);
        d.put("has_import_errors", false);
        return d;
    }

    private ObjectNode runJson(DagRun run) {
        ObjectNode r = JSON.createObjectNode();
        r.put("dag_run_id", run.runId());
        r.put("dag_id", run.dagId());
        r.put("logical_date", time(run.logicalDate()));
        if (flavor == Flavor.AIRFLOW_2) {
            r.put("execution_date", time(run.logicalDate()));
            r.put("external_trigger", run.runType().equals("manual"));
        } else {
            r.put("run_after", time(run.logicalDate()));
            r.put("triggered_by", run.runType().equals("manual") ? "rest_api" : "timetable");
            r.putArray("dag_versions");
        }
        r.put("start_date", time(run.logicalDate().plusSeconds(840)));
        r.put("end_date", time(run.logicalDate().plusSeconds(845)));
        r.put("data_interval_start", time(run.logicalDate().minusSeconds(86_400)));
        r.put("data_interval_end", time(run.logicalDate()));
        r.put("run_type", run.runType());
        r.put("state", run.state());
        r.putObject("conf");
        r.putNull("note");
        return r;
    }

    private ObjectNode tiJson(TaskInstance ti) {
        DagRun run = runs.get(ti.dagId() + "\n" + ti.runId());
        ObjectNode t = JSON.createObjectNode();
        if (flavor == Flavor.AIRFLOW_3) {
            t.put(
                    "id",
                    UUID.nameUUIDFromBytes((ti.dagId() + ti.runId() + ti.taskId() + ti.mapIndex())
                                    .getBytes(StandardCharsets.UTF_8))
                            .toString());
        }
        t.put("task_id", ti.taskId());
        t.put("task_display_name", ti.taskId());
        t.put("dag_id", ti.dagId());
        t.put("dag_run_id", ti.runId());
        if (flavor == Flavor.AIRFLOW_2) {
            t.put("execution_date", time(run.logicalDate()));
        } else {
            t.put("logical_date", time(run.logicalDate()));
            t.put("run_after", time(run.logicalDate()));
        }
        t.put("start_date", time(ti.startDate()));
        t.put("end_date", time(ti.endDate()));
        t.put("duration", ti.durationSeconds());
        t.put("state", ti.state());
        t.put("try_number", ti.tryNumber());
        t.put("map_index", ti.mapIndex());
        t.put("max_tries", ti.maxTries());
        t.put("hostname", ti.hostname());
        t.put("unixname", "airflow");
        t.put("pool", "default_pool");
        t.put("pool_slots", 1);
        t.put("queue", "default");
        t.put("priority_weight", 1);
        t.put("operator", ti.operator());
        t.put("queued_when", time(ti.startDate().minusSeconds(2)));
        t.put("pid", 4242);
        t.putNull("executor");
        t.put("executor_config", "{}");
        t.putNull("rendered_map_index");
        t.putObject("rendered_fields");
        t.putNull("trigger");
        t.putNull("triggerer_job");
        t.putNull("note");
        return t;
    }

    private String time(Instant instant) {
        OffsetDateTime t = instant.atOffset(ZoneOffset.UTC);
        // Airflow 2 (marshmallow) writes +00:00, Airflow 3 (pydantic) writes Z
        return flavor == Flavor.AIRFLOW_2
                ? DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(t).replace("Z", "+00:00")
                : DateTimeFormatter.ISO_INSTANT.format(instant);
    }

    // ---- errors ----

    private Reply error(int status, String title, String detail) {
        if (flavor == Flavor.AIRFLOW_2) {
            ObjectNode problem = JSON.createObjectNode();
            if (detail == null) {
                problem.putNull("detail");
            } else {
                problem.put("detail", detail);
            }
            problem.put("status", status);
            problem.put("title", title);
            problem.put("type", PROBLEM_TYPE + title.replace(" ", ""));
            return new Reply(status, Map.of(), "application/problem+json", problem.toString());
        }
        ObjectNode body = JSON.createObjectNode().put("detail", detail == null ? title : detail);
        return Reply.json(status, body);
    }

    /** Outside the API, Airflow 2's Flask app answers an HTML page; Airflow 3's FastAPI a JSON detail. */
    private Reply notFoundOutsideApi() {
        if (flavor == Flavor.AIRFLOW_2) {
            return new Reply(
                    404,
                    Map.of(),
                    "text/html; charset=utf-8",
                    "<!doctype html>\n<html lang=en><title>404 Not Found</title><h1>Not Found</h1>");
        }
        return Reply.json(404, JSON.createObjectNode().put("detail", "Not Found"));
    }

    private static String titleFor(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            default -> "Error";
        };
    }

    private String tiNotFoundDetail(String dagId, String runId, String taskId, int mapIndex) {
        return flavor == Flavor.AIRFLOW_2
                ? null
                : "The Task Instance with dag_id: `" + dagId + "`, run_id: `" + runId + "`, task_id: `" + taskId
                        + "` and map_index: `" + mapIndex + "` was not found";
    }

    // ---- helpers ----

    private void ensureDag(String dagId) {
        dags.computeIfAbsent(dagId, id -> new Dag(id, "/opt/airflow/dags/" + id + ".py", List.of("airflow")));
    }

    private static DagRun defaultRun(String dagId, String runId) {
        int sep = runId.indexOf("__");
        String type = sep > 0 ? runId.substring(0, sep) : "manual";
        Instant logical = Instant.parse("2026-11-20T03:00:00Z");
        if (sep > 0) {
            try {
                logical = OffsetDateTime.parse(runId.substring(sep + 2)).toInstant();
            } catch (DateTimeParseException notADate) {
                // keep the default date: run ids need not carry one
            }
        }
        return new DagRun(dagId, runId, "failed", type, logical);
    }

    private static Instant instant(String text) {
        return OffsetDateTime.parse(text).toInstant();
    }

    private static String tokenFor(int page) {
        return Base64.getUrlEncoder()
                        .withoutPadding()
                        .encodeToString(
                                ("{\"log_pos\":" + page + ",\"end_of_log\":false}").getBytes(StandardCharsets.UTF_8))
                + ".fakesig";
    }

    private static Optional<Integer> pageOf(String token) {
        for (int page = 0; page <= 10_000; page++) {
            if (tokenFor(page).equals(token)) {
                return Optional.of(page);
            }
        }
        return Optional.empty();
    }

    /** Splits lines (each keeping its newline) into at most {@code n} nearly equal pages of whole lines. */
    private static List<String> split(List<String> lines, int n) {
        List<String> pages = new ArrayList<>();
        int per = Math.max(1, (lines.size() + n - 1) / n);
        for (int i = 0; i < lines.size(); i += per) {
            pages.add(String.join("", lines.subList(i, Math.min(lines.size(), i + per))));
        }
        return pages;
    }

    private static List<String> lines(String text) {
        List<String> out = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int nl = text.indexOf('\n', start);
            int end = nl < 0 ? text.length() : nl + 1;
            out.add(text.substring(start, end));
            start = end;
        }
        return out;
    }

    private static String stripNewline(String line) {
        return line.endsWith("\n") ? line.substring(0, line.length() - 1) : line;
    }

    /** Python's {@code str([(host, text)])}: single quotes unless the text holds one and no double quote. */
    static String pythonRepr(String host, String text) {
        return "[(" + pyString(host) + ", " + pyString(text) + ")]";
    }

    private static String pyString(String s) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder out = new StringBuilder().append(quote);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c == quote) {
                        out.append('\\').append(c);
                    } else if (c < 0x20 || c == 0x7f) {
                        out.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append(quote).toString();
    }

    private static Optional<Integer> parseInt(String s) {
        try {
            return Optional.of(Integer.parseInt(s));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The decoded path, for matching; {@code null} when an escape is malformed. */
    private static String decodedPathOrNull(String rawPath, boolean rfc3986) {
        try {
            return String.join("/", segments(rawPath, rfc3986, true));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String decodedPath(String rawPath, boolean rfc3986) {
        String decoded = decodedPathOrNull(rawPath, rfc3986);
        return decoded == null ? rawPath : decoded;
    }

    private static List<String> segments(String rawPath, boolean rfc3986) {
        return segments(rawPath, rfc3986, false);
    }

    private static List<String> segments(String rawPath, boolean rfc3986, boolean keepEmpty) {
        List<String> out = new ArrayList<>();
        for (String raw : rawPath.split("/", -1)) {
            if (raw.isEmpty() && !keepEmpty) {
                continue;
            }
            out.add(percentDecode(raw, !rfc3986));
        }
        return out;
    }

    /** Percent-decodes; with {@code plusIsSpace}, a literal {@code +} becomes a space (form decoding). */
    static String percentDecode(String s, boolean plusIsSpace) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    throw new IllegalArgumentException("truncated escape in " + s);
                }
                out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else if (c == '+' && plusIsSpace) {
                out.write(' ');
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static Map<String, String> decodeQuery(String rawQuery) {
        Map<String, String> params = new LinkedHashMap<>();
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                params.put(percentDecode(key, true), percentDecode(value, true));
            } catch (IllegalArgumentException e) {
                params.put(key, value);
            }
        }
        return params;
    }

    private static String encodeQuery(Map<String, String> query) {
        StringBuilder out = new StringBuilder();
        query.forEach((k, v) -> {
            if (!out.isEmpty()) {
                out.append('&');
            }
            out.append(encode(k)).append('=').append(encode(v));
        });
        return out.toString();
    }

    private static String encode(String s) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
                out.append((char) c);
            } else {
                out.append('%').append(String.format(Locale.ROOT, "%02X", c));
            }
        }
        return out.toString();
    }

    private void locked(Runnable r) {
        lock.lock();
        try {
            r.run();
        } finally {
            lock.unlock();
        }
    }
}
