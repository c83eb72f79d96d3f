package io.deagent.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * A local AWS service that speaks the JSON 1.1 protocol at the wire, as CloudWatch Logs ({@code
 * Logs_20140328.*}), the Redshift Data API ({@code RedshiftData.*}) and Secrets Manager do: every operation is
 * {@code POST /} with {@code X-Amz-Target: <Service>.<Operation>}, {@code Content-Type:
 * application/x-amz-json-1.1} and a SigV4 {@code Authorization} header; answers are JSON, errors are a 4xx/5xx
 * with {@code {"__type":"<Code>","message":"…"}}. Point an AWS SDK v2 client at {@link #endpoint()} with
 * {@code endpointOverride}. Started with {@link Protocol#JSON_1_0}, it speaks JSON 1.0 instead, as DynamoDB
 * ({@code DynamoDB_20120810.*}) and SQS ({@code AmazonSQS.*}) do: the same shape with {@code
 * application/x-amz-json-1.0} (see {@link FakeDynamoDb} and {@link FakeSqs}).
 *
 * <p>A test registers what each target answers with {@link #on}; a handler may throw an {@link AwsError} to
 * answer with an error. Trouble for the next calls of a target is queued with {@link #failNext}: an AWS error,
 * a hang (no answer until the fake is closed), or a dropped connection. Every request is recorded, including
 * those answered with trouble, so a test can assert what a client sent and how often it retried.
 *
 * <p>Every answer closes its connection ({@code Connection: close}), so tests in one JVM never share a pooled
 * connection across fakes; AWS keeps connections alive, and clients handle both.
 *
 * <p>Protocol checks are deliberately strict, so a client that would be refused by AWS is refused here too: a
 * request that is not {@code POST /}, has no target, the wrong content type, no SigV4 signature or a body that
 * is not a JSON object gets a 4xx. The error codes of those refusals are approximations of AWS's.
 */
public final class FakeAwsJsonApi implements AutoCloseable {

    public static final String CONTENT_TYPE = "application/x-amz-json-1.1";

    /** The two AWS JSON protocols: the same requests and errors, told apart by the content type. */
    public enum Protocol {
        /** DynamoDB, SQS. */
        JSON_1_0("application/x-amz-json-1.0"),
        /** CloudWatch Logs, the Redshift Data API, Secrets Manager, most others. */
        JSON_1_1(CONTENT_TYPE);

        private final String contentType;

        Protocol(String contentType) {
            this.contentType = contentType;
        }

        public String contentType() {
            return contentType;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request as the fake received it. Header names compare case-insensitively, as HTTP says. */
    public record Call(String target, JsonNode body, Map<String, List<String>> headers, Instant at) {
        public Call {
            Map<String, List<String>> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            headers.forEach((k, v) -> h.put(k, List.copyOf(v)));
            headers = Collections.unmodifiableMap(h);
            body = body.deepCopy();
        }

        /** The part after the dot: {@code GetLogEvents} for {@code Logs_20140328.GetLogEvents}. */
        public String operation() {
            int dot = target.indexOf('.');
            return dot < 0 ? target : target.substring(dot + 1);
        }

        public Optional<String> header(String name) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
        }

        /** A top-level string (or number, as text) of the body; empty when absent or null. */
        public Optional<String> text(String field) {
            JsonNode v = body.get(field);
            return v == null || v.isNull() ? Optional.empty() : Optional.of(v.asText());
        }
    }

    /** What a target answers: a JSON object (a Jackson node, a map, a record, or JSON text as a String). */
    @FunctionalInterface
    public interface Handler {
        Object answer(Call request);
    }

    /** Trouble to answer with instead of the handler's answer. */
    public sealed interface Failure permits AwsError, Failure.Hang, Failure.DropConnection {

        /** No answer at all until the fake is closed: the client sees its own timeout. */
        record Hang() implements Failure {}

        /** The connection is closed without a response: the client sees an I/O error. */
        record DropConnection() implements Failure {}

        static Failure hang() {
            return new Hang();
        }

        static Failure dropConnection() {
            return new DropConnection();
        }
    }

    /**
     * An error in AWS's JSON shape. Thrown from a {@link Handler} (e.g. a stream that does not exist) or queued
     * with {@link #failNext}.
     */
    public static final class AwsError extends RuntimeException implements Failure {
        private final int status;
        private final String type;

        public AwsError(int status, String type, String message) {
            super(message);
            this.status = status;
            this.type = type;
        }

        public int status() {
            return status;
        }

        public String type() {
            return type;
        }

        /** {@code {"__type":"<type>","message":"<message>"}}. */
        public String body() {
            ObjectNode body = JSON.createObjectNode().put("__type", type);
            if (getMessage() != null) {
                body.put("message", getMessage());
            }
            return body.toString();
        }

        public static AwsError resourceNotFound(String message) {
            return new AwsError(400, "ResourceNotFoundException", message);
        }

        /** What CloudWatch Logs says for a {@code GetLogEvents} on a stream that is not there. */
        public static AwsError logStreamNotFound() {
            return resourceNotFound("The specified log stream does not exist.");
        }

        public static AwsError throttling() {
            return new AwsError(400, "ThrottlingException", "Rate exceeded");
        }

        public static AwsError accessDenied(String message) {
            return new AwsError(400, "AccessDeniedException", message);
        }

        public static AwsError validation(String message) {
            return new AwsError(400, "ValidationException", message);
        }

        public static AwsError serviceUnavailable() {
            return new AwsError(503, "ServiceUnavailableException", "Service Unavailable");
        }

        public static AwsError internalServerError() {
            return new AwsError(500, "InternalServerException", "Internal server error");
        }
    }

    private record Answer(int status, String body) {}

    private final HttpServer server;
    private final ExecutorService executor;
    private final Clock clock;
    private final Map<String, Handler> handlers = new ConcurrentHashMap<>();
    private final CountDownLatch closed = new CountDownLatch(1);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition callArrived = lock.newCondition();
    private final List<Call> calls = new ArrayList<>();
    private final Map<String, Deque<Failure>> failures = new HashMap<>();

    private final String contentType;

    private FakeAwsJsonApi(Clock clock, Protocol protocol) throws IOException {
        this.clock = clock;
        this.contentType = protocol.contentType();
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        // a platform thread per request, not a virtual one: a hung request must not block the others, and the
        // fake must keep answering when the code under test occupies every virtual-thread carrier (a 2-core CI
        // machine has two), which is exactly when a test of deadlines and cancellation needs it most
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-aws-json-api");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    public static FakeAwsJsonApi start() {
        return start(Clock.systemUTC());
    }

    /** The clock stamps {@link Call#at()}. */
    public static FakeAwsJsonApi start(Clock clock) {
        return start(clock, Protocol.JSON_1_1);
    }

    /** A fake of a service on {@code protocol}; the clock stamps {@link Call#at()}. */
    public static FakeAwsJsonApi start(Clock clock, Protocol protocol) {
        try {
            return new FakeAwsJsonApi(clock, protocol);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a local port for the fake AWS API", e);
        }
    }

    /** {@code http://127.0.0.1:<port>}: what {@code endpointOverride} (or {@code AWS_ENDPOINT_URL}) takes. */
    public URI endpoint() {
        return URI.create("http://" + server.getAddress().getAddress().getHostAddress() + ":"
                + server.getAddress().getPort());
    }

    /** Registers (or replaces) what {@code target}, e.g. {@code Logs_20140328.GetLogEvents}, answers. */
    public FakeAwsJsonApi on(String target, Handler handler) {
        handlers.put(target, handler);
        return this;
    }

    /** The next {@code times} calls of {@code target} get {@code failure} instead of the handler's answer. */
    public void failNext(String target, int times, Failure failure) {
        if (times < 0) {
            throw new IllegalArgumentException("times must be zero or more, got " + times);
        }
        lock.lock();
        try {
            Deque<Failure> queue = failures.computeIfAbsent(target, t -> new ArrayDeque<>());
            for (int i = 0; i < times; i++) {
                queue.add(failure);
            }
        } finally {
            lock.unlock();
        }
    }

    public List<Call> calls() {
        lock.lock();
        try {
            return List.copyOf(calls);
        } finally {
            lock.unlock();
        }
    }

    public List<Call> calls(String target) {
        return calls().stream().filter(c -> c.target().equals(target)).toList();
    }

    /**
     * The first call of {@code target} (already received or arriving within {@code timeout}) that matches.
     *
     * @throws AssertionError on timeout, listing the calls that did arrive
     */
    public Call awaitCall(String target, Predicate<Call> matching, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (true) {
                for (Call c : calls) {
                    if (c.target().equals(target) && matching.test(c)) {
                        return c;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError(
                            "no matching " + target + " call within " + timeout + "; calls seen: " + describe(calls));
                }
                // woken by each new call; the bound only limits how late a timeout is noticed
                callArrived.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(10)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + target, e);
        } finally {
            lock.unlock();
        }
    }

    /** Releases hung requests (their connections close unanswered) and stops the server. */
    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] raw = exchange.getRequestBody().readAllBytes();
            String target = Optional.ofNullable(exchange.getRequestHeaders().getFirst("X-Amz-Target"))
                    .orElse("");
            Optional<JsonNode> body = parse(raw);
            Call call = new Call(
                    target, body.orElseGet(JSON::createObjectNode), exchange.getRequestHeaders(), clock.instant());
            Optional<Failure> trouble = record(call);
            if (trouble.isPresent()) {
                switch (trouble.get()) {
                    case Failure.Hang h -> {
                        awaitClose();
                        return; // closing an exchange that sent no headers closes the connection
                    }
                    case Failure.DropConnection d -> {
                        return;
                    }
                    case AwsError e -> {
                        send(exchange, new Answer(e.status(), e.body()));
                        return;
                    }
                }
            }
            send(exchange, answer(exchange, call, body.isPresent()));
        }
    }

    private Answer answer(HttpExchange exchange, Call call, boolean bodyIsJsonObject) {
        Optional<AwsError> refused = refusal(exchange, call, bodyIsJsonObject);
        if (refused.isPresent()) {
            return new Answer(refused.get().status(), refused.get().body());
        }
        Handler handler = handlers.get(call.target());
        if (handler == null) {
            AwsError e = new AwsError(400, "UnknownOperationException", "no handler for " + call.target());
            return new Answer(e.status(), e.body());
        }
        try {
            return new Answer(200, json(handler.answer(call)));
        } catch (AwsError e) {
            return new Answer(e.status(), e.body());
        } catch (RuntimeException e) {
            // a broken handler is a broken test: say so in the answer rather than drop the connection
            AwsError failure = new AwsError(500, "InternalFailure", "the fake's handler failed: " + e);
            return new Answer(failure.status(), failure.body());
        }
    }

    /** The checks AWS makes before it looks at the operation. */
    private Optional<AwsError> refusal(HttpExchange exchange, Call call, boolean bodyIsJsonObject) {
        if (!"POST".equals(exchange.getRequestMethod())
                || !"/".equals(exchange.getRequestURI().getPath())) {
            return Optional.of(new AwsError(
                    404,
                    "UnknownOperationException",
                    "JSON protocol requests are POST / , got " + exchange.getRequestMethod() + " "
                            + exchange.getRequestURI().getPath()));
        }
        if (call.target().isEmpty() || call.target().indexOf('.') < 1) {
            return Optional.of(new AwsError(400, "UnknownOperationException", "missing or malformed X-Amz-Target"));
        }
        String type = call.header("Content-Type").orElse("").toLowerCase(Locale.ROOT);
        if (!type.startsWith(contentType)) {
            return Optional.of(new AwsError(
                    400, "SerializationException", "Content-Type must be " + contentType + ", got " + type));
        }
        if (!call.header("Authorization").orElse("").startsWith("AWS4-HMAC-SHA256 ")) {
            return Optional.of(
                    new AwsError(400, "MissingAuthenticationTokenException", "Missing Authentication Token"));
        }
        if (!bodyIsJsonObject) {
            return Optional.of(new AwsError(400, "SerializationException", "the body is not a JSON object"));
        }
        return Optional.empty();
    }

    /** Records the call and takes the trouble programmed for it, under one lock so both are consistent. */
    private Optional<Failure> record(Call call) {
        lock.lock();
        try {
            calls.add(call);
            callArrived.signalAll();
            Deque<Failure> queue = failures.get(call.target());
            return queue == null ? Optional.empty() : Optional.ofNullable(queue.poll());
        } finally {
            lock.unlock();
        }
    }

    private void awaitClose() {
        try {
            closed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void send(HttpExchange exchange, Answer answer) throws IOException {
        byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
        // one connection per request: the JDK client keeps idle connections in a JVM-wide cache keyed by host and
        // port, and a port reused by the next test's fake must never inherit a connection of the last one
        exchange.getResponseHeaders().set("Connection", "close");
        exchange.sendResponseHeaders(answer.status(), body.length);
        exchange.getResponseBody().write(body);
    }

    private static Optional<JsonNode> parse(byte[] raw) {
        if (raw.length == 0) {
            return Optional.empty();
        }
        try {
            JsonNode node = JSON.readTree(raw);
            return node != null && node.isObject() ? Optional.of(node) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static String json(Object answer) {
        if (answer instanceof String text) {
            return text;
        }
        try {
            return JSON.writeValueAsString(answer == null ? JSON.createObjectNode() : answer);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("a handler answered something that is not JSON: " + answer, e);
        }
    }

    private static String describe(List<Call> calls) {
        if (calls.isEmpty()) {
            return "none";
        }
        StringBuilder out = new StringBuilder();
        for (Call c : calls) {
            out.append("\n  ").append(c.target()).append(' ').append(c.body());
        }
        return out.toString();
    }
}
