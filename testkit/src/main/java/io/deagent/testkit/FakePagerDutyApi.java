package io.deagent.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * A local PagerDuty Events API v2 at the wire: {@code POST /v2/enqueue} with a JSON event. There is no auth
 * header: the {@code routing_key} in the body (an integration key, 32 characters) is the credential. The fake
 * validates an event as PagerDuty does and answers {@code 202 {"status":"success","message":"Event
 * processed","dedup_key":…}} (making up a dedup key when the event has none), or {@code 400 {"status":"invalid
 * event","message":"Event object is invalid","errors":[…]}} with every problem found.
 *
 * <p>Accepted events drive alerts by {@code dedup_key} as PagerDuty's do: a trigger opens an alert, or joins the
 * open one with the same routing and dedup keys; acknowledge and resolve change the open alert and are dropped
 * (still 202) when there is none; after a resolve, a trigger with the same key opens a new alert. {@link
 * #incidents()} and {@link #events()} are there for assertions. Point a client at {@link #enqueueUrl()} instead of
 * {@code https://events.pagerduty.com/v2/enqueue}.
 */
public final class FakePagerDutyApi implements AutoCloseable {

    public static final String ENQUEUE_PATH = "/v2/enqueue";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String JSON_TYPE = "application/json";
    private static final Set<String> ACTIONS = Set.of("trigger", "acknowledge", "resolve");
    private static final Set<String> SEVERITIES = Set.of("critical", "error", "warning", "info");
    private static final int ROUTING_KEY_LENGTH = 32;
    private static final int MAX_DEDUP_KEY = 255;

    /** Where an alert stands. */
    public enum State {
        TRIGGERED,
        ACKNOWLEDGED,
        RESOLVED
    }

    /** What an accepted event did. */
    public enum Outcome {
        /** A trigger that opened a new alert. */
        OPENED,
        /** A trigger that joined the open alert with the same routing and dedup keys. */
        DEDUPLICATED,
        ACKNOWLEDGED,
        RESOLVED,
        /** An acknowledge or resolve with no open alert to apply to: PagerDuty accepts and drops it. */
        DROPPED
    }

    /** One request as the fake received it. Header names compare case-insensitively, as HTTP says. */
    public record Call(String method, String path, Map<String, List<String>> headers, String body, Instant at) {
        public Call {
            Map<String, List<String>> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            headers.forEach((k, v) -> h.put(k, List.copyOf(v)));
            headers = Collections.unmodifiableMap(h);
        }

        public Optional<String> header(String name) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
        }

        /** The body as JSON; a {@link MissingNode} when it is not JSON. */
        public JsonNode json() {
            return parse(body).orElse(MissingNode.getInstance());
        }

        @Override
        public String toString() {
            return method + " " + path + " " + body;
        }
    }

    /** An event PagerDuty accepted (202), with the dedup key it answered and what the event did. */
    public record Event(String routingKey, String action, String dedupKey, JsonNode body, Outcome outcome, Instant at) {
        public Event {
            body = body.deepCopy();
        }

        @Override
        public String toString() {
            return action + " " + dedupKey + " → " + outcome;
        }
    }

    /**
     * An alert as PagerDuty keeps it: opened by a trigger, with the summary, source and severity of that trigger,
     * and the actions of every event applied to it since.
     */
    public record Incident(
            String dedupKey,
            String routingKey,
            State state,
            String summary,
            String source,
            String severity,
            JsonNode payload,
            List<String> actions,
            Instant openedAt) {
        public Incident {
            payload = payload.deepCopy();
            actions = List.copyOf(actions);
        }

        public boolean isOpen() {
            return state != State.RESOLVED;
        }
    }

    /** Trouble to answer with instead of processing the event. */
    public sealed interface Trouble {
        /** 429: the events for this integration arrive too quickly; retry later with backoff. */
        record Throttled() implements Trouble {}

        /** This HTTP status and body, e.g. a 500 or 503, which PagerDuty says to retry. */
        record Status(int status, String body) implements Trouble {}

        /** No answer at all until the fake is closed: the client has to give up by itself. */
        record Hang() implements Trouble {}

        /** The connection is closed without a response. */
        record Drop() implements Trouble {}

        static Trouble throttled() {
            return new Throttled();
        }

        static Trouble status(int status) {
            return new Status(status, "");
        }

        static Trouble hang() {
            return new Hang();
        }

        static Trouble drop() {
            return new Drop();
        }
    }

    private record Answer(int status, String body) {}

    private static final class Alert {
        final String dedupKey;
        final String routingKey;
        final JsonNode payload;
        final Instant openedAt;
        final List<String> actions = new ArrayList<>();
        State state = State.TRIGGERED;

        Alert(String dedupKey, String routingKey, JsonNode payload, Instant openedAt) {
            this.dedupKey = dedupKey;
            this.routingKey = routingKey;
            this.payload = payload;
            this.openedAt = openedAt;
            actions.add("trigger");
        }

        Incident snapshot() {
            return new Incident(
                    dedupKey,
                    routingKey,
                    state,
                    payload.path("summary").asText(),
                    payload.path("source").asText(),
                    payload.path("severity").asText(),
                    payload,
                    actions,
                    openedAt);
        }
    }

    private final LocalServer server;
    private final Clock clock;
    private final CallLog<Call> calls = new CallLog<>();
    private final CallLog<Event> events = new CallLog<>();

    private final ReentrantLock lock = new ReentrantLock();
    private final List<Alert> alerts = new ArrayList<>();
    private final Deque<Trouble> troubles = new ArrayDeque<>();

    private FakePagerDutyApi(Clock clock) {
        this.clock = clock;
        this.server = LocalServer.start("fake-pagerduty-api", this::handle);
    }

    public static FakePagerDutyApi start() {
        return start(Clock.systemUTC());
    }

    /** The clock stamps calls, events and alerts. */
    public static FakePagerDutyApi start(Clock clock) {
        return new FakePagerDutyApi(clock);
    }

    /** {@code http://127.0.0.1:<port>}, the stand-in for {@code https://events.pagerduty.com}. */
    public String baseUrl() {
        return server.root();
    }

    /** {@code http://127.0.0.1:<port>/v2/enqueue}. */
    public String enqueueUrl() {
        return server.root() + ENQUEUE_PATH;
    }

    /** The next {@code times} requests get {@code trouble} instead of being processed. */
    public FakePagerDutyApi failNext(int times, Trouble trouble) {
        if (times < 1) {
            throw new IllegalArgumentException("times must be one or more, got " + times);
        }
        lock.lock();
        try {
            for (int i = 0; i < times; i++) {
                troubles.add(trouble);
            }
        } finally {
            lock.unlock();
        }
        return this;
    }

    /** Every request so far, in arrival order, including invalid ones and those answered with trouble. */
    public List<Call> calls() {
        return calls.all();
    }

    /** The events PagerDuty accepted (202), in arrival order. */
    public List<Event> events() {
        return events.all();
    }

    /**
     * The first accepted event (already received or arriving within {@code timeout}) that matches.
     *
     * @throws AssertionError on timeout, listing the events that did arrive
     */
    public Event awaitEvent(Predicate<Event> matching, Duration timeout) {
        return events.await("accepted event", matching, timeout);
    }

    /** Every alert opened so far, oldest first, with its present state. */
    public List<Incident> incidents() {
        lock.lock();
        try {
            return alerts.stream().map(Alert::snapshot).toList();
        } finally {
            lock.unlock();
        }
    }

    /** The latest alert with this dedup key (a trigger after a resolve opens a new one). */
    public Optional<Incident> incident(String dedupKey) {
        lock.lock();
        try {
            for (int i = alerts.size() - 1; i >= 0; i--) {
                if (alerts.get(i).dedupKey.equals(dedupKey)) {
                    return Optional.of(alerts.get(i).snapshot());
                }
            }
            return Optional.empty();
        } finally {
            lock.unlock();
        }
    }

    /** Releases hung requests (their connections close unanswered) and stops the server. */
    @Override
    public void close() {
        server.close();
    }

    // ---- the wire ----

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Call call = new Call(
                    exchange.getRequestMethod(),
                    exchange.getRequestURI().getPath(),
                    exchange.getRequestHeaders(),
                    body,
                    clock.instant());
            calls.add(call);
            Optional<Trouble> trouble = takeTrouble();
            Answer answer;
            if (trouble.isPresent()) {
                switch (trouble.get()) {
                    case Trouble.Hang h -> {
                        server.hang();
                        return;
                    }
                    case Trouble.Drop d -> {
                        return; // closing an exchange that sent no headers closes the connection
                    }
                    case Trouble.Throttled t -> answer = new Answer(429, throttledBody());
                    case Trouble.Status s -> answer = new Answer(s.status(), s.body());
                }
            } else if (!call.path().equals(ENQUEUE_PATH)) {
                answer = new Answer(404, "");
            } else if (!call.method().equals("POST")) {
                answer = new Answer(405, "");
            } else {
                answer = process(call);
            }
            LocalServer.send(exchange, answer.status(), Map.of(), JSON_TYPE, answer.body());
        }
    }

    private Optional<Trouble> takeTrouble() {
        lock.lock();
        try {
            return Optional.ofNullable(troubles.poll());
        } finally {
            lock.unlock();
        }
    }

    private Answer process(Call call) {
        Optional<JsonNode> parsed = parse(call.body()).filter(JsonNode::isObject);
        if (parsed.isEmpty()) {
            return invalid(List.of("Event object is not a valid JSON object"));
        }
        JsonNode event = parsed.get();
        List<String> errors = validate(event);
        if (!errors.isEmpty()) {
            return invalid(errors);
        }
        String routingKey = event.path("routing_key").asText();
        String action = event.path("event_action").asText();
        String dedupKey = text(event, "dedup_key")
                .orElseGet(() -> UUID.randomUUID().toString().replace("-", ""));
        lock.lock();
        try {
            Outcome outcome = apply(routingKey, action, dedupKey, event);
            events.add(new Event(routingKey, action, dedupKey, event, outcome, clock.instant()));
        } finally {
            lock.unlock();
        }
        ObjectNode ok = JSON.createObjectNode();
        ok.put("status", "success");
        ok.put("message", "Event processed");
        ok.put("dedup_key", dedupKey);
        return new Answer(202, ok.toString());
    }

    /** Every problem with the event, in the order PagerDuty lists them; empty when it is valid. */
    private static List<String> validate(JsonNode event) {
        List<String> errors = new ArrayList<>();
        Optional<String> routingKey = text(event, "routing_key");
        if (routingKey.isEmpty()) {
            errors.add("'routing_key' is missing or blank");
        } else if (routingKey.get().length() != ROUTING_KEY_LENGTH) {
            errors.add("Length of 'routing_key' is incorrect (should be 32 characters)");
        }
        Optional<String> action = text(event, "event_action");
        if (action.isEmpty()) {
            errors.add("'event_action' is missing or blank");
        } else if (!ACTIONS.contains(action.get())) {
            errors.add(
                    "'event_action' is invalid (must be one of the following: 'trigger', 'acknowledge' or 'resolve')");
        }
        Optional<String> dedupKey = text(event, "dedup_key");
        if (dedupKey.isPresent() && dedupKey.get().length() > MAX_DEDUP_KEY) {
            errors.add("'dedup_key' is too long (must be 255 characters or fewer)");
        }
        if (action.filter(a -> a.equals("acknowledge") || a.equals("resolve")).isPresent() && dedupKey.isEmpty()) {
            errors.add("'dedup_key' is missing or blank");
        }
        if (action.filter(a -> a.equals("trigger")).isPresent()) {
            JsonNode payload = event.path("payload");
            if (!payload.isObject()) {
                errors.add("'payload' is missing or blank");
            } else {
                for (String field : List.of("summary", "source", "severity")) {
                    if (text(payload, field).isEmpty()) {
                        errors.add("'payload." + field + "' is missing or blank");
                    }
                }
                Optional<String> severity = text(payload, "severity");
                if (severity.isPresent() && !SEVERITIES.contains(severity.get())) {
                    errors.add("'payload.severity' is invalid (must be one of the following: 'critical', 'warning',"
                            + " 'error' or 'info')");
                }
            }
        }
        return errors;
    }

    private Outcome apply(String routingKey, String action, String dedupKey, JsonNode event) {
        Optional<Alert> open = alerts.stream()
                .filter(a ->
                        a.state != State.RESOLVED && a.dedupKey.equals(dedupKey) && a.routingKey.equals(routingKey))
                .findFirst();
        switch (action) {
            case "trigger" -> {
                if (open.isPresent()) {
                    open.get().actions.add(action);
                    return Outcome.DEDUPLICATED;
                }
                alerts.add(new Alert(dedupKey, routingKey, event.path("payload").deepCopy(), clock.instant()));
                return Outcome.OPENED;
            }
            case "acknowledge" -> {
                if (open.isEmpty()) {
                    return Outcome.DROPPED;
                }
                open.get().actions.add(action);
                open.get().state = State.ACKNOWLEDGED;
                return Outcome.ACKNOWLEDGED;
            }
            default -> {
                if (open.isEmpty()) {
                    return Outcome.DROPPED;
                }
                open.get().actions.add(action);
                open.get().state = State.RESOLVED;
                return Outcome.RESOLVED;
            }
        }
    }

    private static Answer invalid(List<String> errors) {
        ObjectNode body = JSON.createObjectNode();
        body.put("status", "invalid event");
        body.put("message", "Event object is invalid");
        errors.forEach(body.putArray("errors")::add);
        return new Answer(400, body.toString());
    }

    private static String throttledBody() {
        ObjectNode body = JSON.createObjectNode();
        body.put("status", "throttle event");
        body.put("message", "Requests for this service are arriving too quickly.  Please retry later.");
        return body.toString();
    }

    /** A non-blank string field; PagerDuty treats a blank one as missing. */
    private static Optional<String> text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isTextual() && !v.asText().isBlank() ? Optional.of(v.asText()) : Optional.empty();
    }

    private static Optional<JsonNode> parse(String body) {
        if (body.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(JSON.readTree(body));
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }
}
