package io.deagent.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local GitHub REST API (v3, {@code X-GitHub-Api-Version: 2022-11-28}) at the wire, for the pull-request flow:
 * the API root, {@code /user}, {@code /rate_limit}, repositories, branches and git refs, pull requests (list with
 * filters and pages, create, get, update, request reviewers), and issue labels and comments on them ({@link
 * Route} lists every endpoint). Answers, errors and headers take GitHub's shapes, so the real client ({@code
 * org.kohsuke:github-api}) runs against it unchanged.
 *
 * <p>One server plays both deployments: point a client at {@link #baseUrl()} as it would use {@code
 * https://api.github.com}, or at {@link #enterpriseBaseUrl()} ({@code …/api/v3}) as for GitHub Enterprise Server.
 * The URLs in answers follow the base the request came in on, and Enterprise answers carry {@code
 * X-GitHub-Enterprise-Version}.
 *
 * <p>What GitHub checks, the fake checks: the token ({@code Authorization: token|Bearer <token>}; a wrong one
 * is 401 "Bad credentials", none is 401 "Requires authentication" except on the API root and {@code
 * /rate_limit}), that the repository exists (else 404), that the base and head branches exist (else 422 {@code invalid}), that
 * no open pull request has the same head and base (else 422 "A pull request already exists for owner:branch."),
 * that head and base differ. A head branch exists once the test says it was pushed ({@link #markBranchPushed}) or
 * a {@link BranchLookup} finds it, e.g. in a real bare git repository the code under test pushed to. Every answer
 * carries the rate-limit headers ({@code x-ratelimit-limit}, {@code -remaining}, {@code -used}, {@code -reset},
 * {@code -resource}), and the primary limit runs out like GitHub's (403, remaining 0) when it is spent. As on
 * GitHub, listing pull requests with a {@code head} that lacks the {@code owner:} prefix filters nothing.
 *
 * <p>Every request is recorded ({@link #calls()}), including those answered with planned {@link Trouble}. The
 * clock given to {@link #start(String, String, Clock)} moves the rate-limit window; the {@code Date} header is the
 * JDK server's own (real time), which {@code github-api}'s default rate-limit handler reads to work out its wait,
 * so a test that spends the limit under a made-up clock should build its client with {@code
 * GitHubRateLimitHandler.FAIL}.
 */
public final class FakeGitHubApi implements AutoCloseable {

    /** The token the fake accepts unless another is given: the shape of a GitHub personal access token. */
    public static final String DEFAULT_TOKEN = "ghp_fake000000000000000000000000000000000";

    /** Who the default token belongs to ({@code GET /user}). */
    public static final String DEFAULT_LOGIN = "de-agent-bot";

    /** The path prefix of GitHub Enterprise Server's REST API. */
    public static final String ENTERPRISE_PREFIX = "/api/v3";

    /** The {@code X-GitHub-Enterprise-Version} of answers under {@link #ENTERPRISE_PREFIX}. */
    public static final String ENTERPRISE_VERSION = "3.17.0";

    /** The primary rate limit of an authenticated client per hour, as on github.com. */
    public static final int RATE_LIMIT = 5000;

    /** The primary rate limit of an unauthenticated client per hour. */
    public static final int ANONYMOUS_RATE_LIMIT = 60;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String JSON_TYPE = "application/json; charset=utf-8";
    private static final String DOCS = "https://docs.github.com/rest";
    private static final String CREATE_PULL_DOCS = DOCS + "/pulls/pulls#create-a-pull-request";
    private static final int DEFAULT_PER_PAGE = 30;
    private static final int MAX_PER_PAGE = 100;

    /** The endpoints the fake serves: anything else is a GitHub 404. */
    public enum Route {
        API_ROOT("GET", "/"),
        RATE_LIMIT("GET", "/rate_limit"),
        AUTHENTICATED_USER("GET", "/user"),
        USER("GET", "/users/{username}"),
        REPOSITORY("GET", "/repos/{owner}/{repo}"),
        BRANCH("GET", "/repos/{owner}/{repo}/branches/{branch}"),
        /** The exact reference, e.g. {@code heads/main}. */
        GIT_REF("GET", "/repos/{owner}/{repo}/git/ref/{ref}"),
        /** The older form {@code github-api} uses: the exact reference, or the array of those it prefixes. */
        GIT_REFS("GET", "/repos/{owner}/{repo}/git/refs/{ref}"),
        LIST_PULLS("GET", "/repos/{owner}/{repo}/pulls"),
        CREATE_PULL("POST", "/repos/{owner}/{repo}/pulls"),
        GET_PULL("GET", "/repos/{owner}/{repo}/pulls/{pull_number}"),
        UPDATE_PULL("PATCH", "/repos/{owner}/{repo}/pulls/{pull_number}"),
        REQUEST_REVIEWERS("POST", "/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers"),
        LIST_LABELS("GET", "/repos/{owner}/{repo}/issues/{issue_number}/labels"),
        ADD_LABELS("POST", "/repos/{owner}/{repo}/issues/{issue_number}/labels"),
        LIST_COMMENTS("GET", "/repos/{owner}/{repo}/issues/{issue_number}/comments"),
        CREATE_COMMENT("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments");

        private final String method;
        private final String template;
        private final Pattern pattern;

        Route(String method, String template) {
            this.method = method;
            this.template = template;
            String regex = template.replace("{pull_number}", "(\\d+)")
                    .replace("{issue_number}", "(\\d+)")
                    .replace("{branch}", "(.+)")
                    .replace("{ref}", "(.+)")
                    .replaceAll("\\{[a-z_]+}", "([^/]+)");
            this.pattern = Pattern.compile("^" + regex + "$");
        }

        public String method() {
            return method;
        }

        /** The path as GitHub's documentation writes it, e.g. {@code /repos/{owner}/{repo}/pulls}. */
        public String template() {
            return template;
        }

        /** {@code METHOD template}, e.g. {@code POST /repos/{owner}/{repo}/pulls}. */
        @Override
        public String toString() {
            return method + " " + template;
        }

        static Optional<Matched> match(String method, String path) {
            for (Route r : values()) {
                Matcher m = r.pattern.matcher(path);
                if (r.method.equals(method) && m.matches()) {
                    List<String> groups = new ArrayList<>();
                    for (int i = 1; i <= m.groupCount(); i++) {
                        groups.add(m.group(i));
                    }
                    return Optional.of(new Matched(r, groups));
                }
            }
            return Optional.empty();
        }
    }

    private record Matched(Route route, List<String> params) {
        String repo() {
            return params.get(0) + "/" + params.get(1);
        }

        int number() {
            return Integer.parseInt(params.get(2));
        }
    }

    /**
     * One request as the fake received it. {@code path} is decoded and without the {@link #ENTERPRISE_PREFIX},
     * {@code query} raw (empty when there was none); {@code enterprise} says the request came in under it. Header
     * names compare case-insensitively, as HTTP says.
     */
    public record Call(
            String method,
            String path,
            String query,
            boolean enterprise,
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

        /** A query parameter, percent-decoded. */
        public Optional<String> queryParam(String name) {
            return Optional.ofNullable(queryParams(query).get(name));
        }

        /** The body as JSON; a {@link MissingNode} when it is not JSON. */
        public JsonNode json() {
            return parse(body).orElse(MissingNode.getInstance());
        }

        /** The token as GitHub reads it: {@code token X}, {@code Bearer X}, or the password of basic auth. */
        public Optional<String> token() {
            return header("Authorization").flatMap(FakeGitHubApi::tokenOf);
        }

        /** {@code METHOD path?query}, e.g. {@code GET /repos/acme/pipelines/pulls?state=open}. */
        @Override
        public String toString() {
            return method + " " + (enterprise ? ENTERPRISE_PREFIX : "") + path + (query.isEmpty() ? "" : "?" + query);
        }
    }

    /** A pull request as the fake holds it. {@code head} is the branch name, {@code headLabel} {@code owner:head}. */
    public record PullRequest(
            String repo,
            int number,
            String title,
            String body,
            String head,
            String headLabel,
            String headSha,
            String base,
            String state,
            boolean merged,
            boolean draft,
            boolean maintainerCanModify,
            String author,
            List<String> labels,
            List<String> requestedReviewers,
            List<String> requestedTeams,
            String htmlUrl,
            Instant createdAt) {
        public boolean isOpen() {
            return "open".equals(state);
        }
    }

    /** A comment on an issue or pull request. */
    public record Comment(long id, int issueNumber, String author, String body, Instant createdAt) {}

    /** Finds a branch the test did not {@linkplain #markBranchPushed mark}, e.g. in a real bare git repository. */
    @FunctionalInterface
    public interface BranchLookup {
        /** The commit SHA the branch points at, empty when there is no such branch. */
        Optional<String> headSha(String branch);

        /** A lookup that knows only whether a branch exists; the SHA is made up from the name. */
        static BranchLookup existing(Predicate<String> branchExists) {
            return branch -> branchExists.test(branch) ? Optional.of(madeUpSha(branch)) : Optional.empty();
        }
    }

    /** Trouble to answer with instead of the normal reply, in GitHub's shapes. */
    public sealed interface Trouble {
        /** This HTTP status with GitHub's error body {@code {"message","documentation_url","status"}}. */
        record Status(int status, String message) implements Trouble {}

        /** 403 with {@code Retry-After: N} and GitHub's "secondary rate limit" message. */
        record SecondaryRateLimit(int retryAfterSeconds) implements Trouble {}

        /** No answer at all until the fake is closed: the client has to give up by itself. */
        record Hang() implements Trouble {}

        /** The connection is closed without a response. */
        record Drop() implements Trouble {}

        static Trouble status(int status, String message) {
            return new Status(status, message);
        }

        /** 500 "Server Error". */
        static Trouble serverError() {
            return new Status(500, "Server Error");
        }

        static Trouble secondaryRateLimit(int retryAfterSeconds) {
            return new SecondaryRateLimit(retryAfterSeconds);
        }

        static Trouble hang() {
            return new Hang();
        }

        static Trouble drop() {
            return new Drop();
        }
    }

    /** Trouble planned for a route (or every route), for a number of calls or, with {@code left < 0}, always. */
    private static final class Plan {
        final Optional<Route> route;
        final Trouble trouble;
        int left;

        Plan(Optional<Route> route, Trouble trouble, int left) {
            this.route = route;
            this.trouble = trouble;
            this.left = left;
        }
    }

    private record Answer(int status, Map<String, String> headers, String body) {
        static Answer json(int status, JsonNode body) {
            return new Answer(status, Map.of(), body.toString());
        }
    }

    private static final class Repo {
        final String owner;
        final String name;
        final long id;
        final String defaultBranch;
        final Optional<URI> cloneUrl;
        final Instant createdAt;
        final Map<String, String> branches = new LinkedHashMap<>();
        final Map<String, Long> labelIds = new LinkedHashMap<>();
        final Set<String> collaborators = new LinkedHashSet<>();
        final Map<Integer, Pull> pulls = new LinkedHashMap<>();
        BranchLookup lookup = branch -> Optional.empty();
        int nextNumber = 1;

        Repo(String owner, String name, long id, String defaultBranch, Optional<URI> cloneUrl, Instant createdAt) {
            this.owner = owner;
            this.name = name;
            this.id = id;
            this.defaultBranch = defaultBranch;
            this.cloneUrl = cloneUrl;
            this.createdAt = createdAt;
        }

        String fullName() {
            return owner + "/" + name;
        }

        Optional<String> sha(String branch) {
            String known = branches.get(branch);
            return known != null ? Optional.of(known) : lookup.headSha(branch);
        }
    }

    private static final class Pull {
        final int number;
        final long id;
        final String head;
        final String headSha;
        final String author;
        final boolean maintainerCanModify;
        final Instant createdAt;
        final List<String> labels = new ArrayList<>();
        final List<Comment> comments = new ArrayList<>();
        final List<String> reviewers = new ArrayList<>();
        final List<String> teams = new ArrayList<>();
        String title;
        String body;
        String base;
        String state = "open";
        boolean merged;
        boolean draft;
        boolean mergeabilityKnown;
        Instant updatedAt;
        Optional<Instant> closedAt = Optional.empty();

        Pull(
                int number,
                long id,
                String head,
                String headSha,
                String author,
                boolean maintainerCanModify,
                Instant createdAt) {
            this.number = number;
            this.id = id;
            this.head = head;
            this.headSha = headSha;
            this.author = author;
            this.maintainerCanModify = maintainerCanModify;
            this.createdAt = createdAt;
            this.updatedAt = createdAt;
        }
    }

    /** The URLs one answer uses: the API base the request came in on, and the web root. */
    private record Urls(String api, String web) {
        String repo(Repo r) {
            return api + "/repos/" + r.fullName();
        }
    }

    private final LocalServer server;
    private final String token;
    private final String login;
    private final Clock clock;
    private final CallLog<Call> calls = new CallLog<>();
    private final AtomicLong requestIds = new AtomicLong(0x1F00);

    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Repo> repos = new LinkedHashMap<>();
    private final List<Plan> plans = new ArrayList<>();
    private long nextId = 2_000_000_001L;
    private Instant windowReset;
    private int used;
    private int anonymousUsed;

    private FakeGitHubApi(String token, String login, Clock clock) {
        this.token = token;
        this.login = login;
        this.clock = clock;
        this.windowReset = clock.instant().truncatedTo(ChronoUnit.SECONDS).plus(Duration.ofHours(1));
        this.server = LocalServer.start("fake-github-api", this::handle);
    }

    /** A fake that accepts {@value #DEFAULT_TOKEN}, which belongs to {@value #DEFAULT_LOGIN}. */
    public static FakeGitHubApi start() {
        return start(DEFAULT_TOKEN, DEFAULT_LOGIN);
    }

    public static FakeGitHubApi start(String token, String login) {
        return start(token, login, Clock.systemUTC());
    }

    /** The clock stamps calls and objects, and moves the rate-limit window. */
    public static FakeGitHubApi start(String token, String login, Clock clock) {
        if (token.isBlank() || login.isBlank()) {
            throw new IllegalArgumentException("the fake GitHub needs a token and the login it belongs to");
        }
        return new FakeGitHubApi(token, login, clock);
    }

    /** {@code http://127.0.0.1:<port>}: the API root, used like {@code https://api.github.com}. */
    public String baseUrl() {
        return server.root();
    }

    /** {@code http://127.0.0.1:<port>/api/v3}: the API root as GitHub Enterprise Server serves it. */
    public String enterpriseBaseUrl() {
        return server.root() + ENTERPRISE_PREFIX;
    }

    /** The root of {@code html_url}s, like {@code https://github.com}. Nothing is served there. */
    public String webUrl() {
        return server.root();
    }

    public String token() {
        return token;
    }

    public String login() {
        return login;
    }

    /** Adds a repository, e.g. {@code acme/pipelines}, whose default branch exists from the start. */
    public FakeGitHubApi addRepository(String fullName, String defaultBranch) {
        return addRepository(fullName, defaultBranch, Optional.empty());
    }

    /** As {@link #addRepository(String, String)}, with the {@code clone_url} to answer, e.g. a local bare repo. */
    public FakeGitHubApi addRepository(String fullName, String defaultBranch, URI cloneUrl) {
        return addRepository(fullName, defaultBranch, Optional.of(cloneUrl));
    }

    private FakeGitHubApi addRepository(String fullName, String defaultBranch, Optional<URI> cloneUrl) {
        String[] parts = fullName.split("/");
        if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
            throw new IllegalArgumentException("a repository is named owner/repo, got " + fullName);
        }
        locked(() -> {
            Repo repo = new Repo(parts[0], parts[1], nextId++, defaultBranch, cloneUrl, now());
            repo.branches.put(defaultBranch, madeUpSha(fullName + "@" + defaultBranch));
            repo.collaborators.add(login);
            repos.put(key(fullName), repo);
        });
        return this;
    }

    /** The branch now exists in the repository (as after a push), at a SHA made up from its name. */
    public FakeGitHubApi markBranchPushed(String repo, String branch) {
        return markBranchPushed(repo, branch, madeUpSha(repo + "@" + branch));
    }

    public FakeGitHubApi markBranchPushed(String repo, String branch, String sha) {
        locked(() -> repo(repo).branches.put(branch, sha));
        return this;
    }

    /** Branches not {@linkplain #markBranchPushed marked} are looked up here (e.g. in a bare repo pushed to). */
    public FakeGitHubApi lookUpBranches(String repo, BranchLookup lookup) {
        locked(() -> repo(repo).lookup = lookup);
        return this;
    }

    /** Users who may be asked for a review (the token's owner always may). */
    public FakeGitHubApi addCollaborators(String repo, String... logins) {
        locked(() -> repo(repo).collaborators.addAll(List.of(logins)));
        return this;
    }

    /** Closes a pull request (merged or not) as a person would on GitHub's web page. */
    public FakeGitHubApi closePull(String repo, int number, boolean merged) {
        locked(() -> {
            Pull p = pull(repo(repo), number)
                    .orElseThrow(() -> new IllegalArgumentException("no pull request #" + number + " in " + repo));
            p.state = "closed";
            p.merged = merged;
            p.closedAt = Optional.of(now());
            p.updatedAt = now();
        });
        return this;
    }

    /** How many requests the primary rate limit still allows in this window (the window resets after an hour). */
    public FakeGitHubApi rateLimitRemaining(int remaining) {
        if (remaining < 0 || remaining > RATE_LIMIT) {
            throw new IllegalArgumentException("remaining must be 0.." + RATE_LIMIT + ", got " + remaining);
        }
        locked(() -> {
            rollWindow();
            used = RATE_LIMIT - remaining;
        });
        return this;
    }

    /** The pull requests of a repository, oldest first. */
    public List<PullRequest> pulls(String repo) {
        lock.lock();
        try {
            Repo r = repo(repo);
            return r.pulls.values().stream().map(p -> snapshot(r, p)).toList();
        } finally {
            lock.unlock();
        }
    }

    public Optional<PullRequest> pull(String repo, int number) {
        lock.lock();
        try {
            Repo r = repo(repo);
            return pull(r, number).map(p -> snapshot(r, p));
        } finally {
            lock.unlock();
        }
    }

    /** The comments on issue or pull request {@code number}, oldest first. */
    public List<Comment> comments(String repo, int number) {
        lock.lock();
        try {
            return pull(repo(repo), number).map(p -> List.copyOf(p.comments)).orElse(List.of());
        } finally {
            lock.unlock();
        }
    }

    /** The names of the labels on issue or pull request {@code number}, in the order they were added. */
    public List<String> labels(String repo, int number) {
        lock.lock();
        try {
            return pull(repo(repo), number).map(p -> List.copyOf(p.labels)).orElse(List.of());
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

    /** The distinct endpoints called so far, in order of first call, e.g. {@code POST /repos/{owner}/{repo}/pulls}. */
    public List<String> endpointsCalled() {
        Set<String> seen = new LinkedHashSet<>();
        for (Call c : calls()) {
            seen.add(c.route().map(Route::toString).orElse(c.method() + " " + c.path() + " (unknown)"));
        }
        return List.copyOf(seen);
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
    public FakeGitHubApi failNext(Route route, int times, Trouble trouble) {
        if (times < 1) {
            throw new IllegalArgumentException("times must be one or more, got " + times);
        }
        locked(() -> plans.add(new Plan(Optional.of(route), trouble, times)));
        return this;
    }

    /** Every call, of any route, gets {@code trouble} until {@link #clearTrouble()}. */
    public FakeGitHubApi failAlways(Trouble trouble) {
        locked(() -> plans.add(new Plan(Optional.empty(), trouble, -1)));
        return this;
    }

    public FakeGitHubApi clearTrouble() {
        locked(plans::clear);
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
            String path = exchange.getRequestURI().getPath();
            boolean enterprise = path.equals(ENTERPRISE_PREFIX) || path.startsWith(ENTERPRISE_PREFIX + "/");
            if (enterprise) {
                path = path.substring(ENTERPRISE_PREFIX.length());
            }
            if (path.isEmpty()) {
                path = "/";
            } else if (path.length() > 1 && path.endsWith("/")) {
                path = path.substring(0, path.length() - 1);
            }
            String method = exchange.getRequestMethod();
            Optional<Matched> matched = Route.match(method, path);
            Call call = new Call(
                    method,
                    path,
                    Optional.ofNullable(exchange.getRequestURI().getRawQuery()).orElse(""),
                    enterprise,
                    matched.map(Matched::route),
                    exchange.getRequestHeaders(),
                    body,
                    clock.instant());
            calls.add(call);
            Urls urls = new Urls(enterprise ? enterpriseBaseUrl() : baseUrl(), webUrl());
            Optional<Trouble> trouble = takeTrouble(call);
            if (trouble.isPresent() && trouble.get() instanceof Trouble.Hang) {
                server.hang();
                return;
            }
            if (trouble.isPresent() && trouble.get() instanceof Trouble.Drop) {
                return; // closing an exchange that sent no headers closes the connection
            }
            String requestId = String.format(Locale.ROOT, "%04X:%06X", 0xFA4E, requestIds.incrementAndGet());
            Answer answer;
            Map<String, String> headers = new LinkedHashMap<>();
            lock.lock();
            try {
                Optional<Answer> refused = authenticate(call, headers);
                if (trouble.isPresent()) {
                    answer = troubleAnswer(trouble.get(), requestId);
                } else if (refused.isPresent()) {
                    answer = refused.get();
                } else {
                    answer = matched.map(m -> route(m, call, urls)).orElseGet(() -> notFound(DOCS));
                }
            } finally {
                lock.unlock();
            }
            headers.put("X-GitHub-Media-Type", "github.v3; format=json");
            headers.put("X-GitHub-Api-Version-Selected", "2022-11-28");
            headers.put("X-GitHub-Request-Id", requestId);
            if (enterprise) {
                headers.put("X-GitHub-Enterprise-Version", ENTERPRISE_VERSION);
            }
            headers.putAll(answer.headers());
            LocalServer.send(exchange, answer.status(), headers, JSON_TYPE, answer.body());
        }
    }

    private Optional<Trouble> takeTrouble(Call call) {
        lock.lock();
        try {
            for (Iterator<Plan> it = plans.iterator(); it.hasNext(); ) {
                Plan p = it.next();
                if (p.route.isEmpty() || p.route.equals(call.route())) {
                    if (p.left > 0 && --p.left == 0) {
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

    /**
     * Counts the request against its rate-limit bucket, sets the rate-limit headers, and refuses a bad token, a
     * missing one where GitHub needs one, and a spent limit.
     */
    private Optional<Answer> authenticate(Call call, Map<String, String> headers) {
        rollWindow();
        Optional<String> given = call.token();
        boolean authenticated = given.isPresent() && given.get().equals(token);
        boolean counts = call.route().map(r -> r != Route.RATE_LIMIT).orElse(true);
        if (!authenticated) {
            if (counts) {
                anonymousUsed++;
            }
            rateHeaders(headers, ANONYMOUS_RATE_LIMIT, anonymousUsed);
            if (given.isPresent() || call.header("Authorization").isPresent()) {
                return Optional.of(error(401, "Bad credentials", DOCS));
            }
            boolean open = call.route()
                    .map(r -> r == Route.API_ROOT || r == Route.RATE_LIMIT)
                    .orElse(false);
            return open ? Optional.empty() : Optional.of(error(401, "Requires authentication", DOCS));
        }
        if (counts && used >= RATE_LIMIT) {
            rateHeaders(headers, RATE_LIMIT, used);
            return Optional.of(error(
                    403,
                    "API rate limit exceeded for user ID " + userId(login) + ".",
                    DOCS + "/overview/rate-limits-for-the-rest-api"));
        }
        if (counts) {
            used++;
        }
        rateHeaders(headers, RATE_LIMIT, used);
        return Optional.empty();
    }

    private void rateHeaders(Map<String, String> headers, int limit, int spent) {
        headers.put("x-ratelimit-limit", String.valueOf(limit));
        headers.put("x-ratelimit-remaining", String.valueOf(Math.max(0, limit - spent)));
        headers.put("x-ratelimit-used", String.valueOf(Math.min(limit, spent)));
        headers.put("x-ratelimit-reset", String.valueOf(windowReset.getEpochSecond()));
        headers.put("x-ratelimit-resource", "core");
    }

    private void rollWindow() {
        Instant now = clock.instant();
        if (!now.isBefore(windowReset)) {
            windowReset = now.truncatedTo(ChronoUnit.SECONDS).plus(Duration.ofHours(1));
            used = 0;
            anonymousUsed = 0;
        }
    }

    private static Answer troubleAnswer(Trouble trouble, String requestId) {
        return switch (trouble) {
            case Trouble.Status s -> error(s.status(), s.message(), DOCS);
            case Trouble.SecondaryRateLimit s -> {
                ObjectNode body = errorBody(
                        403,
                        "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
                                + " If you reach out to GitHub Support for help, please include the request ID "
                                + requestId + ".",
                        DOCS + "/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits");
                yield new Answer(403, Map.of("Retry-After", String.valueOf(s.retryAfterSeconds())), body.toString());
            }
            case Trouble.Hang h -> throw new IllegalStateException("a hang has no answer");
            case Trouble.Drop d -> throw new IllegalStateException("a dropped connection has no answer");
        };
    }

    private Answer route(Matched m, Call call, Urls urls) {
        if (m.route() == Route.API_ROOT) {
            return Answer.json(200, apiRoot(urls));
        }
        if (m.route() == Route.RATE_LIMIT) {
            return Answer.json(200, rateLimit(call));
        }
        if (m.route() == Route.AUTHENTICATED_USER) {
            return Answer.json(200, myself(urls));
        }
        if (m.route() == Route.USER) {
            return Answer.json(200, user(m.params().get(0), urls));
        }
        Repo repo = repos.get(key(m.repo()));
        if (repo == null) {
            return notFound(DOCS + "/repos/repos#get-a-repository");
        }
        return switch (m.route()) {
            case REPOSITORY -> Answer.json(200, repository(repo, urls));
            case BRANCH -> branch(repo, m.params().get(2), urls);
            case GIT_REF -> gitRef(repo, m.params().get(2), urls, true);
            case GIT_REFS -> gitRef(repo, m.params().get(2), urls, false);
            case LIST_PULLS -> listPulls(repo, call, urls);
            case CREATE_PULL -> createPull(repo, call, urls);
            case GET_PULL ->
                withPull(
                        repo,
                        m,
                        "/pulls/pulls#get-a-pull-request",
                        p -> Answer.json(200, pullJson(repo, p, urls, true)));
            case UPDATE_PULL ->
                withPull(repo, m, "/pulls/pulls#update-a-pull-request", p -> updatePull(repo, p, call, urls));
            case REQUEST_REVIEWERS ->
                withPull(
                        repo,
                        m,
                        "/pulls/review-requests#request-reviewers-for-a-pull-request",
                        p -> requestReviewers(repo, p, call, urls));
            case LIST_LABELS ->
                withPull(
                        repo,
                        m,
                        "/issues/labels#list-labels-for-an-issue",
                        p -> page(call, urls, labelsJson(repo, p, urls)));
            case ADD_LABELS ->
                withPull(repo, m, "/issues/labels#add-labels-to-an-issue", p -> addLabels(repo, p, call, urls));
            case LIST_COMMENTS ->
                withPull(repo, m, "/issues/comments#list-issue-comments", p -> {
                    ArrayNode all = JSON.createArrayNode();
                    p.comments.forEach(c -> all.add(commentJson(repo, c, urls)));
                    return page(call, urls, all);
                });
            case CREATE_COMMENT ->
                withPull(repo, m, "/issues/comments#create-an-issue-comment", p -> comment(repo, p, call, urls));
            default -> notFound(DOCS);
        };
    }

    private interface PullAction {
        Answer apply(Pull p);
    }

    private Answer withPull(Repo repo, Matched m, String docs, PullAction action) {
        return pull(repo, m.number()).map(action::apply).orElseGet(() -> notFound(DOCS + docs));
    }

    // ---- endpoints ----

    private ObjectNode apiRoot(Urls urls) {
        ObjectNode root = JSON.createObjectNode();
        root.put("current_user_url", urls.api() + "/user");
        root.put("emojis_url", urls.api() + "/emojis");
        root.put("organization_url", urls.api() + "/orgs/{org}");
        root.put("rate_limit_url", urls.api() + "/rate_limit");
        root.put("repository_url", urls.api() + "/repos/{owner}/{repo}");
        root.put("user_url", urls.api() + "/users/{user}");
        return root;
    }

    private ObjectNode rateLimit(Call call) {
        boolean authenticated = call.token().map(token::equals).orElse(false);
        int limit = authenticated ? RATE_LIMIT : ANONYMOUS_RATE_LIMIT;
        int spent = authenticated ? used : anonymousUsed;
        ObjectNode body = JSON.createObjectNode();
        ObjectNode resources = body.putObject("resources");
        resources.set("core", rateRecord(limit, spent, "core"));
        resources.set("search", rateRecord(authenticated ? 30 : 10, 0, "search"));
        resources.set("graphql", rateRecord(authenticated ? 5000 : 0, 0, "graphql"));
        resources.set("integration_manifest", rateRecord(5000, 0, "integration_manifest"));
        resources.set("code_search", rateRecord(authenticated ? 10 : 0, 0, "code_search"));
        body.set("rate", rateRecord(limit, spent, "core"));
        return body;
    }

    private ObjectNode rateRecord(int limit, int spent, String resource) {
        ObjectNode r = JSON.createObjectNode();
        r.put("limit", limit);
        r.put("used", Math.min(limit, spent));
        r.put("remaining", Math.max(0, limit - spent));
        r.put("reset", windowReset.getEpochSecond());
        r.put("resource", resource);
        return r;
    }

    private ObjectNode myself(Urls urls) {
        ObjectNode me = user(login, urls);
        me.put("name", "de-agent");
        me.putNull("company");
        me.put("blog", "");
        me.putNull("location");
        me.putNull("email");
        me.putNull("hireable");
        me.putNull("bio");
        me.putNull("twitter_username");
        me.put("public_repos", 0);
        me.put("public_gists", 0);
        me.put("followers", 0);
        me.put("following", 0);
        me.put("created_at", timestamp(Instant.parse("2024-01-02T03:04:05Z")));
        me.put("updated_at", timestamp(Instant.parse("2024-01-02T03:04:05Z")));
        return me;
    }

    private ObjectNode user(String name, Urls urls) {
        long id = userId(name);
        ObjectNode u = JSON.createObjectNode();
        u.put("login", name);
        u.put("id", id);
        u.put(
                "node_id",
                "U_kgDO"
                        + Base64.getEncoder()
                                .withoutPadding()
                                .encodeToString(String.valueOf(id).getBytes(StandardCharsets.US_ASCII)));
        u.put("avatar_url", urls.web() + "/avatars/u/" + id);
        u.put("gravatar_id", "");
        u.put("url", urls.api() + "/users/" + name);
        u.put("html_url", urls.web() + "/" + name);
        u.put(
                "type",
                repos.values().stream().anyMatch(r -> r.owner.equals(name) && !name.equals(login))
                        ? "Organization"
                        : "User");
        u.put("site_admin", false);
        return u;
    }

    private ObjectNode repository(Repo r, Urls urls) {
        String api = urls.repo(r);
        String web = urls.web() + "/" + r.fullName();
        ObjectNode o = JSON.createObjectNode();
        o.put("id", r.id);
        o.put("node_id", "R_kgDO" + r.id);
        o.put("name", r.name);
        o.put("full_name", r.fullName());
        o.put("private", true);
        o.set("owner", user(r.owner, urls));
        o.put("html_url", web);
        o.putNull("description");
        o.put("fork", false);
        o.put("url", api);
        o.put("branches_url", api + "/branches{/branch}");
        o.put("git_refs_url", api + "/git/refs{/sha}");
        o.put("issues_url", api + "/issues{/number}");
        o.put("issue_comment_url", api + "/issues/comments{/number}");
        o.put("labels_url", api + "/labels{/name}");
        o.put("pulls_url", api + "/pulls{/number}");
        o.put("created_at", timestamp(r.createdAt));
        o.put("updated_at", timestamp(r.createdAt));
        o.put("pushed_at", timestamp(r.createdAt));
        o.put("git_url", web.replaceFirst("^http", "git") + ".git");
        o.put("ssh_url", "git@" + URI.create(urls.web()).getHost() + ":" + r.fullName() + ".git");
        o.put("clone_url", r.cloneUrl.map(URI::toString).orElse(web + ".git"));
        o.put("visibility", "private");
        o.put("archived", false);
        o.put("disabled", false);
        o.put("has_issues", true);
        o.put(
                "open_issues_count",
                r.pulls.values().stream().filter(p -> p.state.equals("open")).count());
        o.put("default_branch", r.defaultBranch);
        o.put("allow_merge_commit", true);
        o.put("allow_squash_merge", true);
        o.put("allow_rebase_merge", true);
        o.put("delete_branch_on_merge", false);
        ObjectNode permissions = o.putObject("permissions");
        permissions.put("admin", false);
        permissions.put("maintain", false);
        permissions.put("push", true);
        permissions.put("triage", true);
        permissions.put("pull", true);
        return o;
    }

    private Answer branch(Repo r, String name, Urls urls) {
        Optional<String> sha = r.sha(name);
        if (sha.isEmpty()) {
            return error(404, "Branch not found", DOCS + "/branches/branches#get-a-branch");
        }
        ObjectNode b = JSON.createObjectNode();
        b.put("name", name);
        ObjectNode commit = b.putObject("commit");
        commit.put("sha", sha.get());
        commit.put("url", urls.repo(r) + "/commits/" + sha.get());
        ObjectNode links = b.putObject("_links");
        links.put("self", urls.repo(r) + "/branches/" + name);
        links.put("html", urls.web() + "/" + r.fullName() + "/tree/" + name);
        b.put("protected", name.equals(r.defaultBranch));
        return Answer.json(200, b);
    }

    private Answer gitRef(Repo r, String ref, Urls urls, boolean exact) {
        String docs = DOCS + "/git/refs#get-a-reference";
        String wanted = ref.startsWith("refs/") ? ref.substring(5) : ref;
        if (!wanted.startsWith("heads/")) {
            return notFound(docs);
        }
        Optional<String> sha = r.sha(wanted.substring("heads/".length()));
        if (sha.isPresent()) {
            return Answer.json(200, refJson(r, wanted.substring("heads/".length()), sha.get(), urls));
        }
        if (exact) {
            return notFound(docs);
        }
        // GET …/git/refs/{prefix} answers the array of references that the prefix names, GitHub's older behaviour
        ArrayNode matching = JSON.createArrayNode();
        r.branches.forEach((name, s) -> {
            if (("heads/" + name).startsWith(wanted + "/")) {
                matching.add(refJson(r, name, s, urls));
            }
        });
        return matching.isEmpty() ? notFound(docs) : Answer.json(200, matching);
    }

    private ObjectNode refJson(Repo r, String branch, String sha, Urls urls) {
        ObjectNode o = JSON.createObjectNode();
        o.put("ref", "refs/heads/" + branch);
        o.put("node_id", "REF_kwDO" + r.id);
        o.put("url", urls.repo(r) + "/git/refs/heads/" + branch);
        ObjectNode object = o.putObject("object");
        object.put("sha", sha);
        object.put("type", "commit");
        object.put("url", urls.repo(r) + "/git/commits/" + sha);
        return o;
    }

    private Answer listPulls(Repo r, Call call, Urls urls) {
        Map<String, String> q = queryParams(call.query());
        String state = q.getOrDefault("state", "open");
        if (!Set.of("open", "closed", "all").contains(state)) {
            return validationFailed(DOCS + "/pulls/pulls#list-pull-requests", invalidField("PullRequest", "state"));
        }
        // a head without "owner:" is not a filter GitHub applies: it answers as if there were none
        Optional<String> head = Optional.ofNullable(q.get("head")).filter(h -> h.contains(":"));
        Optional<String> base = Optional.ofNullable(q.get("base"));
        Comparator<Pull> order = Comparator.comparing((Pull p) -> p.createdAt).thenComparingInt(p -> p.number);
        if ("updated".equals(q.get("sort"))) {
            order = Comparator.comparing((Pull p) -> p.updatedAt).thenComparingInt(p -> p.number);
        }
        boolean ascending = "asc".equals(q.get("direction"));
        ArrayNode all = JSON.createArrayNode();
        r.pulls.values().stream()
                .filter(p -> state.equals("all") || p.state.equals(state))
                .filter(p -> head.map(h -> h.equals(r.owner + ":" + p.head)).orElse(true))
                .filter(p -> base.map(b -> b.equals(p.base)).orElse(true))
                .sorted(ascending ? order : order.reversed())
                .forEach(p -> all.add(pullJson(r, p, urls, false)));
        return page(call, urls, all);
    }

    private Answer createPull(Repo r, Call call, Urls urls) {
        Optional<JsonNode> parsed = parse(call.body()).filter(JsonNode::isObject);
        if (parsed.isEmpty()) {
            return problemsParsingJson();
        }
        JsonNode in = parsed.get();
        for (String required : List.of("head", "base")) {
            if (!in.path(required).isTextual() || in.path(required).asText().isBlank()) {
                return invalidRequest("\"" + required + "\" wasn't supplied.", CREATE_PULL_DOCS);
            }
        }
        if (!in.path("title").isTextual() || in.path("title").asText().isBlank()) {
            return validationFailed(CREATE_PULL_DOCS, missingField("PullRequest", "title"));
        }
        String base = in.path("base").asText();
        String headSpec = in.path("head").asText();
        String headOwner = headSpec.contains(":") ? headSpec.substring(0, headSpec.indexOf(':')) : r.owner;
        String head = headSpec.contains(":") ? headSpec.substring(headSpec.indexOf(':') + 1) : headSpec;
        Optional<String> baseSha = r.sha(base);
        if (baseSha.isEmpty()) {
            return validationFailed(CREATE_PULL_DOCS, invalidField("PullRequest", "base"));
        }
        // forks are not modelled: a head in another owner's repository is one GitHub cannot find here
        Optional<String> headSha = headOwner.equals(r.owner) ? r.sha(head) : Optional.empty();
        if (headSha.isEmpty()) {
            return validationFailed(CREATE_PULL_DOCS, invalidField("PullRequest", "head"));
        }
        if (head.equals(base) || headSha.get().equals(baseSha.get())) {
            return validationFailed(
                    CREATE_PULL_DOCS, custom("PullRequest", "No commits between " + base + " and " + head));
        }
        if (openDuplicate(r, head, base, -1)) {
            return validationFailed(
                    CREATE_PULL_DOCS,
                    custom("PullRequest", "A pull request already exists for " + r.owner + ":" + head + "."));
        }
        Pull p = new Pull(
                r.nextNumber++,
                nextId++,
                head,
                headSha.get(),
                login,
                in.path("maintainer_can_modify").asBoolean(false),
                now());
        p.title = in.path("title").asText();
        p.body = in.path("body").isTextual() ? in.path("body").asText() : null;
        p.base = base;
        p.draft = in.path("draft").asBoolean(false);
        r.pulls.put(p.number, p);
        Answer created = Answer.json(201, pullJson(r, p, urls, true));
        p.mergeabilityKnown = true;
        return new Answer(201, Map.of("Location", urls.repo(r) + "/pulls/" + p.number), created.body());
    }

    private boolean openDuplicate(Repo r, String head, String base, int except) {
        return r.pulls.values().stream()
                .anyMatch(p ->
                        p.number != except && p.state.equals("open") && p.head.equals(head) && p.base.equals(base));
    }

    private Answer updatePull(Repo r, Pull p, Call call, Urls urls) {
        String docs = DOCS + "/pulls/pulls#update-a-pull-request";
        Optional<JsonNode> parsed = parse(call.body()).filter(JsonNode::isObject);
        if (parsed.isEmpty()) {
            return problemsParsingJson();
        }
        JsonNode in = parsed.get();
        if (in.has("state")) {
            String state = in.path("state").asText();
            if (!state.equals("open") && !state.equals("closed")) {
                return validationFailed(docs, invalidField("PullRequest", "state"));
            }
            if (state.equals("open") && !p.state.equals("open")) {
                if (p.merged) {
                    return validationFailed(docs, custom("PullRequest", "Cannot reopen a merged pull request"));
                }
                if (openDuplicate(r, p.head, p.base, p.number)) {
                    return validationFailed(
                            docs,
                            custom("PullRequest", "A pull request already exists for " + r.owner + ":" + p.head + "."));
                }
            }
            p.state = state;
            p.closedAt = state.equals("closed") ? Optional.of(now()) : Optional.empty();
        }
        if (in.has("base")) {
            if (r.sha(in.path("base").asText()).isEmpty()) {
                return validationFailed(docs, invalidField("PullRequest", "base"));
            }
            p.base = in.path("base").asText();
        }
        if (in.path("title").isTextual()) {
            p.title = in.path("title").asText();
        }
        if (in.has("body")) {
            p.body = in.path("body").isTextual() ? in.path("body").asText() : null;
        }
        p.updatedAt = now();
        return Answer.json(200, pullJson(r, p, urls, true));
    }

    private Answer requestReviewers(Repo r, Pull p, Call call, Urls urls) {
        String docs = DOCS + "/pulls/review-requests#request-reviewers-for-a-pull-request";
        Optional<JsonNode> parsed = parse(call.body()).filter(JsonNode::isObject);
        if (parsed.isEmpty()) {
            return problemsParsingJson();
        }
        List<String> reviewers = strings(parsed.get().path("reviewers"));
        List<String> teams = strings(parsed.get().path("team_reviewers"));
        if (reviewers.isEmpty() && teams.isEmpty()) {
            return invalidRequest("No subschema in \"anyOf\" matched.", docs);
        }
        if (reviewers.contains(p.author)) {
            return error(422, "Review cannot be requested from pull request author.", docs);
        }
        if (!r.collaborators.containsAll(reviewers)) {
            return error(
                    422,
                    "Reviews may only be requested from collaborators. One or more of the users or teams you specified"
                            + " is not a collaborator of the " + r.fullName() + " repository.",
                    docs);
        }
        reviewers.stream().filter(x -> !p.reviewers.contains(x)).forEach(p.reviewers::add);
        teams.stream().filter(x -> !p.teams.contains(x)).forEach(p.teams::add);
        p.updatedAt = now();
        return Answer.json(201, pullJson(r, p, urls, false));
    }

    private Answer addLabels(Repo r, Pull p, Call call, Urls urls) {
        String docs = DOCS + "/issues/labels#add-labels-to-an-issue";
        Optional<JsonNode> parsed = parse(call.body());
        if (parsed.isEmpty()) {
            return problemsParsingJson();
        }
        JsonNode in = parsed.get();
        JsonNode list = in.isArray() ? in : in.path("labels");
        if (!list.isArray() || list.isEmpty()) {
            return invalidRequest("\"labels\" wasn't supplied.", docs);
        }
        List<String> names = new ArrayList<>();
        for (JsonNode l : list) {
            String name = l.isTextual() ? l.asText() : l.path("name").asText("");
            if (name.isBlank()) {
                return validationFailed(docs, invalidField("Label", "name"));
            }
            names.add(name);
        }
        for (String name : names) {
            r.labelIds.computeIfAbsent(name, n -> nextId++);
            if (!p.labels.contains(name)) {
                p.labels.add(name);
            }
        }
        p.updatedAt = now();
        return Answer.json(200, labelsJson(r, p, urls));
    }

    private Answer comment(Repo r, Pull p, Call call, Urls urls) {
        String docs = DOCS + "/issues/comments#create-an-issue-comment";
        Optional<JsonNode> parsed = parse(call.body()).filter(JsonNode::isObject);
        if (parsed.isEmpty()) {
            return problemsParsingJson();
        }
        JsonNode body = parsed.get().path("body");
        if (!body.isTextual()) {
            return invalidRequest("\"body\" wasn't supplied.", docs);
        }
        if (body.asText().isBlank()) {
            return validationFailed(docs, missingField("IssueComment", "body"));
        }
        Comment c = new Comment(nextId++, p.number, login, body.asText(), now());
        p.comments.add(c);
        p.updatedAt = now();
        ObjectNode json = commentJson(r, c, urls);
        return new Answer(201, Map.of("Location", json.path("url").asText()), json.toString());
    }

    // ---- shapes ----

    private ObjectNode pullJson(Repo r, Pull p, Urls urls, boolean full) {
        String api = urls.repo(r);
        String self = api + "/pulls/" + p.number;
        String issue = api + "/issues/" + p.number;
        String html = urls.web() + "/" + r.fullName() + "/pull/" + p.number;
        ObjectNode o = JSON.createObjectNode();
        o.put("url", self);
        o.put("id", p.id);
        o.put("node_id", "PR_kwDO" + p.id);
        o.put("html_url", html);
        o.put("diff_url", html + ".diff");
        o.put("patch_url", html + ".patch");
        o.put("issue_url", issue);
        o.put("number", p.number);
        o.put("state", p.state);
        o.put("locked", false);
        o.put("title", p.title);
        o.set("user", user(p.author, urls));
        if (p.body == null) {
            o.putNull("body");
        } else {
            o.put("body", p.body);
        }
        o.put("created_at", timestamp(p.createdAt));
        o.put("updated_at", timestamp(p.updatedAt));
        putInstant(o, "closed_at", p.closedAt);
        putInstant(o, "merged_at", p.merged ? p.closedAt : Optional.empty());
        if (p.merged) {
            o.put("merge_commit_sha", madeUpSha(r.fullName() + "#" + p.number));
        } else {
            o.putNull("merge_commit_sha");
        }
        o.putNull("assignee");
        o.putArray("assignees");
        ArrayNode reviewers = o.putArray("requested_reviewers");
        p.reviewers.forEach(x -> reviewers.add(user(x, urls)));
        ArrayNode teams = o.putArray("requested_teams");
        for (String slug : p.teams) {
            ObjectNode t = teams.addObject();
            t.put("name", slug);
            t.put("slug", slug);
            t.put("url", urls.api() + "/orgs/" + r.owner + "/teams/" + slug);
        }
        o.set("labels", labelsJson(r, p, urls));
        o.putNull("milestone");
        o.put("draft", p.draft);
        o.put("commits_url", self + "/commits");
        o.put("review_comments_url", self + "/comments");
        o.put("review_comment_url", api + "/pulls/comments{/number}");
        o.put("comments_url", issue + "/comments");
        o.put("statuses_url", api + "/statuses/" + p.headSha);
        o.set("head", endJson(r, p.head, p.headSha, urls));
        o.set("base", endJson(r, p.base, r.sha(p.base).orElse(madeUpSha(p.base)), urls));
        ObjectNode links = o.putObject("_links");
        links.putObject("self").put("href", self);
        links.putObject("html").put("href", html);
        links.putObject("issue").put("href", issue);
        links.putObject("comments").put("href", issue + "/comments");
        links.putObject("review_comments").put("href", self + "/comments");
        links.putObject("commits").put("href", self + "/commits");
        links.putObject("statuses").put("href", api + "/statuses/" + p.headSha);
        o.put("author_association", r.owner.equals(p.author) ? "OWNER" : "COLLABORATOR");
        o.putNull("auto_merge");
        o.putNull("active_lock_reason");
        if (full) {
            o.put("merged", p.merged);
            // GitHub works mergeability out in the background: null and "unknown" in the answer to the creation
            if (p.mergeabilityKnown && p.state.equals("open")) {
                o.put("mergeable", true);
                o.put("rebaseable", true);
                o.put("mergeable_state", "clean");
            } else {
                o.putNull("mergeable");
                o.putNull("rebaseable");
                o.put("mergeable_state", "unknown");
            }
            o.putNull("merged_by");
            o.put("comments", p.comments.size());
            o.put("review_comments", 0);
            o.put("maintainer_can_modify", p.maintainerCanModify);
            o.put("commits", 1);
            o.put("additions", 1);
            o.put("deletions", 1);
            o.put("changed_files", 1);
        }
        return o;
    }

    private ObjectNode endJson(Repo r, String ref, String sha, Urls urls) {
        ObjectNode end = JSON.createObjectNode();
        end.put("label", r.owner + ":" + ref);
        end.put("ref", ref);
        end.put("sha", sha);
        end.set("user", user(r.owner, urls));
        end.set("repo", repository(r, urls));
        return end;
    }

    private ArrayNode labelsJson(Repo r, Pull p, Urls urls) {
        ArrayNode labels = JSON.createArrayNode();
        for (String name : p.labels) {
            long id = r.labelIds.get(name);
            ObjectNode l = labels.addObject();
            l.put("id", id);
            l.put("node_id", "LA_kwDO" + id);
            l.put(
                    "url",
                    urls.repo(r) + "/labels/"
                            + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20"));
            l.put("name", name);
            l.put("color", "ededed");
            l.put("default", false);
            l.putNull("description");
        }
        return labels;
    }

    private ObjectNode commentJson(Repo r, Comment c, Urls urls) {
        ObjectNode o = JSON.createObjectNode();
        o.put("url", urls.repo(r) + "/issues/comments/" + c.id());
        o.put("html_url", urls.web() + "/" + r.fullName() + "/pull/" + c.issueNumber() + "#issuecomment-" + c.id());
        o.put("issue_url", urls.repo(r) + "/issues/" + c.issueNumber());
        o.put("id", c.id());
        o.put("node_id", "IC_kwDO" + c.id());
        o.set("user", user(c.author(), urls));
        o.put("created_at", timestamp(c.createdAt()));
        o.put("updated_at", timestamp(c.createdAt()));
        o.put("author_association", r.owner.equals(c.author()) ? "OWNER" : "COLLABORATOR");
        o.put("body", c.body());
        o.putNull("performed_via_github_app");
        return o;
    }

    /** One page of a list, with GitHub's {@code Link} header when there are more. */
    private static Answer page(Call call, Urls urls, ArrayNode all) {
        Map<String, String> q = queryParams(call.query());
        int perPage = clamp(parseInt(q.get("per_page"), DEFAULT_PER_PAGE), 1, MAX_PER_PAGE);
        int page = Math.max(1, parseInt(q.get("page"), 1));
        int last = Math.max(1, (all.size() + perPage - 1) / perPage);
        ArrayNode slice = JSON.createArrayNode();
        for (int i = (page - 1) * perPage; i < Math.min(all.size(), page * perPage); i++) {
            slice.add(all.get(i));
        }
        List<String> links = new ArrayList<>();
        if (page < last) {
            links.add("<" + pageUrl(call, urls, q, page + 1) + ">; rel=\"next\"");
            links.add("<" + pageUrl(call, urls, q, last) + ">; rel=\"last\"");
        }
        if (page > 1) {
            links.add("<" + pageUrl(call, urls, q, 1) + ">; rel=\"first\"");
            links.add("<" + pageUrl(call, urls, q, Math.min(page - 1, last)) + ">; rel=\"prev\"");
        }
        Map<String, String> headers = links.isEmpty() ? Map.of() : Map.of("Link", String.join(", ", links));
        return new Answer(200, headers, slice.toString());
    }

    private static String pageUrl(Call call, Urls urls, Map<String, String> q, int page) {
        Map<String, String> params = new LinkedHashMap<>(q);
        params.put("page", String.valueOf(page));
        StringBuilder url = new StringBuilder(urls.api()).append(call.path()).append('?');
        params.forEach(
                (k, v) -> url.append(encode(k)).append('=').append(encode(v)).append('&'));
        return url.substring(0, url.length() - 1);
    }

    private static Answer error(int status, String message, String documentationUrl) {
        return Answer.json(status, errorBody(status, message, documentationUrl));
    }

    private static ObjectNode errorBody(int status, String message, String documentationUrl) {
        ObjectNode body = JSON.createObjectNode();
        body.put("message", message);
        body.put("documentation_url", documentationUrl);
        body.put("status", String.valueOf(status));
        return body;
    }

    private static Answer notFound(String documentationUrl) {
        return error(404, "Not Found", documentationUrl);
    }

    private static Answer problemsParsingJson() {
        return error(400, "Problems parsing JSON", DOCS);
    }

    /** A request that fails the endpoint's JSON schema: 422 "Invalid request.\n\n…". */
    private static Answer invalidRequest(String detail, String documentationUrl) {
        return error(422, "Invalid request.\n\n" + detail, documentationUrl);
    }

    /** 422 {@code {"message":"Validation Failed","errors":[…],"documentation_url","status":"422"}}. */
    private static Answer validationFailed(String documentationUrl, ObjectNode error) {
        ObjectNode body = JSON.createObjectNode();
        body.put("message", "Validation Failed");
        body.putArray("errors").add(error);
        body.put("documentation_url", documentationUrl);
        body.put("status", "422");
        return Answer.json(422, body);
    }

    private static ObjectNode invalidField(String resource, String field) {
        ObjectNode e = JSON.createObjectNode();
        e.put("resource", resource);
        e.put("field", field);
        e.put("code", "invalid");
        return e;
    }

    private static ObjectNode missingField(String resource, String field) {
        ObjectNode e = JSON.createObjectNode();
        e.put("resource", resource);
        e.put("code", "missing_field");
        e.put("field", field);
        return e;
    }

    private static ObjectNode custom(String resource, String message) {
        ObjectNode e = JSON.createObjectNode();
        e.put("resource", resource);
        e.put("code", "custom");
        e.put("message", message);
        return e;
    }

    // ---- helpers ----

    private PullRequest snapshot(Repo r, Pull p) {
        return new PullRequest(
                r.fullName(),
                p.number,
                p.title,
                p.body,
                p.head,
                r.owner + ":" + p.head,
                p.headSha,
                p.base,
                p.state,
                p.merged,
                p.draft,
                p.maintainerCanModify,
                p.author,
                List.copyOf(p.labels),
                List.copyOf(p.reviewers),
                List.copyOf(p.teams),
                webUrl() + "/" + r.fullName() + "/pull/" + p.number,
                p.createdAt);
    }

    private Repo repo(String fullName) {
        Repo r = repos.get(key(fullName));
        if (r == null) {
            throw new IllegalArgumentException("no repository " + fullName + " in the fake GitHub; add it first");
        }
        return r;
    }

    private static Optional<Pull> pull(Repo r, int number) {
        return Optional.ofNullable(r.pulls.get(number));
    }

    /** GitHub's owner and repository names are case-insensitive. */
    private static String key(String fullName) {
        return fullName.toLowerCase(Locale.ROOT);
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.SECONDS);
    }

    private static String timestamp(Instant at) {
        return DateTimeFormatter.ISO_INSTANT.format(at.truncatedTo(ChronoUnit.SECONDS));
    }

    private static void putInstant(ObjectNode o, String field, Optional<Instant> at) {
        if (at.isPresent()) {
            o.put(field, timestamp(at.get()));
        } else {
            o.putNull(field);
        }
    }

    private static long userId(String login) {
        return 1_000_000L + Math.floorMod(login.toLowerCase(Locale.ROOT).hashCode(), 90_000_000);
    }

    /** A stable 40-hex "commit SHA" for things that have no real commit behind them. */
    static String madeUpSha(String seed) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-1").digest(seed.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }

    private static Optional<String> tokenOf(String authorization) {
        String a = authorization.strip();
        int space = a.indexOf(' ');
        if (space < 0) {
            return Optional.empty();
        }
        String scheme = a.substring(0, space).toLowerCase(Locale.ROOT);
        String value = a.substring(space + 1).strip();
        return switch (scheme) {
            case "token", "bearer" -> Optional.of(value);
            case "basic" -> {
                try {
                    String pair = new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
                    int colon = pair.indexOf(':');
                    yield colon < 0 ? Optional.empty() : Optional.of(pair.substring(colon + 1));
                } catch (IllegalArgumentException e) {
                    yield Optional.empty();
                }
            }
            default -> Optional.empty();
        };
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array.isArray()) {
            array.forEach(n -> out.add(n.asText()));
        }
        return out;
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

    private static Map<String, String> queryParams(String query) {
        Map<String, String> params = new LinkedHashMap<>();
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.putIfAbsent(k, v);
        }
        return params;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static int parseInt(String s, int otherwise) {
        try {
            return s == null ? otherwise : Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    private static int clamp(int v, int min, int max) {
        return Math.max(min, Math.min(max, v));
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
