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
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * A local Slack Web API at the wire: {@code POST /api/<method>} with form-encoded or JSON parameters, answers
 * shaped like Slack's (errors are HTTP 200 {@code {"ok":false,"error":…}}, rate limits are HTTP 429 with
 * {@code Retry-After}). Point a client at {@link #baseUrl()} instead of {@code https://slack.com/api/}.
 *
 * <p>Every request is recorded, including those answered with programmed trouble, so a test can assert what a
 * client sent and how often it retried.
 */
public final class FakeSlackApi implements AutoCloseable {

    public static final String DEFAULT_TOKEN = "xoxb-test";
    public static final String TEAM_ID = "T0FAKE";
    public static final String BOT_USER_ID = "U0BOT";
    public static final String BOT_ID = "B0BOT";

    /** Slack's ts is "seconds.micros"; a fixed start keeps answers reproducible, the step keeps them distinct. */
    private static final long FIRST_TS_MICROS = 1_700_000_000_000_100L;

    private static final long TS_STEP_MICROS = 100;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request as the fake received it. Header names compare case-insensitively, as HTTP says. */
    public record Call(String method, Map<String, String> params, Map<String, List<String>> headers, Instant at) {
        public Call {
            params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
            Map<String, List<String>> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            headers.forEach((k, v) -> h.put(k, List.copyOf(v)));
            headers = Collections.unmodifiableMap(h);
        }

        public Optional<String> param(String name) {
            return Optional.ofNullable(params.get(name));
        }

        public Optional<String> header(String name) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
        }

        /** The token as Slack would read it: the bearer header first, then the {@code token} parameter. */
        public Optional<String> token() {
            return header("Authorization")
                    .filter(a -> a.regionMatches(true, 0, "Bearer ", 0, 7))
                    .map(a -> a.substring(7).strip())
                    .or(() -> param("token"));
        }
    }

    /** Trouble to answer with instead of the normal reply. */
    public sealed interface Failure {
        /** HTTP 429, {@code Retry-After: N}, body {@code {"ok":false,"error":"ratelimited"}}. */
        record RateLimited(int retryAfterSeconds) implements Failure {}

        /** HTTP 500 with a non-JSON body, as a proxy in front of Slack would answer. */
        record ServerError() implements Failure {}

        /** HTTP 200 {@code {"ok":false,"error":error}}: how Slack reports almost every error. */
        record SlackError(String error) implements Failure {}

        /** The connection is closed without a response: the client sees an I/O error. */
        record DropConnection() implements Failure {}

        static Failure rateLimited(int retryAfterSeconds) {
            return new RateLimited(retryAfterSeconds);
        }

        static Failure serverError() {
            return new ServerError();
        }

        static Failure slackError(String error) {
            return new SlackError(error);
        }

        static Failure dropConnection() {
            return new DropConnection();
        }
    }

    private record Answer(int status, Map<String, String> headers, String contentType, String body) {
        static Answer json(ObjectNode body) {
            return new Answer(200, Map.of(), "application/json; charset=utf-8", body.toString());
        }
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final String token;
    private final Clock clock;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition callArrived = lock.newCondition();
    private final List<Call> calls = new ArrayList<>();
    private final Map<String, Deque<Failure>> failures = new HashMap<>();
    private final Set<String> missingChannels = new HashSet<>();
    private final Set<String> postedMessages = new HashSet<>();
    private long lastTsMicros = FIRST_TS_MICROS - TS_STEP_MICROS;
    private boolean down;

    private FakeSlackApi(String token, Clock clock) throws IOException {
        this.token = token;
        this.clock = clock;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        // one virtual thread per request: a test client may hold several connections, and a slow one must not
        // block the others the way the server's default single dispatcher thread would
        this.executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.createContext("/api/", this::handle);
        server.start();
    }

    /** A fake that accepts the token {@value #DEFAULT_TOKEN}. */
    public static FakeSlackApi start() {
        return start(DEFAULT_TOKEN);
    }

    public static FakeSlackApi start(String token) {
        return start(token, Clock.systemUTC());
    }

    /** The clock stamps {@link Call#at()}. */
    public static FakeSlackApi start(String token, Clock clock) {
        try {
            return new FakeSlackApi(token, clock);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a local port for the fake Slack API", e);
        }
    }

    /** {@code http://127.0.0.1:<port>/api/}: the method name is appended, as with {@code https://slack.com/api/}. */
    public String baseUrl() {
        return "http://" + server.getAddress().getAddress().getHostAddress() + ":"
                + server.getAddress().getPort() + "/api/";
    }

    public String token() {
        return token;
    }

    /** The next {@code times} calls of {@code method} get {@code failure} instead of the normal answer. */
    public void failNext(String method, int times, Failure failure) {
        if (times < 0) {
            throw new IllegalArgumentException("times must be zero or more, got " + times);
        }
        locked(() -> {
            Deque<Failure> queue = failures.computeIfAbsent(method, m -> new ArrayDeque<>());
            for (int i = 0; i < times; i++) {
                queue.add(failure);
            }
        });
    }

    /** While down, every request is recorded and its connection closed without an answer. */
    public void setDown(boolean down) {
        locked(() -> this.down = down);
    }

    /** {@code conversations.info}, {@code chat.postMessage} and {@code chat.update} answer {@code channel_not_found}. */
    public void markChannelMissing(String channel) {
        locked(() -> missingChannels.add(channel));
    }

    public List<Call> calls() {
        lock.lock();
        try {
            return List.copyOf(calls);
        } finally {
            lock.unlock();
        }
    }

    public List<Call> calls(String method) {
        return calls().stream().filter(c -> c.method().equals(method)).toList();
    }

    /**
     * The first call of {@code method} (already received or arriving within {@code timeout}) that matches.
     *
     * @throws AssertionError on timeout, listing the calls that did arrive
     */
    public Call awaitCall(String method, Predicate<Call> matching, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (true) {
                for (Call c : calls) {
                    if (c.method().equals(method) && matching.test(c)) {
                        return c;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError(
                            "no matching " + method + " call within " + timeout + "; calls seen: " + describe(calls));
                }
                // woken by each new call; the bound only limits how late a timeout is noticed
                callArrived.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(10)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + method, e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private static String describe(List<Call> calls) {
        if (calls.isEmpty()) {
            return "none";
        }
        StringBuilder out = new StringBuilder();
        for (Call c : calls) {
            out.append("\n  ").append(c.method()).append(' ').append(c.params());
        }
        return out.toString();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestURI().getPath().substring("/api/".length());
            Map<String, String> params = params(exchange);
            Call call = new Call(method, params, exchange.getRequestHeaders(), clock.instant());
            Optional<Failure> trouble = record(call);
            if (trouble.isPresent() && trouble.get() instanceof Failure.DropConnection) {
                return; // closing an exchange that sent no headers closes the connection itself
            }
            Answer answer = trouble.map(FakeSlackApi::failureAnswer).orElseGet(() -> answer(call));
            send(exchange, answer);
        }
    }

    /** Records the call and takes the trouble programmed for it, under one lock so both are consistent. */
    private Optional<Failure> record(Call call) {
        lock.lock();
        try {
            calls.add(call);
            callArrived.signalAll();
            if (down) {
                return Optional.of(Failure.dropConnection());
            }
            Deque<Failure> queue = failures.get(call.method());
            return queue == null ? Optional.empty() : Optional.ofNullable(queue.poll());
        } finally {
            lock.unlock();
        }
    }

    private static void send(HttpExchange exchange, Answer answer) throws IOException {
        byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", answer.contentType());
        answer.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        exchange.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            exchange.getResponseBody().write(body);
        }
    }

    private static Answer failureAnswer(Failure failure) {
        return switch (failure) {
            case Failure.RateLimited r ->
                new Answer(
                        429,
                        Map.of("Retry-After", String.valueOf(r.retryAfterSeconds())),
                        "application/json; charset=utf-8",
                        error("ratelimited").toString());
            case Failure.ServerError s ->
                new Answer(500, Map.of(), "text/plain; charset=utf-8", "Internal Server Error");
            case Failure.SlackError e -> Answer.json(error(e.error()));
            case Failure.DropConnection d -> throw new IllegalStateException("a dropped connection has no answer");
        };
    }

    private Answer answer(Call call) {
        Optional<String> given = call.token();
        if (given.isEmpty()) {
            return Answer.json(error("not_authed"));
        }
        if (!given.get().equals(token)) {
            return Answer.json(error("invalid_auth"));
        }
        return Answer.json(
                switch (call.method()) {
                    case "auth.test" -> authTest();
                    case "chat.postMessage" -> postMessage(call.params());
                    case "chat.update" -> update(call.params());
                    case "conversations.info" -> conversationInfo(call.params());
                    default -> error("unknown_method");
                });
    }

    private static ObjectNode authTest() {
        ObjectNode body = ok();
        body.put("url", "https://fake.slack.com/");
        body.put("team", "Fake");
        body.put("user", "de-agent");
        body.put("team_id", TEAM_ID);
        body.put("user_id", BOT_USER_ID);
        body.put("bot_id", BOT_ID);
        body.put("is_enterprise_install", false);
        return body;
    }

    private ObjectNode postMessage(Map<String, String> params) {
        String channel = params.getOrDefault("channel", "");
        if (channel.isEmpty() || isMissing(channel)) {
            return error("channel_not_found");
        }
        if (blank(params.get("text")) && blank(params.get("blocks")) && blank(params.get("attachments"))) {
            return error("no_text");
        }
        Optional<JsonNode> blocks = blocks(params);
        if (blocks.isPresent() && !blocks.get().isArray()) {
            return error("invalid_blocks");
        }
        String ts = nextTs(channel);
        ObjectNode body = ok();
        body.put("channel", channel);
        body.put("ts", ts);
        ObjectNode message = body.putObject("message");
        message.put("text", params.getOrDefault("text", ""));
        message.put("username", "de-agent");
        message.put("bot_id", BOT_ID);
        blocks.ifPresent(b -> message.set("blocks", b));
        message.put("type", "message");
        message.put("subtype", "bot_message");
        message.put("ts", ts);
        if (!blank(params.get("thread_ts"))) {
            message.put("thread_ts", params.get("thread_ts"));
        }
        return body;
    }

    private ObjectNode update(Map<String, String> params) {
        String channel = params.getOrDefault("channel", "");
        String ts = params.getOrDefault("ts", "");
        if (channel.isEmpty() || isMissing(channel)) {
            return error("channel_not_found");
        }
        if (!isPosted(channel, ts)) {
            return error("message_not_found");
        }
        if (blocks(params).map(b -> !b.isArray()).orElse(false)) {
            return error("invalid_blocks");
        }
        ObjectNode body = ok();
        body.put("channel", channel);
        body.put("ts", ts);
        body.put("text", params.getOrDefault("text", ""));
        return body;
    }

    private ObjectNode conversationInfo(Map<String, String> params) {
        String channel = params.getOrDefault("channel", "");
        if (channel.isEmpty() || isMissing(channel)) {
            return error("channel_not_found");
        }
        ObjectNode body = ok();
        ObjectNode c = body.putObject("channel");
        c.put("id", channel);
        c.put("name", "alerts");
        c.put("is_member", true);
        return body;
    }

    /** Blocks arrive as a JSON string (form) or were flattened to one by {@link #params}; bad JSON is not blocks. */
    private static Optional<JsonNode> blocks(Map<String, String> params) {
        String raw = params.get("blocks");
        if (blank(raw)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readTree(raw));
        } catch (JsonProcessingException e) {
            return Optional.of(JSON.createObjectNode()); // not an array: answered as invalid_blocks
        }
    }

    private String nextTs(String channel) {
        lock.lock();
        try {
            lastTsMicros += TS_STEP_MICROS;
            String ts = String.format(Locale.ROOT, "%d.%06d", lastTsMicros / 1_000_000, lastTsMicros % 1_000_000);
            postedMessages.add(channel + "/" + ts);
            return ts;
        } finally {
            lock.unlock();
        }
    }

    private boolean isPosted(String channel, String ts) {
        lock.lock();
        try {
            return postedMessages.contains(channel + "/" + ts);
        } finally {
            lock.unlock();
        }
    }

    private boolean isMissing(String channel) {
        lock.lock();
        try {
            return missingChannels.contains(channel);
        } finally {
            lock.unlock();
        }
    }

    private void locked(Runnable r) {
        lock.lock();
        try {
            r.run();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Query and body parameters as one map. JSON bodies are flattened so a test reads {@code blocks} the same
     * way whichever encoding the client chose: strings as they are, anything else as its JSON text.
     */
    private static Map<String, String> params(HttpExchange exchange) throws IOException {
        Map<String, String> params = new LinkedHashMap<>();
        String query = exchange.getRequestURI().getRawQuery();
        if (query != null) {
            params.putAll(formDecode(query));
        }
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String type = Optional.ofNullable(exchange.getRequestHeaders().getFirst("Content-Type"))
                .orElse("")
                .toLowerCase(Locale.ROOT);
        if (type.startsWith("application/json")) {
            params.putAll(jsonParams(body));
        } else if (!body.isEmpty()) {
            params.putAll(formDecode(body));
        }
        return params;
    }

    private static Map<String, String> jsonParams(String body) {
        Map<String, String> params = new LinkedHashMap<>();
        try {
            JsonNode node = JSON.readTree(body);
            if (node != null && node.isObject()) {
                node.properties()
                        .forEach(e -> params.put(
                                e.getKey(),
                                e.getValue().isTextual()
                                        ? e.getValue().textValue()
                                        : e.getValue().toString()));
            }
        } catch (JsonProcessingException e) {
            // Slack answers a body it cannot read as if no arguments were sent; so does the fake
        }
        return params;
    }

    private static Map<String, String> formDecode(String form) {
        Map<String, String> params = new LinkedHashMap<>();
        for (String pair : form.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            params.put(decode(key), decode(value));
        }
        return params;
    }

    /** A stray {@code %} is kept as it is rather than failing the whole request. */
    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    private static ObjectNode ok() {
        return JSON.createObjectNode().put("ok", true);
    }

    private static ObjectNode error(String error) {
        return JSON.createObjectNode().put("ok", false).put("error", error);
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
