package io.deagent.sources.airflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deagent.core.investigate.Budget;
import io.deagent.sources.SourceException;
import io.deagent.sources.airflow.AirflowSettings.Anonymous;
import io.deagent.sources.airflow.AirflowSettings.Credentials;
import io.deagent.sources.airflow.AirflowSettings.Password;
import io.deagent.sources.airflow.AirflowSettings.Token;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * HTTP straight to the Airflow webserver with the JDK client. Authenticates with basic auth (v1), a JWT from
 * {@code POST /auth/token} (v2 with a username and password; cached, renewed once on a 401), a static bearer
 * token, or nothing. Every call is bounded by the budget: the whole exchange, body included, must finish in time.
 */
final class DirectTransport implements AirflowTransport {

    /** A JSON answer is parsed whole; past this it is refused rather than risk the heap. */
    static final long JSON_LIMIT = 64L * 1024 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final Credentials credentials;
    private final HttpClient http;
    private final AtomicReference<String> jwt = new AtomicReference<>();
    private final ReentrantLock login = new ReentrantLock();

    DirectTransport(URI base, Credentials credentials) {
        this.base = base;
        this.credentials = credentials;
        this.http = HttpClient.newBuilder()
                // HTTP/1.1: no h2c upgrade dance with plain-http webservers and proxies
                .version(HttpClient.Version.HTTP_1_1)
                // a redirect here is a login page or a wrong base URL: report it, do not follow it
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public Detected detect(Budget budget) {
        // Airflow 3 serves /api/v2/version (public); Airflow 2 answers it 404 and serves /api/v1/version
        Exchange v2 = exchange(versionRequest(ApiVersion.V2), budget, JSON_LIMIT);
        Optional<String> release = releaseOf(v2);
        if (release.isPresent()) {
            return new Detected(ApiVersion.V2, release);
        }
        if (v2.status() >= 500 || v2.status() == 429 || v2.status() == 408) {
            throw failure(v2); // the server is struggling: worth another try, not a conclusion
        }
        Exchange v1 = exchange(versionRequest(ApiVersion.V1), budget, JSON_LIMIT);
        release = releaseOf(v1);
        if (release.isPresent()) {
            return new Detected(ApiVersion.V1, release);
        }
        // when v1 is simply absent, the v2 answer (e.g. a 401 from a proxy in front) says more
        boolean v2SaysMore = v1.status() == 404 && v2.status() != 404 && !is2xx(v2.status());
        throw failure(v2SaysMore ? v2 : v1);
    }

    @Override
    public Optional<String> release(ApiVersion version, Budget budget) {
        Exchange e = exchange(versionRequest(version), budget, JSON_LIMIT);
        if (!is2xx(e.status())) {
            throw failure(e);
        }
        return releaseOf(e);
    }

    @Override
    public ApiReply send(ApiVersion version, ApiCall call, Budget budget, long textCap) {
        Optional<String> auth = authorization(version, budget);
        Exchange e = exchange(request(version, call, auth), budget, textCap);
        if (e.status() == 401 && usesJwt(version)) {
            // JWTs expire: get a fresh one once, then give the server's verdict
            // (by value: compareAndSet would compare references, and this string is a copy)
            String refused = auth.map(a -> a.substring("Bearer ".length())).orElse("");
            jwt.updateAndGet(current -> refused.equals(current) ? null : current);
            e = exchange(request(version, call, authorization(version, budget)), budget, textCap);
        }
        if (!is2xx(e.status())) {
            throw failure(e);
        }
        return new ApiReply(
                e.contentType(),
                e.text(),
                e.body().total(),
                e.body().truncated(),
                e.header("Airflow-Continuation-Token"));
    }

    @Override
    public String describe(ApiVersion version, ApiCall call) {
        String query = UrlEncoding.query(call.printableQuery());
        return call.method() + " " + base + version.prefix() + UrlEncoding.path(call.segments(), false)
                + (query.isEmpty() ? "" : "?" + query);
    }

    @Override
    public String target() {
        return base.toString();
    }

    @Override
    public String identity() {
        return switch (credentials) {
            case Password p -> p.username() + " (basic auth on v1, a JWT from /auth/token on v2)";
            case Token t -> "a static bearer token (AIRFLOW_TOKEN)";
            case Anonymous a -> "nobody (no credentials configured)";
        };
    }

    @Override
    public boolean viaMwaa() {
        return false;
    }

    @Override
    public void close() {
        http.close();
    }

    // ---- auth ----

    private boolean usesJwt(ApiVersion version) {
        return version == ApiVersion.V2 && credentials instanceof Password;
    }

    private Optional<String> authorization(ApiVersion version, Budget budget) {
        if (usesJwt(version)) {
            return Optional.of("Bearer " + jwt((Password) credentials, budget));
        }
        return staticAuthorization();
    }

    /** The header that needs no sign-in: basic auth, the static token, or none. */
    private Optional<String> staticAuthorization() {
        return switch (credentials) {
            case Token t -> Optional.of("Bearer " + t.token());
            case Anonymous a -> Optional.empty();
            case Password p ->
                Optional.of("Basic "
                        + Base64.getEncoder()
                                .encodeToString((p.username() + ":" + p.password()).getBytes(StandardCharsets.UTF_8)));
        };
    }

    private String jwt(Password p, Budget budget) {
        String cached = jwt.get();
        if (cached != null) {
            return cached;
        }
        login.lock();
        try {
            // another thread may have signed in while this one waited
            cached = jwt.get();
            if (cached != null) {
                return cached;
            }
            String fresh = signIn(p, budget);
            jwt.set(fresh);
            return fresh;
        } finally {
            login.unlock();
        }
    }

    /** {@code POST /auth/token {"username","password"}} → {@code {"access_token"}} (Airflow 3 auth managers). */
    private String signIn(Password p, Budget budget) {
        URI uri = URI.create(base + "/auth/token");
        String body = JSON.createObjectNode()
                .put("username", p.username())
                .put("password", p.password())
                .toString();
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        Exchange e = exchange(new Outgoing(request, "POST " + uri), budget, JSON_LIMIT);
        if (!is2xx(e.status())) {
            throw failure(e);
        }
        try {
            JsonNode token = JSON.readTree(e.text()).get("access_token");
            if (token == null || !token.isTextual() || token.asText().isBlank()) {
                throw new SourceException.BadRequest("POST " + uri + ": HTTP " + e.status() + " no access_token");
            }
            return token.asText();
        } catch (IOException notJson) {
            throw new SourceException.BadRequest("POST " + uri + ": HTTP " + e.status() + " answer is not JSON");
        }
    }

    // ---- requests ----

    /** A request and how to name it in messages. */
    private record Outgoing(HttpRequest.Builder builder, String what) {}

    private Outgoing versionRequest(ApiVersion version) {
        ApiCall call = ApiCall.get(java.util.Map.of(), "version");
        // the version endpoint is public; a JWT is not worth a sign-in just to ask it
        Optional<String> auth = usesJwt(version) ? Optional.empty() : staticAuthorization();
        return request(version, call, auth);
    }

    private Outgoing request(ApiVersion version, ApiCall call, Optional<String> auth) {
        String query = UrlEncoding.query(call.query());
        URI uri = URI.create(base
                + version.prefix()
                + UrlEncoding.path(call.segments(), false)
                + (query.isEmpty() ? "" : "?" + query));
        HttpRequest.Builder builder =
                HttpRequest.newBuilder(uri).method(call.method(), HttpRequest.BodyPublishers.noBody());
        builder.header("Accept", call.accept().mediaType);
        auth.ifPresent(a -> builder.header("Authorization", a));
        return new Outgoing(builder, describe(version, call));
    }

    // ---- the exchange ----

    /** A response with its body read (the tail, for text beyond the cap). */
    private record Exchange(String what, HttpResponse<TailBuffer> response, Clock clock) {
        int status() {
            return response.statusCode();
        }

        TailBuffer body() {
            return response.body();
        }

        String text() {
            return response.body().text();
        }

        String contentType() {
            return header("Content-Type").orElse("");
        }

        Optional<String> header(String name) {
            return response.headers().firstValue(name);
        }
    }

    private Exchange exchange(Outgoing out, Budget budget, long textCap) {
        Duration timeout = CallTimeout.of(budget, out.what());
        HttpRequest request = out.builder().timeout(timeout).build();
        CompletableFuture<HttpResponse<TailBuffer>> pending = http.sendAsync(request, info -> {
            boolean json =
                    ApiReply.isJson(info.headers().firstValue("Content-Type").orElse(""));
            // an error body or a JSON answer is read whole (bounded); a text log keeps its tail
            long cap = json || !is2xx(info.statusCode()) ? JSON_LIMIT : textCap;
            TailSubscriber body = new TailSubscriber(new TailBuffer(cap));
            return HttpResponse.BodySubscribers.fromSubscriber(body, TailSubscriber::buffer);
        });
        try {
            HttpResponse<TailBuffer> response = pending.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            Exchange e = new Exchange(out.what(), response, budget.clock());
            if (ApiReply.isJson(e.contentType()) && e.body().truncated()) {
                throw new SourceException.BadRequest(
                        out.what() + ": HTTP " + e.status() + " answer larger than " + (JSON_LIMIT >> 20) + " MiB");
            }
            return e;
        } catch (TimeoutException e) {
            pending.cancel(true);
            throw new SourceException.TimedOut(out.what() + ": no answer within " + CallTimeout.seconds(timeout));
        } catch (InterruptedException e) {
            pending.cancel(true);
            Thread.currentThread().interrupt();
            throw new SourceException.TimedOut(out.what() + ": interrupted");
        } catch (ExecutionException e) {
            throw ioFailure(out.what(), e.getCause(), timeout);
        }
    }

    private static SourceException ioFailure(String what, Throwable cause, Duration timeout) {
        return switch (cause) {
            case HttpConnectTimeoutException t ->
                new SourceException.TimedOut(what + ": cannot connect within " + CallTimeout.seconds(timeout));
            case HttpTimeoutException t ->
                new SourceException.TimedOut(what + ": no answer within " + CallTimeout.seconds(timeout));
            case ConnectException c -> new SourceException.Unavailable(what + ": cannot connect (" + reason(c) + ")");
            case IOException io -> new SourceException.Unavailable(what + ": " + reason(io));
            case SourceException s -> s;
            default -> new SourceException.Unavailable(what + ": " + reason(cause));
        };
    }

    private static String reason(Throwable t) {
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : " " + m);
    }

