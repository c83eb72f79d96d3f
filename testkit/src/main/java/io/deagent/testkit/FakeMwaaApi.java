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
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A local Amazon MWAA control plane answering {@code InvokeRestApi} as the AWS SDK's REST-JSON protocol
 * expects: {@code POST /restapi/{Name}} with a JSON body {@code {"Path","Method","QueryParameters","Body"}},
 * answered {@code 200 {"RestApiStatusCode", "RestApiResponse"}}. The request is forwarded in-process to a
 * {@link FakeAirflowApi} (under its {@code /api/v1} or {@code /api/v2}, trusted as MWAA's own role is). Airflow
 * 4xx/5xx come back as {@code RestApiClientException} / {@code RestApiServerException}; errors carry the
 * {@code x-amzn-ErrorType} header and a {@code message} field, as the SDK's error unmarshaller reads them.
 *
 * <p>Point an {@code MwaaClient} at {@link #endpoint()} with {@code endpointOverride}, any region and dummy
 * static credentials; SigV4 signatures are recorded, not verified. InvokeRestApi's endpoint has the host prefix
 * {@code env.}: disable host-prefix injection (or the SDK asks for {@code env.127.0.0.1}).
 */
public final class FakeMwaaApi implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One InvokeRestApi call as the fake received it. */
    public record Invocation(
            String name,
            String path,
            String method,
            Map<String, String> queryParameters,
            Optional<JsonNode> body,
            Map<String, List<String>> headers,
            Instant at) {
        public Invocation {
            queryParameters = Collections.unmodifiableMap(new LinkedHashMap<>(queryParameters));
            Map<String, List<String>> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            headers.forEach((k, v) -> h.put(k, List.copyOf(v)));
            headers = Collections.unmodifiableMap(h);
        }

        public Optional<String> header(String name) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
        }
    }

    /** Trouble the MWAA service itself answers with, before Airflow is asked. */
    public sealed interface Trouble {
        /** An AWS error: {@code x-amzn-ErrorType: type}, HTTP {@code status}, {@code {"message": …}}. */
        record AwsError(String type, int status, String message) implements Trouble {}

        /** No answer until the fake is closed. */
        record Hang() implements Trouble {}

        static Trouble accessDenied() {
            return new AwsError(
                    "AccessDeniedException",
                    403,
                    "User: arn:aws:iam::123456789012:user/de-agent is not authorized to perform: "
                            + "airflow:InvokeRestApi on resource: arn:aws:airflow:eu-west-1:123456789012:environment/"
                            + "env");
        }

        static Trouble throttling() {
            return new AwsError("ThrottlingException", 429, "Rate exceeded");
        }

        static Trouble internalError() {
            return new AwsError("InternalServerException", 500, "An internal error occurred");
        }

        static Trouble hang() {
            return new Hang();
        }
    }

    private final String environment;
    private final FakeAirflowApi airflow;
    private final HttpServer server;
    private final ExecutorService executor;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final ReentrantLock lock = new ReentrantLock();
    private final List<Invocation> invocations = new ArrayList<>();
    private final Deque<Trouble> trouble = new ArrayDeque<>();

    private FakeMwaaApi(String environment, FakeAirflowApi airflow) throws IOException {
        this.environment = environment;
        this.airflow = airflow;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        this.executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** An MWAA control plane with one environment, {@code environment}, whose webserver is {@code airflow}. */
    public static FakeMwaaApi start(String environment, FakeAirflowApi airflow) {
        try {
            return new FakeMwaaApi(environment, airflow);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a local port for the fake MWAA API", e);
        }
    }

    /** {@code http://127.0.0.1:<port>}, for {@code endpointOverride} / {@code AWS_ENDPOINT_URL}. */
    public String endpoint() {
        return "http://" + server.getAddress().getAddress().getHostAddress() + ":"
                + server.getAddress().getPort();
    }

    public String environment() {
        return environment;
    }

    /** The next {@code times} InvokeRestApi calls get {@code t} instead of Airflow's answer. */
    public void failNext(int times, Trouble t) {
        lock.lock();
        try {
            for (int i = 0; i < times; i++) {
                trouble.add(t);
            }
        } finally {
            lock.unlock();
        }
    }

    public List<Invocation> invocations() {
        lock.lock();
        try {
            return List.copyOf(invocations);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String rawPath = exchange.getRequestURI().getRawPath();
            if (!exchange.getRequestMethod().equals("POST") || !rawPath.startsWith("/restapi/")) {
                sendError(exchange, "UnknownOperationException", 404, "no such operation in the fake MWAA API");
                return;
            }
            String name = FakeAirflowApi.percentDecode(rawPath.substring("/restapi/".length()), false);
            JsonNode body;
            try {
                body = JSON.readTree(exchange.getRequestBody().readAllBytes());
            } catch (JsonProcessingException e) {
                sendError(exchange, "SerializationException", 400, "request body is not JSON");
                return;
            }
            if (body == null || !body.isObject()) {
                body = JSON.createObjectNode();
            }
            Invocation call = new Invocation(
                    name,
                    body.path("Path").asText(""),
                    body.path("Method").asText(""),
                    queryParameters(body.path("QueryParameters")),
                    Optional.ofNullable(body.get("Body")),
                    exchange.getRequestHeaders(),
                    Instant.now());
            Optional<Trouble> planned = record(call);
            if (planned.isPresent()) {
                switch (planned.get()) {
                    case Trouble.Hang h -> hang();
                    case Trouble.AwsError e -> sendError(exchange, e.type(), e.status(), e.message());
                }
                return;
            }
            invoke(exchange, call);
        }
    }

    private void invoke(HttpExchange exchange, Invocation call) throws IOException {
        if (!call.name().equals(environment)) {
            sendError(exchange, "ResourceNotFoundException", 404, "Environment " + call.name() + " not found.");
            return;
        }
        if (call.path().isEmpty() || call.method().isEmpty()) {
            sendError(
                    exchange, "ValidationException", 400, "1 validation error detected: Path and Method are required");
            return;
        }
        FakeAirflowApi.Reply reply = airflow.answerViaMwaa(
                call.method(),
                call.path(),
                call.queryParameters(),
                call.body().map(JsonNode::toString).orElse(""));
        JsonNode response = responseDocument(reply.body());
        if (reply.status() >= 400) {
            String type = reply.status() >= 500 ? "RestApiServerException" : "RestApiClientException";
            ObjectNode error = JSON.createObjectNode();
            error.put("message", "The Apache Airflow REST API returned an error");
            error.put("RestApiStatusCode", reply.status());
            error.set("RestApiResponse", response);
            send(exchange, 400, Map.of("x-amzn-ErrorType", type), error);
            return;
        }
        ObjectNode ok = JSON.createObjectNode();
        ok.put("RestApiStatusCode", reply.status());
        ok.set("RestApiResponse", response);
        send(exchange, 200, Map.of(), ok);
    }

    private Optional<Trouble> record(Invocation call) {
        lock.lock();
        try {
            invocations.add(call);
            return Optional.ofNullable(trouble.poll());
        } finally {
            lock.unlock();
        }
    }

    /** Airflow's JSON answer as a document; anything else (an HTML error page) as a JSON string. */
    private static JsonNode responseDocument(String body) {
        try {
            JsonNode node = JSON.readTree(body);
            return node == null ? JSON.getNodeFactory().textNode("") : node;
        } catch (JsonProcessingException notJson) {
            return JSON.getNodeFactory().textNode(body);
        }
    }

    private static Map<String, String> queryParameters(JsonNode node) {
        Map<String, String> out = new LinkedHashMap<>();
        if (node != null && node.isObject()) {
            node.properties()
                    .forEach(e -> out.put(
                            e.getKey(),
                            e.getValue().isTextual()
                                    ? e.getValue().textValue()
                                    : e.getValue().toString()));
        }
        return out;
    }

    private void hang() {
        try {
            closed.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sendError(HttpExchange exchange, String type, int status, String message) throws IOException {
        ObjectNode error = JSON.createObjectNode().put("message", message);
        send(exchange, status, Map.of("x-amzn-ErrorType", type), error);
    }

    private static void send(HttpExchange exchange, int status, Map<String, String> headers, JsonNode body)
            throws IOException {
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders()
                .set("x-amzn-RequestId", java.util.UUID.randomUUID().toString());
        headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }
}
