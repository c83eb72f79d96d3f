package io.deagent.sources.spark;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deagent.sources.SourceException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * GETs JSON from the History Server's REST API and maps every way that can fail, once, into a {@link
 * SourceException} whose message names the request ({@code GET <url>}) and what the server said. Redirects are
 * not followed: only the configured server is called, never where it points (a login page, another host).
 */
final class SparkHistoryClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_DETAIL = 200;

    private final SparkHistorySettings settings;
    private final HttpClient http;

    SparkHistoryClient(SparkHistorySettings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** What to say a request was: {@code GET <url>} (the base URL carries no credentials). */
    String describe(String pathAndQuery) {
        return "GET " + settings.api(pathAndQuery);
    }

    /** A body larger than the byte cap: the answer cannot be used whole, and JSON cut short cannot be parsed. */
    static final class TooLarge extends RuntimeException {
        TooLarge(String message) {
            super(message);
        }
    }

    /**
     * One GET, answered within {@code timeout} and {@code maxBytes}.
     *
     * @throws SourceException for an HTTP error, no answer, a connection failure or a body that is not JSON
     * @throws TooLarge when the body is larger than {@code maxBytes}
     */
    JsonNode get(String pathAndQuery, Duration timeout, long maxBytes) {
        String what = describe(pathAndQuery);
        if (timeout.isZero() || timeout.isNegative()) {
            throw new SourceException.TimedOut(what + ": no time left in the investigation's budget");
        }
        HttpRequest request = HttpRequest.newBuilder(settings.api(pathAndQuery))
                .timeout(timeout)
                .header("Accept", "application/json")
                .GET()
                .build();
        CompletableFuture<HttpResponse<Body>> call = http.sendAsync(request, info -> new CappedBody(maxBytes));
        HttpResponse<Body> response;
        try {
            // the request timeout covers the wait for headers; this one also covers a body that stalls
            response = call.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            call.cancel(true);
            throw new SourceException.TimedOut(what + ": no answer within " + seconds(timeout));
        } catch (InterruptedException e) {
            call.cancel(true);
            Thread.currentThread().interrupt();
            throw new SourceException.TimedOut(what + ": interrupted (the investigation's deadline passed)");
        } catch (ExecutionException e) {
            throw mapped(what, e.getCause(), timeout);
        }
        Body body = response.body();
        int status = response.statusCode();
        if (status != 200) {
            throw SourceException.forStatus(status, what, detail(body.text()), retryAfter(response.headers()));
        }
        if (body.truncated()) {
            throw new TooLarge(what + ": answer larger than the " + maxBytes + "-byte cap");
        }
        try {
            return JSON.readTree(body.bytes());
        } catch (JsonProcessingException e) {
            throw new SourceException.BadRequest(what + ": the answer is not JSON (" + detail(body.text()) + ")");
        } catch (IOException e) {
            throw new SourceException.Unavailable(what + ": could not read the answer (" + e.getMessage() + ")");
        }
    }

    private static SourceException mapped(String what, Throwable cause, Duration timeout) {
        if (cause instanceof HttpConnectTimeoutException) {
            return new SourceException.TimedOut(what + ": could not connect within " + seconds(timeout));
        }
        if (cause instanceof HttpTimeoutException) {
            return new SourceException.TimedOut(what + ": no answer within " + seconds(timeout));
        }
        if (cause instanceof ConnectException) {
            return new SourceException.Unavailable(what + ": connection refused");
        }
        String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return new SourceException.Unavailable(what + ": " + message);
    }

    /** Spark answers errors with short plain text; a proxy may answer with HTML: keep a readable line of it. */
    static String detail(String body) {
        String text = body.replaceAll("(?s)<(script|style)[^>]*>.*?</\\1>", " ")
                .replaceAll("<[^>]+>", " ")
                .replaceAll("\\s+", " ")
                .strip();
        return text.length() <= MAX_DETAIL ? text : text.substring(0, MAX_DETAIL) + "…";
    }

    private static Optional<Duration> retryAfter(HttpHeaders headers) {
        return headers.firstValue("Retry-After").flatMap(v -> {
            try {
                return Optional.of(Duration.ofSeconds(Long.parseLong(v.strip())));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
    }

    static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms < 10_000 ? String.format(Locale.ROOT, "%.1f s", ms / 1000.0) : (ms / 1000) + " s";
    }

    /** A response body, and whether it was cut at the byte cap. */
    record Body(byte[] bytes, boolean truncated) {
        String text() {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    /** Collects at most {@code max} bytes, then cancels the rest of the body instead of buffering it. */
    private static final class CappedBody implements HttpResponse.BodySubscriber<Body> {
        private final long max;
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private final CompletableFuture<Body> result = new CompletableFuture<>();
        private Flow.Subscription subscription;

        CappedBody(long max) {
            this.max = max;
        }

        @Override
        public CompletionStage<Body> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(1);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            for (ByteBuffer b : items) {
                int room = (int) Math.min(Integer.MAX_VALUE, max - buffer.size());
                if (b.remaining() > room) {
                    byte[] part = new byte[room];
                    b.get(part);
                    buffer.write(part, 0, part.length);
                    subscription.cancel();
                    result.complete(new Body(buffer.toByteArray(), true));
                    return;
                }
                byte[] all = new byte[b.remaining()];
                b.get(all);
                buffer.write(all, 0, all.length);
            }
            subscription.request(1);
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            result.complete(new Body(buffer.toByteArray(), false));
        }
    }
}