    private static SourceException failure(Exchange e) {
        if (is2xx(e.status())) {
            return new SourceException.BadRequest(e.what() + ": HTTP " + e.status()
                    + " but not an Airflow API answer; check AIRFLOW_BASE_URL (the webserver root)");
        }
        String detail = ErrorDetail.of(e.text());
        if (e.status() >= 300 && e.status() < 400) {
            detail = "redirected to " + e.header("Location").orElse("?")
                    + " (a login page? check the credentials and AIRFLOW_BASE_URL)";
        }
        return SourceException.forStatus(e.status(), e.what(), detail, retryAfter(e));
    }

    /** {@code Retry-After}: delay-seconds or an HTTP-date. */
    private static Optional<Duration> retryAfter(Exchange e) {
        Optional<String> value = e.header("Retry-After").map(String::strip);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(value.get()))));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(value.get(), DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration wait = Duration.between(e.clock().instant(), at.toInstant());
                return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
            } catch (DateTimeParseException notDate) {
                return Optional.empty();
            }
        }
    }

    private static Optional<String> releaseOf(Exchange e) {
        if (!is2xx(e.status()) || !ApiReply.isJson(e.contentType())) {
            return Optional.empty();
        }
        try {
            JsonNode version = JSON.readTree(e.text()).get("version");
            return version != null && version.isTextual() ? Optional.of(version.asText()) : Optional.empty();
        } catch (IOException notJson) {
            return Optional.empty();
        }
    }

    private static boolean is2xx(int status) {
        return status >= 200 && status < 300;
    }

    /** Feeds the body into a {@link TailBuffer} as it arrives: bounded memory whatever the log size. */
    private static final class TailSubscriber implements Flow.Subscriber<List<ByteBuffer>> {
        private final TailBuffer buffer;

        TailSubscriber(TailBuffer buffer) {
            this.buffer = buffer;
        }

        TailBuffer buffer() {
            return buffer;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            items.forEach(buffer::write);
        }

        @Override
        public void onError(Throwable throwable) {
            // the client completes the response future exceptionally; nothing to keep
        }

        @Override
        public void onComplete() {}
    }
}
