package io.deagent.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local Spark History Server REST API ({@code GET /api/v1/…}) that answers with recorded JSON files. Point
 * {@code SPARK_HISTORY_URL} at {@link #baseUrl()}.
 *
 * <p><b>Which file answers a request:</b> the request path below {@code /api/v1/}, then, when the request has
 * a query, {@code @} and the query string exactly as sent (not decoded, not reordered), then {@code .json}:
 *
 * <pre>
 * GET /api/v1/version                                           → version.json
 * GET /api/v1/applications/local-1795246257005                  → applications/local-1795246257005.json
 * GET /api/v1/applications/application_1_2/1/jobs               → applications/application_1_2/1/jobs.json
 * GET /api/v1/applications/local-1/stages?status=failed         → applications/local-1/stages@status=failed.json
 * GET /api/v1/applications/local-1/stages/3/0/taskList?status=failed&amp;length=20
 *                                                               → applications/local-1/stages/3/0/taskList@status=failed&amp;length=20.json
 * </pre>
 *
 * <p>There is no fallback from a query to the file without it: a request the recording does not have gets a
 * 404, so a test notices when a client asks for something else than what was recorded. A missing file answers
 * like Spark does: {@code no such app: <id>} when the application itself is unknown, otherwise {@code unknown
 * resource: <path>}. {@link #put} adds or replaces answers in memory.
 *
 * <p>Trouble ({@link Trouble}) can be planned for the next request, or every request, whose path and query
 * contain a given text; every request is recorded, including those answered with trouble.
 */
public final class FakeSparkHistory implements AutoCloseable {

    private static final String API = "/api/v1/";
    private static final Pattern APP_PATH = Pattern.compile("^applications/([^/]+)(/.*)?$");

    /** One request as the fake received it. */
    public record Call(String method, String path, Optional<String> query, Instant at) {
        /** The path below {@code /api/v1/} with {@code ?query} when there was one. */
        public String pathAndQuery() {
            return path + query.map(q -> "?" + q).orElse("");
        }

        @Override
        public String toString() {
            return method + " " + API + pathAndQuery();
        }
    }

    /** Trouble to answer with instead of the recorded reply. */
    public sealed interface Trouble {
        /** An HTTP error, with Spark's (Jetty's) short HTML body unless one is given. */
        record Status(int status, String body, Optional<Integer> retryAfterSeconds) implements Trouble {}

        /** No answer at all until the fake is closed: the client has to give up by itself. */
        record Hang() implements Trouble {}

        /** The connection is closed without a response. */
        record Drop() implements Trouble {}

        static Trouble status(int status) {
            return new Status(status, jettyError(status), Optional.empty());
        }

        static Trouble status(int status, String body) {
            return new Status(status, body, Optional.empty());
        }

        /** HTTP 429 with {@code Retry-After: seconds}. */
        static Trouble throttled(int retryAfterSeconds) {
            return new Status(429, jettyError(429), Optional.of(retryAfterSeconds));
        }

        static Trouble hang() {
            return new Hang();
        }

        static Trouble drop() {
            return new Drop();
        }
    }

    private record Plan(String pathPart, Trouble trouble, boolean always) {}

    private interface Recording {
        Optional<byte[]> read(String file) throws IOException;
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final Recording recording;
    private final Clock clock;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final ReentrantLock lock = new ReentrantLock();
    private final List<Call> calls = new ArrayList<>();
    private final List<Plan> plans = new ArrayList<>();
    private final Map<String, byte[]> answers = new HashMap<>();

    private FakeSparkHistory(Recording recording, Clock clock) throws IOException {
        this.recording = recording;
        this.clock = clock;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        // one virtual thread per request: a hanging request must not block the others
        this.executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Serves the recording in a directory. */
    public static FakeSparkHistory serving(Path directory) {
        Path root = directory.toAbsolutePath().normalize();
        return start((file) -> {
            Path f = root.resolve(file).normalize();
            return f.startsWith(root) && Files.isRegularFile(f) ? Optional.of(Files.readAllBytes(f)) : Optional.empty();
        });
    }

    /** Serves the recording in a classpath folder, e.g. {@code spark/recorded} for test resources. */
    public static FakeSparkHistory servingClasspath(String folder) {
        String prefix = folder.replaceAll("^/+|/+$", "") + "/";
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        return start((file) -> {
            if (file.contains("..")) {
                return Optional.empty();
            }
            URL url = loader.getResource(prefix + file);
            if (url == null) {
                return Optional.empty();
            }
            try (InputStream in = url.openStream()) {
                return Optional.of(in.readAllBytes());
            }
        });
    }

    /** Serves only what {@link #put} adds. */
    public static FakeSparkHistory empty() {
        return start(file -> Optional.empty());
    }

    private static FakeSparkHistory start(Recording recording) {
        try {
            return new FakeSparkHistory(recording, Clock.systemUTC());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The recorded file that answers a request path (below {@code /api/v1/}) with its query, if any. */
    public static String fileFor(String pathAndQuery) {
        String p = pathAndQuery.startsWith("/") ? pathAndQuery.substring(1) : pathAndQuery;
        return p.replaceFirst("\\?", "@") + ".json";
    }

    /** The server root, e.g. {@code http://127.0.0.1:41234}: the value for {@code SPARK_HISTORY_URL}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Adds or replaces the answer to one request path below {@code /api/v1/}, query included. */
    public FakeSparkHistory put(String pathAndQuery, String json) {
        lock.lock();
        try {
            answers.put(fileFor(pathAndQuery), json.getBytes(StandardCharsets.UTF_8));
        } finally {
            lock.unlock();
        }
        return this;
    }

    /** Answers the next request whose path and query contain {@code pathPart} ({@code ""}: any) with trouble. */
    public FakeSparkHistory failNext(String pathPart, Trouble trouble) {
        return plan(new Plan(pathPart, trouble, false));
    }

    /** Answers every request whose path and query contain {@code pathPart} ({@code ""}: any) with trouble. */
    public FakeSparkHistory failAlways(String pathPart, Trouble trouble) {
        return plan(new Plan(pathPart, trouble, true));
    }

    private FakeSparkHistory plan(Plan plan) {
        lock.lock();
        try {
            plans.add(plan);
        } finally {
            lock.unlock();
        }
        return this;
    }

    /** Every request so far, in arrival order. */
    public List<Call> calls() {
        lock.lock();
        try {
            return List.copyOf(calls);
        } finally {
            lock.unlock();
        }
    }

    /** Requests whose path and query contain {@code pathPart}. */
    public List<Call> calls(String pathPart) {
        return calls().stream().filter(c -> c.pathAndQuery().contains(pathPart)).toList();
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
            exchange.getRequestBody().readAllBytes();
            String rawPath = exchange.getRequestURI().getRawPath();
            Optional<String> query =
                    Optional.ofNullable(exchange.getRequestURI().getRawQuery());
            String path = rawPath.startsWith(API) ? rawPath.substring(API.length()) : rawPath;
            Call call = new Call(exchange.getRequestMethod(), path, query, clock.instant());
            Optional<Trouble> trouble = record(call);
            if (trouble.isPresent()) {
                switch (trouble.get()) {
                    case Trouble.Drop d -> {
                        return; // closing an exchange that sent no headers closes the connection
                    }
                    case Trouble.Hang h -> {
                        hang();
                        return;
                    }
                    case Trouble.Status s -> {
                        s.retryAfterSeconds()
                                .ifPresent(r -> exchange.getResponseHeaders().set("Retry-After", String.valueOf(r)));
                        send(
                                exchange,
                                s.status(),
                                "text/html;charset=utf-8",
                                s.body().getBytes(StandardCharsets.UTF_8));
                        return;
                    }
                }
            }
            answer(exchange, call, rawPath);
        }
    }

    private void answer(HttpExchange exchange, Call call, String rawPath) throws IOException {
        if (!call.method().equals("GET")) {
            send(exchange, 405, "text/html;charset=utf-8", jettyError(405).getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (!rawPath.startsWith(API)) {
            send(exchange, 404, "text/html;charset=utf-8", jettyError(404).getBytes(StandardCharsets.UTF_8));
            return;
        }
        Optional<byte[]> body = lookUp(fileFor(call.pathAndQuery()));
        if (body.isPresent()) {
            send(exchange, 200, "application/json", body.get());
            return;
        }
        Matcher app = APP_PATH.matcher(call.path());
        String message = app.matches()
                        && lookUp("applications/" + app.group(1) + ".json").isEmpty()
                ? "no such app: " + app.group(1)
                : "unknown resource: " + call.pathAndQuery();
        send(exchange, 404, "text/plain;charset=utf-8", message.getBytes(StandardCharsets.UTF_8));
    }

    private Optional<byte[]> lookUp(String file) throws IOException {
        lock.lock();
        try {
            byte[] given = answers.get(file);
            if (given != null) {
                return Optional.of(given);
            }
        } finally {
            lock.unlock();
        }
        return recording.read(file);
    }

    private Optional<Trouble> record(Call call) {
        lock.lock();
        try {
            calls.add(call);
            for (int i = 0; i < plans.size(); i++) {
                Plan p = plans.get(i);
                if (call.pathAndQuery().contains(p.pathPart())) {
                    if (!p.always()) {
                        plans.remove(i);
                    }
                    return Optional.of(p.trouble());
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

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            exchange.getResponseBody().write(body);
        }
    }

    /** The error page Spark's Jetty serves, shortened. */
    private static String jettyError(int status) {
        String reason =
                switch (status) {
                    case 401 -> "Unauthorized";
                    case 403 -> "Forbidden";
                    case 404 -> "Not Found";
                    case 405 -> "Method Not Allowed";
                    case 429 -> "Too Many Requests";
                    case 500 -> "Server Error";
                    case 502 -> "Bad Gateway";
                    case 503 -> "Service Unavailable";
                    default -> "Error";
                };
        return "<html>\n<head>\n<meta http-equiv=\"Content-Type\" content=\"text/html;charset=utf-8\"/>\n<title>Error "
                + status + " " + reason + "</title>\n</head>\n<body><h2>HTTP ERROR " + status + " " + reason
                + "</h2>\n</body>\n</html>\n";
    }
}
