package io.deagent.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.MissingNode;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One local server that speaks the non-streaming chat wire formats of four LLM providers, each under its own path
 * prefix so a single fake can play all of them at once:
 *
 * <ul>
 *   <li>OpenAI (and OpenAI-compatible): {@code POST {base}/chat/completions}, key in {@code Authorization: Bearer};
 *   <li>Gemini: {@code POST {base}/models/{model}:generateContent}, key in {@code x-goog-api-key} or {@code ?key=};
 *   <li>Anthropic: {@code POST {base}/messages}, key in {@code x-api-key}, {@code anthropic-version} required;
 *   <li>Ollama: {@code POST {base}/api/chat}, no key; {@code "stream": false} answers one JSON object, a missing or
 *       true {@code stream} answers NDJSON chunks as Ollama does.
 * </ul>
 *
 * <p>Point a client's base URL at {@link #baseUrl(Provider)}. Replies are programmed ({@link #answerNext}, {@link
 * #answerAlways}, {@link #usage}), so is trouble ({@link #failNext}); errors are shaped like the provider's own.
 * Every request is recorded, including those answered with trouble, so a test can assert what left the machine
 * ({@link #promptText(Call)}) and how often a client retried.
 */
public final class FakeLlmApi implements AutoCloseable {

    /** What the fake answers when no answer was programmed. */
    public static final String DEFAULT_ANSWER = "This is the fake LLM's answer.";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern GEMINI_GENERATE = Pattern.compile("/models/([^/:]+):generateContent");

    /** The providers the fake plays, each under its own path prefix. */
    public enum Provider {
        /** {@code POST {base}/chat/completions}. */
        OPENAI("/openai/v1", "gpt-4o-mini"),
        /** {@code POST {base}/models/{model}:generateContent}. */
        GEMINI("/gemini/v1beta", "gemini-2.0-flash"),
        /** {@code POST {base}/messages}. */
        ANTHROPIC("/anthropic/v1", "claude-3-5-haiku-latest"),
        /** {@code POST {base}/api/chat}. */
        OLLAMA("/ollama", "llama3.1");

        private final String prefix;
        private final String defaultModel;

        Provider(String prefix, String defaultModel) {
            this.prefix = prefix;
            this.defaultModel = defaultModel;
        }

        /** The path of {@link #baseUrl(Provider)}, e.g. {@code /openai/v1}. */
        public String prefix() {
            return prefix;
        }

        static Optional<Provider> of(String path) {
            for (Provider p : values()) {
                if (path.equals(p.prefix) || path.startsWith(p.prefix + "/")) {
                    return Optional.of(p);
                }
            }
            return Optional.empty();
        }
    }

    /**
     * One request as the fake received it. {@code path} is the full decoded path including the provider prefix,
     * {@code query} the raw query string or empty. Header names compare case-insensitively, as HTTP says.
     */
    public record Call(
            Provider provider,
            String method,
            String path,
            String query,
            Map<String, List<String>> headers,
            String body,
            Instant at) {
        public Call {
            Map<String, List<String>> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            headers.forEach((k, v) -> h.put(k, List.copyOf(v)));
            headers = Collections.unmodifiableMap(h);
        }

        public Optional<String> header(String name) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
        }

        /** A query parameter, percent-decoded. */
        public Optional<String> queryParam(String name) {
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                String key = eq < 0 ? pair : pair.substring(0, eq);
                if (!pair.isEmpty() && decode(key).equals(name)) {
                    return Optional.of(eq < 0 ? "" : decode(pair.substring(eq + 1)));
                }
            }
            return Optional.empty();
        }

        /** The body as JSON; a {@link MissingNode} when it is not JSON. */
        public JsonNode json() {
            try {
                JsonNode node = JSON.readTree(body);
                return node == null ? MissingNode.getInstance() : node;
            } catch (JsonProcessingException e) {
                return MissingNode.getInstance();
            }
        }

        /** The model asked for: from the path for Gemini, from the body's {@code model} for the others. */
        public Optional<String> model() {
            if (provider == Provider.GEMINI) {
                Matcher m = GEMINI_GENERATE.matcher(path.substring(provider.prefix.length()));
                return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
            }
            JsonNode model = json().path("model");
            return model.isTextual() ? Optional.of(model.textValue()) : Optional.empty();
        }

        /** The API key as the provider reads it; Ollama takes none. */
        public Optional<String> apiKey() {
            Optional<String> key =
                    switch (provider) {
                        case OPENAI ->
                            header("Authorization")
                                    .filter(a -> a.regionMatches(true, 0, "Bearer ", 0, 7))
                                    .map(a -> a.substring(7).strip());
                        case GEMINI -> header("x-goog-api-key").or(() -> queryParam("key"));
                        case ANTHROPIC -> header("x-api-key");
                        case OLLAMA -> Optional.empty();
                    };
            return key.filter(k -> !k.isBlank());
        }

        /** @see FakeLlmApi#promptText(Call) */
        public String promptText() {
            return FakeLlmApi.promptText(this);
        }

        @Override
        public String toString() {
            return provider + " " + method + " " + path + (query.isEmpty() ? "" : "?" + query);
        }
    }

    /** Trouble to answer with instead of the normal reply. Error bodies take the shape of the provider's errors. */
    public sealed interface Trouble {
        /** An error with this HTTP status and message, in the provider's error shape. */
        record Status(int status, String message) implements Trouble {}

        /** HTTP 429 with {@code Retry-After: seconds}, in the provider's rate-limit shape. */
        record RateLimited(int retryAfterSeconds) implements Trouble {}

        /**
         * Out of money or quota: OpenAI 429 {@code insufficient_quota}, Gemini 429 {@code RESOURCE_EXHAUSTED} with a
         * {@code QuotaFailure}, Anthropic 400 {@code invalid_request_error} "credit balance is too low", Ollama (which
         * has no quota locally) 429 {@code {"error":…}} as its cloud models answer.
         */
        record QuotaExceeded() implements Trouble {}

        /** This status, content type and body, verbatim. */
        record Raw(int status, String contentType, String body) implements Trouble {}

        /** HTTP 200 whose body is not JSON (an HTML page, as a proxy or captive portal would send). */
        record Garbage() implements Trouble {}

        /** HTTP 200 whose body is JSON, but not the provider's response shape. */
        record WrongShape() implements Trouble {}

        /** HTTP 200 with this partial text and the provider's "ran out of output tokens" stop reason. */
        record CutOff(String partialText) implements Trouble {}

        /** No answer at all until the fake is closed: the client has to give up by itself. */
        record Hang() implements Trouble {}

        /** The connection is closed without a response. */
        record Drop() implements Trouble {}

        static Trouble status(int status, String message) {
            return new Status(status, message);
        }

        /** An error with this status and the provider's usual message for it. */
        static Trouble status(int status) {
            return new Status(status, null);
        }

        static Trouble rateLimited(int retryAfterSeconds) {
            return new RateLimited(retryAfterSeconds);
        }

        static Trouble quotaExceeded() {
            return new QuotaExceeded();
        }

        static Trouble raw(int status, String contentType, String body) {
            return new Raw(status, contentType, body);
        }

        static Trouble garbage() {
            return new Garbage();
        }

        static Trouble wrongShape() {
            return new WrongShape();
        }

        static Trouble cutOff(String partialText) {
            return new CutOff(partialText);
        }

        static Trouble hang() {
            return new Hang();
        }

        static Trouble drop() {
            return new Drop();
        }
    }

    private record Reply(int status, Map<String, String> headers, String contentType, String body) {
        static Reply json(int status, JsonNode body) {
            return new Reply(status, Map.of(), "application/json", body.toString());
        }

        Reply withHeader(String name, String value) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.put(name, value);
            return new Reply(status, h, contentType, body);
        }
    }

    private record Planned(Provider provider, Trouble trouble) {}

    private record Usage(int in, int out) {}

    private final HttpServer server;
    private final ExecutorService executor;
    private final Clock clock;
    private final CountDownLatch closed = new CountDownLatch(1);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition callArrived = lock.newCondition();
    private final List<Call> calls = new ArrayList<>();
    private final List<String> strays = new ArrayList<>();
    private final List<Planned> planned = new ArrayList<>();
    private final Deque<String> answers = new ArrayDeque<>();
    private String standingAnswer = DEFAULT_ANSWER;
    private Usage fixedUsage;
    private long replies;

    private FakeLlmApi(Clock clock) throws IOException {
        this.clock = clock;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        // one virtual thread per request: a hanging request must not block the others
        this.executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    public static FakeLlmApi start() {
        return start(Clock.systemUTC());
    }

    /** The clock stamps {@link Call#at()} and the replies' creation times. */
    public static FakeLlmApi start(Clock clock) {
        try {
            return new FakeLlmApi(clock);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a local port for the fake LLM API", e);
        }
    }

    /**
     * The base URL to configure for {@code provider}, without a trailing slash: {@code http://127.0.0.1:<port>}
     * followed by {@code /openai/v1}, {@code /gemini/v1beta}, {@code /anthropic/v1} or {@code /ollama}.
     */
    public String baseUrl(Provider provider) {
        return rootUrl() + provider.prefix;
    }

    /** {@code http://127.0.0.1:<port>}, without a trailing slash. */
    public String rootUrl() {
        return "http://" + server.getAddress().getAddress().getHostAddress() + ":"
                + server.getAddress().getPort();
    }

    // ---- programmable replies ----

    /** The next reply (of any provider) carries this assistant text; queued after earlier {@code answerNext}s. */
    public void answerNext(String text) {
        locked(() -> answers.add(text));
    }

    /** Replies carry this assistant text once the {@link #answerNext} queue is empty. */
    public void answerAlways(String text) {
        locked(() -> standingAnswer = text);
    }

    /**
     * Replies report these token counts. Until this is called, the counts are estimated at one token per four
     * characters of the prompt text and of the answer.
     */
    public void usage(int inputTokens, int outputTokens) {
        if (inputTokens < 0 || outputTokens < 0) {
            throw new IllegalArgumentException("token counts must be zero or more");
        }
        locked(() -> fixedUsage = new Usage(inputTokens, outputTokens));
    }

    /** The next {@code times} requests, of any provider, get {@code trouble} instead of the normal answer. */
    public void failNext(int times, Trouble trouble) {
        plan(null, times, trouble);
    }

    /** The next {@code times} requests of {@code provider} get {@code trouble} instead of the normal answer. */
    public void failNext(Provider provider, int times, Trouble trouble) {
        plan(provider, times, trouble);
    }

    private void plan(Provider provider, int times, Trouble trouble) {
        if (times < 0) {
            throw new IllegalArgumentException("times must be zero or more, got " + times);
        }
        locked(() -> {
            for (int i = 0; i < times; i++) {
                planned.add(new Planned(provider, trouble));
            }
        });
    }

    // ---- recording ----

    public List<Call> calls() {
        lock.lock();
        try {
            return List.copyOf(calls);
        } finally {
            lock.unlock();
        }
    }

    public List<Call> calls(Provider provider) {
        return calls().stream().filter(c -> c.provider() == provider).toList();
    }

    /** The first call of {@code provider}, already received or arriving within {@code timeout}. */
    public Call awaitCall(Provider provider, Duration timeout) {
        return awaitCall(provider, c -> true, timeout);
    }

    /**
     * The first call of {@code provider} (already received or arriving within {@code timeout}) that matches.
     *
     * @throws AssertionError on timeout, listing the calls that did arrive
     */
    public Call awaitCall(Provider provider, Predicate<Call> matching, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (true) {
                for (Call c : calls) {
                    if (c.provider() == provider && matching.test(c)) {
                        return c;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no matching " + provider + " call within " + timeout + "; calls seen: "
                            + describe(calls, strays));
                }
                // woken by each new call; the bound only limits how late a timeout is noticed
                callArrived.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(10)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for a " + provider + " call", e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * All message text the client sent, in order, one message or part per line: OpenAI and Ollama {@code
     * messages[].content}; Anthropic {@code system} then {@code messages[].content}; Gemini {@code
     * systemInstruction.parts[].text} then {@code contents[].parts[].text}. Content given as an array of parts
     * contributes each part's {@code text}. Empty when the body is not JSON.
     */
    public static String promptText(Call call) {
        JsonNode body = call.json();
        List<String> out = new ArrayList<>();
        switch (call.provider()) {
            case OPENAI, OLLAMA -> body.path("messages").forEach(m -> texts(m.path("content"), out));
            case ANTHROPIC -> {
                texts(body.path("system"), out);
                body.path("messages").forEach(m -> texts(m.path("content"), out));
            }
            case GEMINI -> {
                texts(body.path("systemInstruction").path("parts"), out);
                body.path("contents").forEach(c -> texts(c.path("parts"), out));
            }
        }
        return String.join("\n", out);
    }

    private static void texts(JsonNode content, List<String> out) {
        if (content.isTextual()) {
            out.add(content.textValue());
        } else if (content.isArray()) {
            content.forEach(part -> texts(part, out));
        } else if (content.isObject()) {
            if (content.path("text").isTextual()) {
                out.add(content.path("text").textValue());
            } else if (content.has("content")) {
                texts(content.path("content"), out); // an Anthropic tool_result
            }
        }
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
        executor.shutdownNow();
    }

    private static String describe(List<Call> calls, List<String> strays) {
        if (calls.isEmpty() && strays.isEmpty()) {
            return "none";
        }
        StringBuilder out = new StringBuilder();
        calls.forEach(c -> out.append("\n  ").append(c));
        strays.forEach(s -> out.append("\n  (no provider) ").append(s));
        return out.toString();
    }

    // ---- serving ----

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String query =
                    Optional.ofNullable(exchange.getRequestURI().getRawQuery()).orElse("");
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Optional<Provider> provider = Provider.of(path);
            if (provider.isEmpty()) {
                locked(() -> strays.add(exchange.getRequestMethod() + " " + path));
                send(
                        exchange,
                        new Reply(
                                404,
                                Map.of(),
                                "text/plain; charset=utf-8",
                                "404 page not found: the fake LLM API serves /openai/v1, /gemini/v1beta,"
                                        + " /anthropic/v1 and /ollama"));
                return;
            }
            Call call = new Call(
                    provider.get(),
                    exchange.getRequestMethod(),
                    path,
                    query,
                    exchange.getRequestHeaders(),
                    body,
                    clock.instant());
            Optional<Trouble> trouble = record(call);
            if (trouble.isPresent() && trouble.get() instanceof Trouble.Drop) {
                return; // closing an exchange that sent no headers closes the connection
            }
            if (trouble.isPresent() && trouble.get() instanceof Trouble.Hang) {
                hang();
                return;
            }
            send(exchange, trouble.map(t -> troubleReply(call, t)).orElseGet(() -> answer(call)));
        }
    }

    /** Records the call and takes the trouble planned for it, under one lock so both are consistent. */
    private Optional<Trouble> record(Call call) {
        lock.lock();
        try {
            calls.add(call);
            callArrived.signalAll();
            for (int i = 0; i < planned.size(); i++) {
                Planned p = planned.get(i);
                if (p.provider() == null || p.provider() == call.provider()) {
                    planned.remove(i);
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
            closed.await();
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

    private Reply answer(Call call) {
        Provider p = call.provider();
        if (p != Provider.OLLAMA && call.apiKey().isEmpty()) {
            return error(p, 401, missingKeyMessage(p));
        }
        if (p == Provider.ANTHROPIC && call.header("anthropic-version").isEmpty()) {
            return error(p, 400, "anthropic-version: header is required");
        }
        String endpoint = call.path().substring(p.prefix.length());
        boolean known =
                switch (p) {
                    case OPENAI -> endpoint.equals("/chat/completions");
                    case GEMINI -> GEMINI_GENERATE.matcher(endpoint).matches();
                    case ANTHROPIC -> endpoint.equals("/messages");
                    case OLLAMA -> endpoint.equals("/api/chat");
                };
        if (!known) {
            return error(p, 404, "the fake serves no " + call.method() + " " + call.path());
        }
        if (!call.method().equals("POST")) {
            return error(p, 405, "method " + call.method() + " not allowed on " + call.path());
        }
        JsonNode body = call.json();
        Optional<String> invalid = invalid(p, body);
        if (invalid.isPresent()) {
            return error(p, 400, invalid.get());
        }
        String text = takeAnswer();
        // Ollama streams unless told not to; the others answer in one piece unless asked to stream
        if (body.path("stream").asBoolean(p == Provider.OLLAMA)) {
            if (p != Provider.OLLAMA) {
                return error(p, 400, "the fake LLM API does not stream; send \"stream\": false or leave it out");
            }
            return ollamaStream(call, text, usage(call, text));
        }
        return Reply.json(200, success(call, text, false, usage(call, text)));
    }

    /** Why the provider would reject this body with a 400, if it would. */
    private static Optional<String> invalid(Provider p, JsonNode body) {
        if (!body.isObject()) {
            return Optional.of(
                    switch (p) {
                        case OPENAI ->
                            "We could not parse the JSON body of your request. (HINT: This likely means you aren't"
                                    + " using your HTTP library correctly.)";
                        case ANTHROPIC -> "There was an issue with the format of your request: invalid JSON";
                        case GEMINI -> "Invalid JSON payload received.";
                        case OLLAMA -> "invalid character in request body";
                    });
        }
        return switch (p) {
            case OPENAI -> {
                if (!body.path("model").isTextual()) {
                    yield Optional.of("you must provide a model parameter");
                }
                yield nonEmptyArray(body, "messages") ? Optional.empty() : Optional.of("[] is too short - 'messages'");
            }
            case ANTHROPIC -> {
                if (!body.path("model").isTextual()) {
                    yield Optional.of("model: Field required");
                }
                if (!body.path("max_tokens").isIntegralNumber()) {
                    yield Optional.of("max_tokens: Field required");
                }
                yield nonEmptyArray(body, "messages")
                        ? Optional.empty()
                        : Optional.of("messages: at least one message is required");
            }
            case GEMINI ->
                nonEmptyArray(body, "contents")
                        ? Optional.empty()
                        : Optional.of("* GenerateContentRequest.contents: contents is not specified");
            case OLLAMA -> body.path("model").isTextual() ? Optional.empty() : Optional.of("model is required");
        };
    }

    private static boolean nonEmptyArray(JsonNode body, String field) {
        return body.path(field).isArray() && !body.path(field).isEmpty();
    }

    private String takeAnswer() {
        lock.lock();
        try {
            String next = answers.poll();
            return next != null ? next : standingAnswer;
        } finally {
            lock.unlock();
        }
    }

    private Usage usage(Call call, String answer) {
        lock.lock();
        try {
            if (fixedUsage != null) {
                return fixedUsage;
            }
        } finally {
            lock.unlock();
        }
        return new Usage(estimateTokens(promptText(call)), estimateTokens(answer));
    }

    private static int estimateTokens(String text) {
        return Math.max(1, (text.length() + 3) / 4);
    }

    private String nextId() {
        lock.lock();
        try {
            return String.format(Locale.ROOT, "fake%06d", ++replies);
        } finally {
            lock.unlock();
        }
    }

    private ObjectNode success(Call call, String text, boolean cutOff, Usage usage) {
        Provider p = call.provider();
        String model = call.model().orElse(p.defaultModel);
        Instant now = clock.instant();
        ObjectNode body = JSON.createObjectNode();
        switch (p) {
            case OPENAI -> {
                body.put("id", "chatcmpl-" + nextId());
                body.put("object", "chat.completion");
                body.put("created", now.getEpochSecond());
                body.put("model", model);
                ObjectNode choice = body.putArray("choices").addObject();
                choice.put("index", 0);
                ObjectNode message = choice.putObject("message");
                message.put("role", "assistant");
                message.put("content", text);
                message.putNull("refusal");
                choice.putNull("logprobs");
                choice.put("finish_reason", cutOff ? "length" : "stop");
                ObjectNode u = body.putObject("usage");
                u.put("prompt_tokens", usage.in());
                u.put("completion_tokens", usage.out());
                u.put("total_tokens", usage.in() + usage.out());
                body.put("system_fingerprint", "fp_fake");
            }
            case ANTHROPIC -> {
                body.put("id", "msg_" + nextId());
                body.put("type", "message");
                body.put("role", "assistant");
                body.put("model", model);
                ObjectNode content = body.putArray("content").addObject();
                content.put("type", "text");
                content.put("text", text);
                body.put("stop_reason", cutOff ? "max_tokens" : "end_turn");
                body.putNull("stop_sequence");
                ObjectNode u = body.putObject("usage");
                u.put("input_tokens", usage.in());
                u.put("cache_creation_input_tokens", 0);
                u.put("cache_read_input_tokens", 0);
                u.put("output_tokens", usage.out());
            }
            case GEMINI -> {
                ObjectNode candidate = body.putArray("candidates").addObject();
                ObjectNode content = candidate.putObject("content");
                content.putArray("parts").addObject().put("text", text);
                content.put("role", "model");
                candidate.put("finishReason", cutOff ? "MAX_TOKENS" : "STOP");
                candidate.put("index", 0);
                ObjectNode u = body.putObject("usageMetadata");
                u.put("promptTokenCount", usage.in());
                u.put("candidatesTokenCount", usage.out());
                u.put("totalTokenCount", usage.in() + usage.out());
                body.put("modelVersion", model);
                body.put("responseId", nextId());
            }
            case OLLAMA -> {
                ollamaHead(body, model, now, text);
                body.put("done", true);
                ollamaTail(body, cutOff, usage);
            }
        }
        return body;
    }

    private static void ollamaHead(ObjectNode body, String model, Instant now, String text) {
        body.put("model", model);
        body.put("created_at", now.toString());
        ObjectNode message = body.putObject("message");
        message.put("role", "assistant");
        message.put("content", text);
    }

    private static void ollamaTail(ObjectNode body, boolean cutOff, Usage usage) {
        body.put("done_reason", cutOff ? "length" : "stop");
        body.put("total_duration", 1_200_000_000L);
        body.put("load_duration", 20_000_000L);
        body.put("prompt_eval_count", usage.in());
        body.put("prompt_eval_duration", 300_000_000L);
        body.put("eval_count", usage.out());
        body.put("eval_duration", 880_000_000L);
    }

    /** Ollama's default: NDJSON, one chunk with the text, then a closing chunk with the counts. */
    private Reply ollamaStream(Call call, String text, Usage usage) {
        String model = call.model().orElse(Provider.OLLAMA.defaultModel);
        Instant now = clock.instant();
        ObjectNode first = JSON.createObjectNode();
        ollamaHead(first, model, now, text);
        first.put("done", false);
        ObjectNode last = JSON.createObjectNode();
        ollamaHead(last, model, now, "");
        last.put("done", true);
        ollamaTail(last, false, usage);
        return new Reply(200, Map.of(), "application/x-ndjson", first + "\n" + last + "\n");
    }

    private Reply troubleReply(Call call, Trouble trouble) {
        Provider p = call.provider();
        return switch (trouble) {
            case Trouble.Status s ->
                error(p, s.status(), s.message() != null ? s.message() : defaultMessage(p, s.status()));
            case Trouble.RateLimited r ->
                rateLimited(p, r.retryAfterSeconds()).withHeader("Retry-After", String.valueOf(r.retryAfterSeconds()));
            case Trouble.QuotaExceeded q -> quotaExceeded(p);
            case Trouble.Raw r -> new Reply(r.status(), Map.of(), r.contentType(), r.body());
            case Trouble.Garbage g ->
                new Reply(
                        200,
                        Map.of(),
                        "text/html; charset=utf-8",
                        "<html><head><title>Sign in to the guest network</title></head>"
                                + "<body><h1>Please accept the terms of use</h1></body></html>");
            case Trouble.WrongShape w -> {
                ObjectNode body = JSON.createObjectNode();
                body.put("status", "ok");
                body.putObject("result").put("output", DEFAULT_ANSWER);
                yield Reply.json(200, body);
            }
            case Trouble.CutOff c ->
                Reply.json(200, success(call, c.partialText(), true, usage(call, c.partialText())));
            case Trouble.Hang h -> throw new IllegalStateException("a hang has no answer");
            case Trouble.Drop d -> throw new IllegalStateException("a dropped connection has no answer");
        };
    }

    private static Reply rateLimited(Provider p, int seconds) {
        return switch (p) {
            case OPENAI ->
                openAiError(
                        429,
                        "Rate limit reached for gpt-4o-mini in organization org-fake on requests per min (RPM):"
                                + " Limit 3, Used 3, Requested 1. Please try again in " + seconds + "s.",
                        "requests",
                        "rate_limit_exceeded");
            case ANTHROPIC ->
                anthropicError(
                        429,
                        "rate_limit_error",
                        "This request would exceed the rate limit for your organization of 50 requests per minute."
                                + " Please try again later.");
            case GEMINI -> {
                ObjectNode body = googleError(
                        429,
                        "Resource has been exhausted (e.g. check quota). Please retry in " + seconds + "s.",
                        "RESOURCE_EXHAUSTED");
                ArrayNode details = ((ObjectNode) body.path("error")).putArray("details");
                ObjectNode retry = details.addObject();
                retry.put("@type", "type.googleapis.com/google.rpc.RetryInfo");
                retry.put("retryDelay", seconds + "s");
                yield Reply.json(429, body);
            }
            case OLLAMA -> ollamaError(429, "too many requests, please retry in " + seconds + "s");
        };
    }

    private static Reply quotaExceeded(Provider p) {
        return switch (p) {
            case OPENAI ->
                openAiError(
                        429,
                        "You exceeded your current quota, please check your plan and billing details. For more"
                                + " information on this error, read the docs:"
                                + " https://platform.openai.com/docs/guides/error-codes/api-errors.",
                        "insufficient_quota",
                        "insufficient_quota");
            case ANTHROPIC ->
                anthropicError(
                        400,
                        "invalid_request_error",
                        "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to"
                                + " upgrade or purchase credits.");
            case GEMINI -> {
                ObjectNode body = googleError(
                        429,
                        "You exceeded your current quota, please check your plan and billing details. For more"
                                + " information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.",
                        "RESOURCE_EXHAUSTED");
                ObjectNode failure =
                        ((ObjectNode) body.path("error")).putArray("details").addObject();
                failure.put("@type", "type.googleapis.com/google.rpc.QuotaFailure");
                ObjectNode violation = failure.putArray("violations").addObject();
                violation.put("quotaMetric", "generativelanguage.googleapis.com/generate_content_free_tier_requests");
                violation.put("quotaId", "GenerateRequestsPerDayPerProjectPerModel-FreeTier");
                yield Reply.json(429, body);
            }
            case OLLAMA -> ollamaError(429, "you have reached your usage limit, please upgrade or try again later");
        };
    }

    private static String missingKeyMessage(Provider p) {
        return switch (p) {
            case OPENAI ->
                "You didn't provide an API key. You need to provide your API key in an Authorization header using"
                        + " Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
            case ANTHROPIC -> "x-api-key header is required";
            case GEMINI ->
                "Method doesn't allow unregistered callers (callers without established identity). Please use API"
                        + " Key or other form of API consumer identity to call this API.";
            case OLLAMA -> "unauthorized";
        };
    }

    private static String defaultMessage(Provider p, int status) {
        return switch (status) {
            case 400 -> "Invalid request.";
            case 401 -> "Invalid API key.";
            case 403 -> "Permission denied.";
            case 404 -> "The model does not exist or you do not have access to it.";
            case 429 -> "Too many requests.";
            case 500 ->
                p == Provider.OPENAI
                        ? "The server had an error while processing your request. Sorry about that!"
                        : "Internal server error.";
            case 503 -> "The model is overloaded. Please try again later.";
            case 529 -> "Overloaded";
            default -> "HTTP " + status;
        };
    }

    /** An error in the provider's shape; the type or status word is chosen from the HTTP status. */
    private static Reply error(Provider p, int status, String message) {
        return switch (p) {
            case OPENAI -> {
                String type = status >= 500 ? "server_error" : status == 429 ? "requests" : "invalid_request_error";
                String code =
                        switch (status) {
                            case 401 -> "invalid_api_key";
                            case 404 -> "model_not_found";
                            case 429 -> "rate_limit_exceeded";
                            default -> null;
                        };
                yield openAiError(status, message, type, code);
            }
            case ANTHROPIC -> {
                String type =
                        switch (status) {
                            case 400 -> "invalid_request_error";
                            case 401 -> "authentication_error";
                            case 403 -> "permission_error";
                            case 404, 405 -> "not_found_error";
                            case 413 -> "request_too_large";
                            case 429 -> "rate_limit_error";
                            case 503, 529 -> "overloaded_error";
                            case 504 -> "timeout_error";
                            default -> status >= 500 ? "api_error" : "invalid_request_error";
                        };
                yield anthropicError(status, type, message);
            }
            case GEMINI -> {
                String word =
                        switch (status) {
                            case 400 -> "INVALID_ARGUMENT";
                            case 401 -> "UNAUTHENTICATED";
                            case 403 -> "PERMISSION_DENIED";
                            case 404, 405 -> "NOT_FOUND";
                            case 409 -> "ABORTED";
                            case 429 -> "RESOURCE_EXHAUSTED";
                            case 500 -> "INTERNAL";
                            case 503 -> "UNAVAILABLE";
                            case 504 -> "DEADLINE_EXCEEDED";
                            default -> "UNKNOWN";
                        };
                yield Reply.json(status, googleError(status, message, word));
            }
            case OLLAMA -> ollamaError(status, message);
        };
    }

    private static Reply openAiError(int status, String message, String type, String code) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode error = body.putObject("error");
        error.put("message", message);
        error.put("type", type);
        error.putNull("param");
        if (code == null) {
            error.putNull("code");
        } else {
            error.put("code", code);
        }
        return Reply.json(status, body);
    }

    private static Reply anthropicError(int status, String type, String message) {
        ObjectNode body = JSON.createObjectNode();
        body.put("type", "error");
        ObjectNode error = body.putObject("error");
        error.put("type", type);
        error.put("message", message);
        return Reply.json(status, body);
    }

    private static ObjectNode googleError(int status, String message, String word) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode error = body.putObject("error");
        error.put("code", status);
        error.put("message", message);
        error.put("status", word);
        return body;
    }

    private static Reply ollamaError(int status, String message) {
        return Reply.json(status, JSON.createObjectNode().put("error", message));
    }

    private void locked(Runnable r) {
        lock.lock();
        try {
            r.run();
        } finally {
            lock.unlock();
        }
    }

    /** A stray {@code %} is kept as it is rather than failing the whole lookup. */
    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }
}
