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
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * A local Jira Cloud REST API v3 at the wire, for filing an issue: {@code POST /rest/api/3/issue}, {@code GET
 * /rest/api/3/issue/{issueIdOrKey}}, and {@code GET /rest/api/3/myself} for a configuration check. Requests
 * authenticate with basic auth, {@code email:api_token}; anything else is a 401.
 *
 * <p>Creating checks what Jira checks and answers in its shape, {@code 400 {"errorMessages":[],"errors":{"<field>":
 * "<message>"}}}: the project must exist ({@link #addProject}), the issue type must be one of the project's, the
 * summary must be there (under 255 characters), the {@code description} must be an Atlassian Document Format
 * document (a plain string is what v2 takes, and v3 refuses it), labels must not contain spaces, fields a project
 * {@linkplain #requireField requires} must be given, and fields Jira does not know cannot be set. A created issue
 * answers {@code 201 {"id","key","self"}} with keys {@code <PROJECT>-<n>}. {@link #issues()} is there for
 * assertions, {@link #calls()} records every request, and {@link Trouble} can be planned.
 */
public final class FakeJiraApi implements AutoCloseable {

    public static final String DEFAULT_EMAIL = "de-agent@example.com";
    public static final String DEFAULT_API_TOKEN = "ATATT3xFfGF0fake-api-token-for-tests";
    /** The account the credentials belong to. */
    public static final String ACCOUNT_ID = "5b10ac8d82e05b22cc7d4ef5";

    /** The issue types a project has unless {@link #addProject(String, String, String...)} names others. */
    public static final List<String> DEFAULT_ISSUE_TYPES = List.of("Task", "Bug", "Story", "Epic");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String JSON_TYPE = "application/json;charset=UTF-8";
    private static final String API = "/rest/api/3";
    private static final int MAX_SUMMARY = 255;
    private static final DateTimeFormatter JIRA_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ");
    /** The system fields a create screen has; any other field (but a project's required ones) cannot be set. */
    private static final Set<String> SETTABLE = Set.of(
            "project",
            "summary",
            "description",
            "issuetype",
            "labels",
            "priority",
            "assignee",
            "reporter",
            "components",
            "duedate",
            "environment",
            "parent",
            "fixVersions",
            "versions");

    /** The endpoints the fake serves. */
    public enum Route {
        MYSELF("GET", API + "/myself"),
        CREATE_ISSUE("POST", API + "/issue"),
        GET_ISSUE("GET", API + "/issue/{issueIdOrKey}");

        private final String method;
        private final String template;
        private final Pattern pattern;

        Route(String method, String template) {
            this.method = method;
            this.template = template;
            this.pattern = Pattern.compile("^" + template.replace("{issueIdOrKey}", "([^/]+)") + "$");
        }

        public String method() {
            return method;
        }

        public String template() {
            return template;
        }

        @Override
        public String toString() {
            return method + " " + template;
        }

        static Optional<Route> match(String method, String path) {
            for (Route r : values()) {
                if (r.method.equals(method) && r.pattern.matcher(path).matches()) {
                    return Optional.of(r);
                }
            }
            return Optional.empty();
        }
    }

    /** One request as the fake received it. Header names compare case-insensitively, as HTTP says. */
    public record Call(
            String method,
            String path,
            Optional<Route> route,
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

        /** The body as JSON; a {@link MissingNode} when it is not JSON. */
        public JsonNode json() {
            return parse(body).orElse(MissingNode.getInstance());
        }

        /** The {@code email:token} pair of basic auth, when the request has one. */
        public Optional<String> basicCredentials() {
            return header("Authorization")
                    .filter(a -> a.regionMatches(true, 0, "Basic ", 0, 6))
                    .flatMap(a -> {
                        try {
                            return Optional.of(new String(
                                    Base64.getDecoder().decode(a.substring(6).strip()), StandardCharsets.UTF_8));
                        } catch (IllegalArgumentException e) {
                            return Optional.empty();
                        }
                    });
        }

        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    /**
     * An issue as the fake keeps it; {@code fields} are the fields as sent, {@code description} a {@link
     * MissingNode} when there was none.
     */
    public record Issue(
            String id,
            String key,
            String projectKey,
            String issueType,
            String summary,
            JsonNode description,
            List<String> labels,
            JsonNode fields,
            String reporterAccountId,
            Instant created) {
        public Issue {
            description = description.deepCopy();
            fields = fields.deepCopy();
            labels = List.copyOf(labels);
        }
    }

    /** Trouble to answer with instead of the normal reply, in Jira's shapes. */
    public sealed interface Trouble {
        /** This status with {@code {"errorMessages":[message],"errors":{}}}. */
        record Status(int status, String message) implements Trouble {}

        /** 429 with {@code Retry-After: N}, as Jira Cloud's rate limiting answers. */
        record RateLimited(int retryAfterSeconds) implements Trouble {}

        /** No answer at all until the fake is closed: the client has to give up by itself. */
        record Hang() implements Trouble {}

        /** The connection is closed without a response. */
        record Drop() implements Trouble {}

        static Trouble status(int status, String message) {
            return new Status(status, message);
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

    private record Answer(int status, Map<String, String> headers, String contentType, String body) {
        static Answer json(int status, JsonNode body) {
            return new Answer(status, Map.of(), JSON_TYPE, body.toString());
        }
    }

    private record IssueType(String id, String name) {}

    private static final class Project {
        final String id;
        final String key;
        final String name;
        final List<IssueType> issueTypes;
        final Map<String, String> requiredFields = new LinkedHashMap<>();
        int nextNumber = 1;

        Project(String id, String key, String name, List<IssueType> issueTypes) {
            this.id = id;
            this.key = key;
            this.name = name;
            this.issueTypes = issueTypes;
        }

        Optional<IssueType> issueType(JsonNode ref) {
            return issueTypes.stream()
                    .filter(t -> t.id().equals(ref.path("id").asText(null))
                            || t.name().equalsIgnoreCase(ref.path("name").asText("")))
                    .findFirst();
        }
    }

    private static final class Plan {
        final Route route;
        final Trouble trouble;
        int left;

        Plan(Route route, Trouble trouble, int left) {
            this.route = route;
            this.trouble = trouble;
            this.left = left;
        }
    }

    private final LocalServer server;
    private final String email;
    private final String apiToken;
    private final Clock clock;
    private final CallLog<Call> calls = new CallLog<>();

    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Project> projects = new LinkedHashMap<>();
    private final Map<String, Issue> issues = new LinkedHashMap<>();
    private final List<Plan> plans = new ArrayList<>();
    private long nextIssueId = 10000;
    private long nextProjectId = 10000;
    private long nextIssueTypeId = 10001;

    private FakeJiraApi(String email, String apiToken, Clock clock) {
        this.email = email;
        this.apiToken = apiToken;
        this.clock = clock;
        this.server = LocalServer.start("fake-jira-api", this::handle);
    }

    /** A fake that accepts {@value #DEFAULT_EMAIL} with {@link #DEFAULT_API_TOKEN}. It has no project yet. */
    public static FakeJiraApi start() {
        return start(DEFAULT_EMAIL, DEFAULT_API_TOKEN);
    }

    public static FakeJiraApi start(String email, String apiToken) {
        return start(email, apiToken, Clock.systemUTC());
    }

    /** The clock stamps calls and issues. */
    public static FakeJiraApi start(String email, String apiToken, Clock clock) {
        if (email.isBlank() || apiToken.isBlank()) {
            throw new IllegalArgumentException("the fake Jira needs an account e-mail and an API token");
        }
        return new FakeJiraApi(email, apiToken, clock);
    }

    /** {@code http://127.0.0.1:<port>}: the site root, the stand-in for {@code https://<site>.atlassian.net}. */
    public String baseUrl() {
        return server.root();
    }

    public String email() {
        return email;
    }

    public String apiToken() {
        return apiToken;
    }

    /** Adds a project, e.g. {@code DT}, with the {@link #DEFAULT_ISSUE_TYPES}. */
    public FakeJiraApi addProject(String key, String name) {
        return addProject(key, name, DEFAULT_ISSUE_TYPES.toArray(String[]::new));
    }

    public FakeJiraApi addProject(String key, String name, String... issueTypes) {
        if (!key.matches("[A-Z][A-Z0-9_]+")) {
            throw new IllegalArgumentException("a Jira project key is upper-case letters and digits, got " + key);
        }
        locked(() -> {
            List<IssueType> types = new ArrayList<>();
            for (String t : issueTypes) {
                types.add(new IssueType(String.valueOf(nextIssueTypeId++), t));
            }
            projects.put(key, new Project(String.valueOf(nextProjectId++), key, name, List.copyOf(types)));
        });
        return this;
    }

    /** Issues of the project must set this field, e.g. {@code customfield_10010} named {@code Team}. */
    public FakeJiraApi requireField(String projectKey, String fieldId, String fieldName) {
        locked(() -> project(projectKey).requiredFields.put(fieldId, fieldName));
        return this;
    }

    /** The issues created so far, oldest first. */
    public List<Issue> issues() {
        lock.lock();
        try {
            return List.copyOf(issues.values());
        } finally {
            lock.unlock();
        }
    }

    public Optional<Issue> issue(String key) {
        lock.lock();
        try {
            return Optional.ofNullable(issues.get(key.toUpperCase(Locale.ROOT)));
        } finally {
            lock.unlock();
        }
    }

    /** Every request so far, in arrival order. */
    public List<Call> calls() {
        return calls.all();
    }

    public List<Call> calls(Route route) {
        return calls().stream()
                .filter(c -> c.route().equals(Optional.of(route)))
                .toList();
    }

    /**
     * The first call of {@code route} (already received or arriving within {@code timeout}) that matches.
     *
     * @throws AssertionError on timeout, listing the calls that did arrive
     */
    public Call awaitCall(Route route, Predicate<Call> matching, Duration timeout) {
        return calls.await(route.toString(), c -> c.route().equals(Optional.of(route)) && matching.test(c), timeout);
    }

    /** The next {@code times} calls of {@code route} get {@code trouble} instead of the normal answer. */
    public FakeJiraApi failNext(Route route, int times, Trouble trouble) {
        if (times < 1) {
            throw new IllegalArgumentException("times must be one or more, got " + times);
        }
        locked(() -> plans.add(new Plan(route, trouble, times)));
        return this;
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
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            Call call = new Call(
                    method, path, Route.match(method, path), exchange.getRequestHeaders(), body, clock.instant());
            calls.add(call);
            Optional<Trouble> trouble = call.route().flatMap(this::takeTrouble);
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
                    case Trouble.Status s -> answer = Answer.json(s.status(), errors(List.of(s.message()), Map.of()));
                    case Trouble.RateLimited r ->
                        answer = new Answer(
                                429,
                                Map.of("Retry-After", String.valueOf(r.retryAfterSeconds())),
                                JSON_TYPE,
                                errors(List.of("Rate limit exceeded."), Map.of())
                                        .toString());
                }
            } else {
                answer = answer(call);
            }
            LocalServer.send(exchange, answer.status(), answer.headers(), answer.contentType(), answer.body());
        }
    }

    private Optional<Trouble> takeTrouble(Route route) {
        lock.lock();
        try {
            for (Iterator<Plan> it = plans.iterator(); it.hasNext(); ) {
                Plan p = it.next();
                if (p.route == route) {
                    if (--p.left == 0) {
                        it.remove();
                    }
                    return Optional.of(p.trouble);
                }
            }
            return Optional.empty();
        } finally {
            lock.unlock();
        }
    }

    private Answer answer(Call call) {
        Optional<String> credentials = call.basicCredentials();
        if (credentials.isEmpty() || !credentials.get().equals(email + ":" + apiToken)) {
            Map<String, String> headers = call.header("Authorization").isPresent()
                    ? Map.of("X-Seraph-LoginReason", "AUTHENTICATED_FAILED")
                    : Map.of();
            return new Answer(
                    401, headers, "text/plain;charset=UTF-8", "Client must be authenticated to access this resource.");
        }
        if (call.route().isEmpty()) {
            boolean known = call.path().equals(API + "/issue")
                    || call.path().startsWith(API + "/issue/")
                    || call.path().equals(API + "/myself");
            return known
                    ? new Answer(405, Map.of("Allow", allowed(call.path())), JSON_TYPE, "")
                    : Answer.json(404, errors(List.of("Not Found"), Map.of()));
        }
        lock.lock();
        try {
            return switch (call.route().get()) {
                case MYSELF -> Answer.json(200, myself());
                case CREATE_ISSUE -> create(call);
                case GET_ISSUE -> getIssue(call.path().substring((API + "/issue/").length()));
            };
        } finally {
            lock.unlock();
        }
    }

    private static String allowed(String path) {
        return path.equals(API + "/issue") ? "POST" : "GET";
    }

    private ObjectNode myself() {
        ObjectNode me = user();
        me.put("emailAddress", email);
        me.put("timeZone", "Etc/UTC");
        me.put("locale", "en_US");
        me.putObject("groups").put("size", 1).putArray("items");
        me.putObject("applicationRoles").put("size", 1).putArray("items");
        me.put("expand", "groups,applicationRoles");
        return me;
    }

    private ObjectNode user() {
        ObjectNode u = JSON.createObjectNode();
        u.put("self", baseUrl() + API + "/user?accountId=" + ACCOUNT_ID);
        u.put("accountId", ACCOUNT_ID);
        u.put("accountType", "atlassian");
        u.put("displayName", "de-agent");
        u.put("active", true);
        return u;
    }

    private Answer create(Call call) {
        String type = call.header("Content-Type").orElse("").toLowerCase(Locale.ROOT);
        if (!type.startsWith("application/json")) {
            return new Answer(415, Map.of(), JSON_TYPE, "");
        }
        JsonNode in;
        try {
            in = JSON.readTree(call.body());
        } catch (JsonProcessingException e) {
            return Answer.json(400, errors(List.of(e.getOriginalMessage()), Map.of()));
        }
        if (in == null || !in.isObject()) {
            return Answer.json(
                    400, errors(List.of("Can not deserialize the request: expected a JSON object."), Map.of()));
        }
        JsonNode fields = in.path("fields");
        Optional<Project> project = projectOf(fields.path("project"));
        if (project.isEmpty()) {
            return Answer.json(400, errors(List.of(), Map.of("project", "Specify a valid project ID or key")));
        }
        Map<String, String> problems = new LinkedHashMap<>();
        Optional<IssueType> issueType = Optional.empty();
        if (!fields.path("issuetype").isObject()) {
            problems.put("issuetype", "Specify an issue type");
        } else {
            issueType = project.get().issueType(fields.path("issuetype"));
            if (issueType.isEmpty()) {
                problems.put("issuetype", "The issue type selected is invalid.");
            }
        }
        JsonNode summary = fields.path("summary");
        if (!summary.isTextual() || summary.asText().isBlank()) {
            problems.put("summary", "You must specify a summary of the issue.");
        } else if (summary.asText().length() > MAX_SUMMARY) {
            problems.put("summary", "Summary must be less than 255 characters.");
        }
        JsonNode description = fields.path("description");
        if (!description.isMissingNode() && !description.isNull()) {
            if (!description.isObject()) {
                problems.put("description", "Operation value must be an Atlassian Document");
            } else if (!isAdfDocument(description)) {
                problems.put("description", "INVALID_INPUT");
            }
        }
        labelProblem(fields.path("labels")).ifPresent(p -> problems.put("labels", p));
        project.get().requiredFields.forEach((id, name) -> {
            JsonNode v = fields.path(id);
            if (v.isMissingNode() || v.isNull() || (v.isTextual() && v.asText().isBlank())) {
                problems.put(id, name + " is required.");
            }
        });
        for (Iterator<String> names = fields.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!SETTABLE.contains(name) && !project.get().requiredFields.containsKey(name)) {
                problems.put(
                        name, "Field '" + name + "' cannot be set. It is not on the appropriate screen, or unknown.");
            }
        }
        if (!problems.isEmpty()) {
            return Answer.json(400, errors(List.of(), problems));
        }
        Project p = project.get();
        String id = String.valueOf(nextIssueId++);
        String key = p.key + "-" + p.nextNumber++;
        List<String> labels = new ArrayList<>();
        fields.path("labels").forEach(l -> labels.add(l.asText()));
        Issue issue = new Issue(
                id,
                key,
                p.key,
                issueType.orElseThrow().name(),
                summary.asText(),
                description,
                labels,
                fields,
                ACCOUNT_ID,
                clock.instant());
        issues.put(key, issue);
        ObjectNode created = JSON.createObjectNode();
        created.put("id", id);
        created.put("key", key);
        created.put("self", baseUrl() + API + "/issue/" + id);
        return Answer.json(201, created);
    }

    private Answer getIssue(String idOrKey) {
        Optional<Issue> found = issues.values().stream()
                .filter(i -> i.id().equals(idOrKey) || i.key().equalsIgnoreCase(idOrKey))
                .findFirst();
        if (found.isEmpty()) {
            return Answer.json(
                    404, errors(List.of("Issue does not exist or you do not have permission to see it."), Map.of()));
        }
        Issue i = found.get();
        Project p = projects.get(i.projectKey());
        IssueType type = p.issueTypes.stream()
                .filter(t -> t.name().equals(i.issueType()))
                .findFirst()
                .orElseThrow();
        ObjectNode o = JSON.createObjectNode();
        o.put("expand", "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations");
        o.put("id", i.id());
        o.put("self", baseUrl() + API + "/issue/" + i.id());
        o.put("key", i.key());
        ObjectNode f = o.putObject("fields");
        // the extra fields as they were sent, then the system fields as Jira shapes them
        i.fields().properties().forEach(e -> f.set(e.getKey(), e.getValue().deepCopy()));
        f.put("summary", i.summary());
        f.set("description", i.description().isMissingNode() ? JSON.nullNode() : i.description());
        ObjectNode issueType = f.putObject("issuetype");
        issueType.put("self", baseUrl() + API + "/issuetype/" + type.id());
        issueType.put("id", type.id());
        issueType.put("description", "");
        issueType.put("name", type.name());
        issueType.put("subtask", false);
        ObjectNode project = f.putObject("project");
        project.put("self", baseUrl() + API + "/project/" + p.id);
        project.put("id", p.id);
        project.put("key", p.key);
        project.put("name", p.name);
        project.put("projectTypeKey", "software");
        f.putArray("labels")
                .addAll(i.labels().stream().map(JSON.getNodeFactory()::textNode).toList());
        ObjectNode status = f.putObject("status");
        status.put("self", baseUrl() + API + "/status/10000");
        status.put("description", "");
        status.put("name", "To Do");
        status.put("id", "10000");
        ObjectNode category = status.putObject("statusCategory");
        category.put("id", 2);
        category.put("key", "new");
        category.put("name", "To Do");
        if (!i.fields().has("priority")) {
            f.putObject("priority").put("name", "Medium").put("id", "3");
        }
        f.set("reporter", user());
        f.set("creator", user());
        if (!i.fields().has("assignee")) {
            f.putNull("assignee");
        }
        String created = JIRA_TIME.format(i.created().atOffset(ZoneOffset.UTC));
        f.put("created", created);
        f.put("updated", created);
        return Answer.json(200, o);
    }

    // ---- checks ----

    private Optional<Project> projectOf(JsonNode ref) {
        if (!ref.isObject()) {
            return Optional.empty();
        }
        String key = ref.path("key").asText("");
        String id = ref.path("id").asText("");
        return projects.values().stream()
                .filter(p -> p.key.equals(key) || p.id.equals(id))
                .findFirst();
    }

    private static Optional<String> labelProblem(JsonNode labels) {
        if (labels.isMissingNode() || labels.isNull()) {
            return Optional.empty();
        }
        if (!labels.isArray()) {
            return Optional.of("Operation value must be an array of strings");
        }
        for (JsonNode l : labels) {
            if (!l.isTextual() || l.asText().isEmpty()) {
                return Optional.of("Operation value must be an array of strings");
            }
            if (l.asText().chars().anyMatch(Character::isWhitespace)) {
                return Optional.of("The label '" + l.asText() + "' contains spaces which is invalid.");
            }
        }
        return Optional.empty();
    }

    /**
     * The outline of an ADF document: {@code {"type":"doc","version":1,"content":[…]}}, every node with a {@code
     * type}, content always an array, and text nodes with non-empty {@code text}.
     */
    static boolean isAdfDocument(JsonNode doc) {
        return doc.path("type").asText("").equals("doc")
                && doc.path("version").isInt()
                && doc.path("version").asInt() == 1
                && doc.path("content").isArray()
                && adfContent(doc.path("content"));
    }

    private static boolean adfContent(JsonNode content) {
        for (JsonNode node : content) {
            if (!node.isObject() || !node.path("type").isTextual()) {
                return false;
            }
            if (node.path("type").asText().equals("text")
                    && (!node.path("text").isTextual()
                            || node.path("text").asText().isEmpty())) {
                return false;
            }
            if (node.has("content") && (!node.path("content").isArray() || !adfContent(node.path("content")))) {
                return false;
            }
        }
        return true;
    }

    private static ObjectNode errors(List<String> messages, Map<String, String> fieldErrors) {
        ObjectNode body = JSON.createObjectNode();
        messages.forEach(body.putArray("errorMessages")::add);
        ObjectNode errors = body.putObject("errors");
        fieldErrors.forEach(errors::put);
        return body;
    }

    private Project project(String key) {
        Project p = projects.get(key);
        if (p == null) {
            throw new IllegalArgumentException("no project " + key + " in the fake Jira; add it first");
        }
        return p;
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

    private void locked(Runnable r) {
        lock.lock();
        try {
            r.run();
        } finally {
            lock.unlock();
        }
    }
}
