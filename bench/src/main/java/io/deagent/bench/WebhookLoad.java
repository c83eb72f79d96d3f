package io.deagent.bench;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Open-loop load generator for the Airflow webhook of {@code de-agent serve}, followed by an end-to-end check
 * that every acknowledged failure event became exactly one incident and that the queue drained.
 *
 * <p>Requests are sent on a fixed schedule ({@code 1/rate} apart) with {@link HttpClient#sendAsync}, so a slow
 * server does not slow the sender down, and each ack latency is measured from the request's <em>scheduled</em>
 * send time, not from when it actually left: a stalled server shows up as latency instead of as fewer requests
 * (no coordinated omission). A fraction of the requests re-send an earlier event, to another URL when several
 * are given, half of them one of the last few events (likely still in flight, which tests dedupe under a race),
 * half any earlier one (a late redelivery).
 *
 * <p>Afterwards it pages through {@code GET /api/incidents} until every acknowledged event has an incident in
 * status {@code done} or {@code failed}, or {@code --wait} runs out. It prints a report and, as its last line,
 * a one-line JSON summary; the exit code is 0 when no acknowledged event was lost and none was duplicated
 * (and at least one was acknowledged).
 *
 * <p>Only the JDK is used (HTTP client, HMAC, and a minimal JSON reader), so the harness does not depend on
 * the server's code. Run: {@code java -cp bench/target/benchmarks.jar io.deagent.bench.WebhookLoad --help}, or
 * {@code bench/load.sh}, which also starts a server.
 */
public final class WebhookLoad {

    static final String TIMESTAMP_HEADER = "X-DE-Agent-Timestamp";
    static final String SIGNATURE_HEADER = "X-DE-Agent-Signature";
    static final String SECRET_ENV = "DE_AGENT_WEBHOOK_SECRET";
    static final int PAGE_LIMIT = 500;
    static final long POLL_MS = 250;

    /** How many of the most recent events a "near" re-send picks from: close enough to race the original. */
    static final int NEAR_WINDOW = 10;

    /** The warm-up: up to this many rounds of this many concurrent GET /readyz, and at most 3 s. */
    static final int WARM_UP_ROUNDS = 150;

    static final int WARM_UP_BATCH = 20;

    static final String USAGE = """
            usage: WebhookLoad [options]
              --url URL          server base URL; repeat or comma-separate for several replicas, requests are
                                 spread round-robin (default http://127.0.0.1:3000)
              --secret S         webhook HMAC secret (default: env DE_AGENT_WEBHOOK_SECRET)
              --rate R           requests per second offered (default 100)
              --seconds N        duration of the load (default 60)
              --duplicates F     fraction of requests that re-send an earlier event (default 0.1)
              --wait N           seconds to wait after the load for every event to be done/failed (default 60)
              --timeout N        per-request timeout in seconds (default 10)
              --seed N           seed of the re-send choices (default 1)
            Exit code: 0 when no acknowledged event is lost or duplicated (and at least one was acknowledged),
            1 otherwise, 2 on bad usage.""";

    private final Options opt;
    private final HttpClient client;
    private final EventFactory events;

    WebhookLoad(Options opt) {
        this.opt = opt;
        // HTTP/1.1 explicitly: the default (HTTP/2) would send an h2c upgrade on every plain-http request.
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        this.events =
                new EventFactory(UUID.randomUUID().toString(), Instant.now().getEpochSecond());
    }

    public static void main(String[] args) throws Exception {
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            System.out.println(USAGE);
            return;
        }
        Options opt;
        try {
            opt = Options.parse(args, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("WebhookLoad: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        Map<String, Object> summary = new WebhookLoad(opt).run();
        System.out.println(Json.write(summary));
        System.exit(passed(summary) ? 0 : 1);
    }

    /**
     * Nothing lost, nothing duplicated, and at least one event acknowledged: a run in which every request was
     * refused (a wrong secret, say) checked nothing and must not pass.
     */
    static boolean passed(Map<String, Object> summary) {
        return ((Number) summary.get("lost")).intValue() == 0
                && ((Number) summary.get("duplicated")).intValue() == 0
                && ((Number) summary.get("acked")).intValue() > 0;
    }

    Map<String, Object> run() throws InterruptedException {
        Plan plan = Plan.of(opt);
        Map<String, Object> summary = new LinkedHashMap<>();
        LoadResult load = drive(plan);
        reportLoad(plan, load, summary);
        Verification verification = verify(plan, load);
        reportQueue(plan, verification, summary);
        return summary;
    }

    // ---- options and plan

    /** The command line, validated. */
    record Options(
            List<URI> urls,
            String secret,
            double rate,
            double seconds,
            double duplicates,
            double waitSeconds,
            double timeoutSeconds,
            long seed) {

        static Options parse(String[] args, Map<String, String> env) {
            List<URI> urls = new ArrayList<>();
            String secret = env.get(SECRET_ENV);
            double rate = 100, seconds = 60, duplicates = 0.1, wait = 60, timeout = 10;
            long seed = 1;
            for (int i = 0; i < args.length; i++) {
                String name = args[i];
                String value;
                int eq = name.indexOf('=');
                if (name.startsWith("--") && eq > 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                } else if (i + 1 < args.length) {
                    value = args[++i];
                } else {
                    throw new IllegalArgumentException(name + " needs a value");
                }
                switch (name) {
                    case "--url" -> {
                        for (String u : value.split(",")) {
                            if (!u.isBlank()) {
                                urls.add(baseUri(u.strip()));
                            }
                        }
                    }
                    case "--secret" -> secret = value;
                    case "--rate" -> rate = number(name, value, 1e-3, 1e6);
                    case "--seconds" -> seconds = number(name, value, 1e-3, 1e6);
                    case "--duplicates" -> duplicates = number(name, value, 0, 0.99);
                    case "--wait" -> wait = number(name, value, 0, 1e6);
                    case "--timeout" -> timeout = number(name, value, 1e-3, 3600);
                    case "--seed" -> seed = (long) number(name, value, Long.MIN_VALUE, Long.MAX_VALUE);
                    default -> throw new IllegalArgumentException("unknown option " + name);
                }
            }
            if (urls.isEmpty()) {
                urls.add(baseUri("http://127.0.0.1:3000"));
            }
            if (secret == null || secret.isEmpty()) {
                throw new IllegalArgumentException("no secret: pass --secret or set " + SECRET_ENV);
            }
            if (rate * seconds < 1) {
                throw new IllegalArgumentException("--rate x --seconds must be at least one request");
            }
            return new Options(List.copyOf(urls), secret, rate, seconds, duplicates, wait, timeout, seed);
        }

        private static URI baseUri(String url) {
            String u = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
            if (!u.startsWith("http://") && !u.startsWith("https://")) {
                throw new IllegalArgumentException("--url must start with http:// or https://: " + url);
            }
            return URI.create(u);
        }

        private static double number(String name, String value, double min, double max) {
            double d;
            try {
                d = Double.parseDouble(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " expects a number, got " + value);
            }
            if (!(d >= min && d <= max)) {
                throw new IllegalArgumentException(name + " must be between " + min + " and " + max);
            }
            return d;
        }

        int requests() {
            return (int) Math.max(1, Math.round(rate * seconds));
        }
    }

    /** One planned request: the unique event it carries, whether it re-sends it, and the URL it goes to. */
    record Planned(int unique, boolean resend, int url) {}

    /**
     * Every request, decided before the clock starts so that the sending loop does nothing but build and send.
     * Deterministic for a given seed.
     */
    record Plan(Planned[] requests, int uniqueCount, int resends) {

        static Plan of(Options opt) {
            int n = opt.requests();
            int urls = opt.urls().size();
            SplittableRandom random = new SplittableRandom(opt.seed());
            Planned[] requests = new Planned[n];
            int[] urlOfUnique = new int[n];
            int unique = 0;
            int resends = 0;
            for (int i = 0; i < n; i++) {
                if (unique > 0 && random.nextDouble() < opt.duplicates()) {
                    int earlier = random.nextBoolean()
                            ? unique - 1 - random.nextInt(Math.min(unique, NEAR_WINDOW))
                            : random.nextInt(unique);
                    // another replica than the original, so dedupe must hold across replicas, not per process
                    int url = urls == 1 ? 0 : (urlOfUnique[earlier] + 1 + random.nextInt(urls - 1)) % urls;
                    requests[i] = new Planned(earlier, true, url);
                    resends++;
                } else {
                    urlOfUnique[unique] = i % urls;
                    requests[i] = new Planned(unique++, false, i % urls);
                }
            }
            return new Plan(requests, unique, resends);
        }
    }

    // ---- the load

    /** What came back for one request. {@code status} is 0 when there was no HTTP answer ({@code error} says why). */
    record Outcome(int status, double latencyMs, long doneNanos, boolean duplicateAnswer, String error) {}

    /**
     * The outcomes (null when a request never completed) and the timing of the run. {@code sendLagMs} is how late
     * each request was handed to the client: when it grows, the harness (not the server) is the bottleneck.
     */
    record LoadResult(Outcome[] outcomes, int sent, long startNanos, long lastSendNanos, double[] sendLagMs) {}

    private LoadResult drive(Plan plan) throws InterruptedException {
        Planned[] requests = plan.requests();
        int n = requests.length;
        Outcome[] outcomes = new Outcome[n];
        CountDownLatch answered = new CountDownLatch(n);
        AtomicInteger completed = new AtomicInteger();
        Signer signer = new Signer(opt.secret());
        URI[] webhooks = opt.urls().stream()
                .map(u -> URI.create(u + "/webhooks/airflow"))
                .toArray(URI[]::new);
        double intervalNanos = 1e9 / opt.rate();
        System.err.printf(
                Locale.ROOT,
                "WebhookLoad: %d requests at %.1f/s over %.1f s to %s (%d unique events, %d re-sends)%n",
                n,
                opt.rate(),
                opt.seconds(),
                opt.urls(),
                plan.uniqueCount(),
                plan.resends());

        warmUp(signer);
        AtomicInteger sent = new AtomicInteger();
        ScheduledExecutorService progress = progressPrinter(n, sent, completed);
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
        double[] lagMs = new double[n];
        for (int i = 0; i < n; i++) {
            long due = start + Math.round(i * intervalNanos);
            // parkNanos may return early (spurious wake-ups), so loop until the due time
            for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                LockSupport.parkNanos(wait);
            }
            send(i, due, requests[i], webhooks, signer, outcomes, answered, completed);
            sent.set(i + 1);
            lagMs[i] = (System.nanoTime() - due) / 1e6;
        }
        long lastSend = System.nanoTime();
        // every request has a timeout, so this only gives up if the client itself misbehaves
        if (!answered.await(Math.round(opt.timeoutSeconds() * 1000) + 10_000, TimeUnit.MILLISECONDS)) {
            System.err.printf("WebhookLoad: %d requests never completed%n", answered.getCount());
        }
        progress.shutdownNow();
        return new LoadResult(outcomes, n, start, lastSend, lagMs);
    }

    /**
     * Warms the harness before the clock starts, so the first scheduled requests do not pay for its own start-up:
     * a cold JVM spends over a millisecond per send in the HTTP client for its first second or so, which at a high
     * rate would put the sender hundreds of milliseconds behind schedule. So it builds, signs and sends (as GET
     * /readyz, which creates nothing) a few thousand requests through the same code path, a few at a time to stay
     * gentle on the server. Also says early when a URL is down.
     */
    private void warmUp(Signer signer) throws InterruptedException {
        for (URI url : opt.urls()) {
            HttpRequest ready = HttpRequest.newBuilder(URI.create(url + "/readyz"))
                    .timeout(Duration.ofSeconds(10))
                    .GET()
                    .build();
            try {
                int status = client.send(ready, HttpResponse.BodyHandlers.discarding())
                        .statusCode();
                if (status != 200) {
                    System.err.printf("WebhookLoad: WARNING: GET %s answered %d%n", ready.uri(), status);
                }
            } catch (IOException e) {
                System.err.printf("WebhookLoad: WARNING: GET %s failed: %s%n", ready.uri(), errorName(e));
                return; // nothing to warm against
            }
        }
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        for (int round = 0; round < WARM_UP_ROUNDS && System.nanoTime() < until; round++) {
            List<CompletableFuture<HttpResponse<String>>> batch = new ArrayList<>();
            for (int k = 0; k < WARM_UP_BATCH; k++) {
                byte[] body = events.body(round * WARM_UP_BATCH + k);
                String timestamp = Long.toString(System.currentTimeMillis() / 1000);
                URI ready = URI.create(opt.urls().get(k % opt.urls().size()) + "/readyz");
                HttpRequest request = HttpRequest.newBuilder(ready)
                        .timeout(Duration.ofSeconds(5))
                        .header("Content-Type", "application/json")
                        .header(TIMESTAMP_HEADER, timestamp)
                        .header(SIGNATURE_HEADER, signer.sign(timestamp, body))
                        .GET()
                        .build();
                batch.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
            }
            try {
                CompletableFuture.allOf(batch.toArray(CompletableFuture[]::new)).join();
            } catch (CompletionException e) {
                return; // the server went away; the load itself will report it
            }
        }
    }

    private void send(
            int i,
            long due,
            Planned p,
            URI[] webhooks,
            Signer signer,
            Outcome[] outcomes,
            CountDownLatch answered,
            AtomicInteger completed) {
        try {
            byte[] body = events.body(p.unique());
            // a redelivery is signed afresh, as a real sender retrying later would
            String timestamp = Long.toString(System.currentTimeMillis() / 1000);
            HttpRequest request = HttpRequest.newBuilder(webhooks[p.url()])
                    .timeout(Duration.ofMillis(Math.round(opt.timeoutSeconds() * 1000)))
                    .header("Content-Type", "application/json")
                    .header(TIMESTAMP_HEADER, timestamp)
                    .header(SIGNATURE_HEADER, signer.sign(timestamp, body))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build();
            client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) -> {
                long now = System.nanoTime();
                double ms = (now - due) / 1e6;
                outcomes[i] = error == null
                        ? new Outcome(response.statusCode(), ms, now, isDuplicateAnswer(response), null)
                        : new Outcome(0, ms, now, false, errorName(error));
                completed.incrementAndGet();
                answered.countDown();
            });
        } catch (RuntimeException e) {
            long now = System.nanoTime();
            outcomes[i] = new Outcome(0, (now - due) / 1e6, now, false, errorName(e));
            completed.incrementAndGet();
            answered.countDown();
        }
    }

    private static boolean isDuplicateAnswer(HttpResponse<String> response) {
        if (response.statusCode() / 100 != 2) {
            return false;
        }
        try {
            return Json.parse(response.body()) instanceof Map<?, ?> m && Boolean.TRUE.equals(m.get("duplicate"));
        } catch (IllegalArgumentException notJson) {
            return false;
        }
    }

    private static String errorName(Throwable error) {
        Throwable e = error;
        while (e instanceof CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        // a bare IOException says nothing by its class; its message (e.g. a reset connection) does
        if (e.getClass() == IOException.class && e.getMessage() != null) {
            return "IOException: " + abbreviate(e.getMessage(), 60);
        }
        return e.getClass().getSimpleName();
    }

    /** Prints a progress line every 5 s, so a long run visibly moves (and a stuck one visibly does not). */
    private static ScheduledExecutorService progressPrinter(int n, AtomicInteger sent, AtomicInteger completed) {
        ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "load-progress");
            t.setDaemon(true);
            return t;
        });
        long t0 = System.nanoTime();
        progress.scheduleAtFixedRate(
                () -> {
                    int s = sent.get();
                    int c = completed.get();
                    System.err.printf(
                            "  [%3d s] sent %d/%d, answered %d, in flight %d%n",
                            (System.nanoTime() - t0) / 1_000_000_000L, s, n, c, s - c);
                },
                5,
                5,
                TimeUnit.SECONDS);
        return progress;
    }

    // ---- load report

    /** Percentiles by nearest rank over a sorted copy; NaN when there are no values. */
    record Percentiles(int count, double p50, double p90, double p99, double max) {

        static Percentiles of(double[] values) {
            double[] sorted = values.clone();
            Arrays.sort(sorted);
            return new Percentiles(
                    sorted.length, rank(sorted, 0.50), rank(sorted, 0.90), rank(sorted, 0.99), rank(sorted, 1.0));
        }

        private static double rank(double[] sorted, double p) {
            if (sorted.length == 0) {
                return Double.NaN;
            }
            int index = (int) Math.ceil(p * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
        }

        String text() {
            if (count == 0) {
                return "no answers";
            }
            return String.format(
                    Locale.ROOT,
                    "p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms (n=%d)",
                    p50,
                    p90,
                    p99,
                    max,
                    count);
        }
    }

    private void reportLoad(Plan plan, LoadResult load, Map<String, Object> summary) {
        Outcome[] outcomes = load.outcomes();
        Map<Integer, Integer> byStatus = new TreeMap<>();
        Map<String, Integer> errors = new TreeMap<>();
        List<Double> latencies = new ArrayList<>();
        long lastAnswer = load.startNanos();
        int noAnswer = 0;
        for (Outcome o : outcomes) {
            if (o == null) {
                noAnswer++;
                continue;
            }
            lastAnswer = Math.max(lastAnswer, o.doneNanos());
            if (o.status() == 0) {
                errors.merge(o.error(), 1, Integer::sum);
            } else {
                byStatus.merge(o.status(), 1, Integer::sum);
                latencies.add(o.latencyMs());
            }
        }
        if (noAnswer > 0) {
            errors.put("never completed", noAnswer);
        }
        int answered = latencies.size();
        int ok = byStatus.entrySet().stream()
                .filter(e -> e.getKey() / 100 == 2)
                .mapToInt(Map.Entry::getValue)
                .sum();
        int errorCount = errors.values().stream().mapToInt(Integer::intValue).sum();
        Percentiles p = Percentiles.of(
                latencies.stream().mapToDouble(Double::doubleValue).toArray());
        double sendSeconds = (load.lastSendNanos() - load.startNanos()) / 1e9 + 1 / opt.rate();
        // like sendSeconds, one interval more than first-to-last, so a perfect run shows exactly the offered rate
        double answerSeconds = (lastAnswer - load.startNanos()) / 1e9 + 1 / opt.rate();
        double achieved = answered / answerSeconds;

        out("");
        out("== load");
        row("target", opt.urls() + (opt.urls().size() > 1 ? " (round-robin)" : ""));
        row(
                "offered",
                fmt(
                        "%d requests at %.1f/s for %.1f s (%d unique events, %d re-sends)",
                        load.outcomes().length, opt.rate(), opt.seconds(), plan.uniqueCount(), plan.resends()));
        Percentiles lag = Percentiles.of(load.sendLagMs());
        row("sent", fmt("%d at %.1f/s", load.sent(), load.sent() / sendSeconds));
        row(
                "send lag",
                fmt(
                        "p99 %.2f ms, max %.2f ms behind schedule (large = the harness is the bottleneck)",
                        lag.p99(), lag.max()));
        row("answered", answered + counts(byStatus));
        row("errors", errorCount + counts(errors));
        row("ack latency", p.count() == 0 ? p.text() : p.text() + ", from the scheduled send time");
        row("achieved rate", fmt("%.1f answers/s (offered %.1f/s)", achieved, opt.rate()));
        if (opt.urls().size() > 1) {
            reportPerUrl(plan, outcomes);
        }
        reportDedupeAnswers(plan, outcomes);

        summary.put("offered", outcomes.length);
        summary.put("sent", load.sent());
        summary.put("answered", answered);
        summary.put("ok_2xx", ok);
        summary.put("errors", errorCount);
        summary.put("p50_ms", p.p50());
        summary.put("p90_ms", p.p90());
        summary.put("p99_ms", p.p99());
        summary.put("max_ms", p.max());
        summary.put("send_lag_p99_ms", lag.p99());
        summary.put("offered_rps", opt.rate());
        summary.put("achieved_rps", achieved);
    }

    private void reportPerUrl(Plan plan, Outcome[] outcomes) {
        for (int u = 0; u < opt.urls().size(); u++) {
            List<Double> latencies = new ArrayList<>();
            int requests = 0;
            int ok = 0;
            for (int i = 0; i < outcomes.length; i++) {
                if (plan.requests()[i].url() != u) {
                    continue;
                }
                requests++;
                Outcome o = outcomes[i];
                if (o != null && o.status() != 0) {
                    latencies.add(o.latencyMs());
                    ok += o.status() / 100 == 2 ? 1 : 0;
                }
            }
            Percentiles p = Percentiles.of(
                    latencies.stream().mapToDouble(Double::doubleValue).toArray());
            row(
                    "  url " + (u + 1),
                    fmt("%s: %d requests, %d 2xx, %s", opt.urls().get(u), requests, ok, p.text()));
        }
    }

    /**
     * Each unique event should be acknowledged as new ({@code "duplicate":false}) exactly once, whichever of its
     * deliveries got there first; more than once means two deliveries raced past the dedupe.
     */
    private void reportDedupeAnswers(Plan plan, Outcome[] outcomes) {
        int[] newAnswers = new int[plan.uniqueCount()];
        int duplicateAnswers = 0;
        for (int i = 0; i < outcomes.length; i++) {
            Outcome o = outcomes[i];
            if (o == null || o.status() / 100 != 2) {
                continue;
            }
            if (o.duplicateAnswer()) {
                duplicateAnswers++;
            } else {
                newAnswers[plan.requests()[i].unique()]++;
            }
        }
        long twice = Arrays.stream(newAnswers).filter(c -> c > 1).count();
        row(
                "dedupe answers",
                fmt(
                        "%d answered duplicate:true (%d re-sends planned); %d events acknowledged as new more than once",
                        duplicateAnswers, plan.resends(), twice));
    }

    // ---- the queue check

    /** The identity the server dedupes on. */
    record EventKey(String dagId, String taskId, String runId, int tryNumber) {}

    /** One pass over all pages: the statuses of the incidents of our events, by incident id, per unique event. */
    record Scan(Map<Integer, Map<String, String>> byUnique, int totalIncidents, int repeatedIds) {}

    /** The state of the acknowledged events at the last successful scan. */
    record Tally(
            int acked,
            int found,
            int missing,
            int duplicated,
            int done,
            int failed,
            int pending,
            int unackedFound,
            int totalIncidents,
            int repeatedIds,
            boolean scanned) {

        boolean drained() {
            return scanned && missing == 0 && pending == 0;
        }
    }

    /** The last tally, and the seconds from the last answer to the scan that found the queue drained (or NaN). */
    record Verification(Tally tally, double drainSeconds) {}

    private Verification verify(Plan plan, LoadResult load) throws InterruptedException {
        boolean[] acked = ackedUniques(plan, load.outcomes());
        Map<EventKey, Integer> index = new HashMap<>(plan.uniqueCount() * 2);
        for (int u = 0; u < plan.uniqueCount(); u++) {
            index.put(events.key(u), u);
        }
        long lastAnswer = Arrays.stream(load.outcomes())
                .filter(o -> o != null)
                .mapToLong(Outcome::doneNanos)
                .max()
                .orElse(System.nanoTime());
        long deadline = lastAnswer + Math.round(opt.waitSeconds() * 1e9);
        Tally tally = tally(new Scan(Map.of(), 0, 0), acked, false);
        String lastError = null;
        long lastProgress = System.nanoTime();
        int pollUrl = 0;
        System.err.printf(Locale.ROOT, "WebhookLoad: waiting up to %.0f s for the queue to drain%n", opt.waitSeconds());
        while (true) {
            long scanStart = System.nanoTime();
            try {
                tally = tally(scan(opt.urls().get(pollUrl), index), acked, true);
                lastError = null;
            } catch (IOException | RuntimeException e) {
                String message = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
                if (!message.equals(lastError)) {
                    System.err.println("WebhookLoad: listing incidents failed: " + message);
                }
                lastError = message;
                pollUrl = (pollUrl + 1) % opt.urls().size(); // another replica may answer
            }
            long now = System.nanoTime();
            if (tally.drained()) {
                return new Verification(tally, (now - lastAnswer) / 1e9);
            }
            if (now >= deadline) {
                return new Verification(tally, Double.NaN);
            }
            if (now - lastProgress >= 5_000_000_000L) {
                System.err.printf(
                        "  waiting: %d done, %d failed, %d pending, %d not found of %d acknowledged%n",
                        tally.done(), tally.failed(), tally.pending(), tally.missing(), tally.acked());
                lastProgress = now;
            }
            // at least as long a pause as the scan took, so that listing a large store does not keep the server
            // busier than the queue it is measuring
            long pauseMs = Math.max(POLL_MS, (now - scanStart) / 1_000_000);
            Thread.sleep(Math.max(1, Math.min(pauseMs, (deadline - now) / 1_000_000)));
        }
    }

    private static boolean[] ackedUniques(Plan plan, Outcome[] outcomes) {
        boolean[] acked = new boolean[plan.uniqueCount()];
        for (int i = 0; i < outcomes.length; i++) {
            if (outcomes[i] != null && outcomes[i].status() / 100 == 2) {
                acked[plan.requests()[i].unique()] = true;
            }
        }
        return acked;
    }

    private Scan scan(URI base, Map<EventKey, Integer> index) throws IOException, InterruptedException {
        Map<Integer, Map<String, String>> byUnique = new HashMap<>();
        Set<String> cursors = new HashSet<>();
        int total = 0;
        int repeated = 0;
        String cursor = null;
        do {
            Map<?, ?> page = getPage(base, cursor);
            if (!(page.get("incidents") instanceof List<?> incidents)) {
                throw new IOException("no \"incidents\" array in the answer");
            }
            for (Object item : incidents) {
                if (!(item instanceof Map<?, ?> incident)) {
                    continue;
                }
                total++;
                Integer unique = index.get(keyOf(incident.get("event")));
                if (unique != null) {
                    String id = String.valueOf(incident.get("id"));
                    String status = String.valueOf(incident.get("status"));
                    // the same id twice means the paging repeated it, not that the server made two incidents
                    if (byUnique.computeIfAbsent(unique, k -> new HashMap<>()).put(id, status) != null) {
                        repeated++;
                    }
                }
            }
            cursor = page.get("next") instanceof String next && !next.isEmpty() ? next : null;
            if (cursor != null && !cursors.add(cursor)) {
                throw new IOException("the cursor repeats (" + cursor + "); paging would not end");
            }
        } while (cursor != null);
        return new Scan(byUnique, total, repeated);
    }

    private Map<?, ?> getPage(URI base, String cursor) throws IOException, InterruptedException {
        String query = "?limit=" + PAGE_LIMIT
                + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/incidents" + query))
                .timeout(Duration.ofSeconds(30))
                .header("Accept", "application/json")
                .GET()
                .build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(
                    "GET " + request.uri() + " answered " + response.statusCode() + ": " + abbreviate(response.body()));
        }
        if (!(Json.parse(response.body()) instanceof Map<?, ?> page)) {
            throw new IOException("the answer is not a JSON object: " + abbreviate(response.body()));
        }
        return page;
    }

    private static EventKey keyOf(Object event) {
        if (!(event instanceof Map<?, ?> e)) {
            return null;
        }
        Object tryNumber = e.get("try_number");
        int t;
        if (tryNumber instanceof Number number) {
            t = number.intValue();
        } else if (tryNumber instanceof String s && s.matches("-?\\d+")) {
            t = Integer.parseInt(s);
        } else {
            return null;
        }
        return new EventKey(
                String.valueOf(e.get("dag_id")), String.valueOf(e.get("task_id")), String.valueOf(e.get("run_id")), t);
    }

    private static Tally tally(Scan scan, boolean[] acked, boolean scanned) {
        int ackedCount = 0, found = 0, missing = 0, duplicated = 0, done = 0, failed = 0, pending = 0, unackedFound = 0;
        for (int u = 0; u < acked.length; u++) {
            Map<String, String> incidents = scan.byUnique().get(u);
            ackedCount += acked[u] ? 1 : 0;
            if (incidents == null) {
                missing += acked[u] ? 1 : 0;
                continue;
            }
            duplicated += incidents.size() > 1 ? 1 : 0;
            if (!acked[u]) {
                unackedFound++; // the server took it but the answer was lost (a timeout): fine, not counted below
                continue;
            }
            found++;
            if (incidents.containsValue("done")) {
                done++;
            } else if (incidents.containsValue("failed")) {
                failed++;
            } else {
                pending++;
            }
        }
        return new Tally(
                ackedCount,
                found,
                missing,
                duplicated,
                done,
                failed,
                pending,
                unackedFound,
                scan.totalIncidents(),
                scan.repeatedIds(),
                scanned);
    }

    private void reportQueue(Plan plan, Verification verification, Map<String, Object> summary) {
        Tally t = verification.tally();
        double drain = verification.drainSeconds();
        out("");
        out("== queue");
        row("unique events", fmt("%d sent, %d acknowledged (2xx)", plan.uniqueCount(), t.acked()));
        if (t.acked() == 0) {
            row("nothing to check", "no event was acknowledged (see the status codes above); the run fails");
        } else if (!t.scanned()) {
            row("incidents", "GET /api/incidents never answered; every acknowledged event counts as lost");
        }
        row("incidents found", fmt("%d of them (the store lists %d incidents in all)", t.found(), t.totalIncidents()));
        row("missing", t.missing() + " (acknowledged, but no incident)");
        row("duplicated", t.duplicated() + " (events with more than one incident)");
        if (t.unackedFound() > 0) {
            row("unacked but found", t.unackedFound() + " (stored although the answer did not arrive)");
        }
        if (t.repeatedIds() > 0) {
            row("paging repeats", t.repeatedIds() + " incident ids listed twice across pages");
        }
        row("done/failed/pending", fmt("%d / %d / %d", t.done(), t.failed(), t.pending()));
        row(
                "drained",
                Double.isNaN(drain)
                        ? fmt("NO, not within --wait %.0f s of the last answer", opt.waitSeconds())
                        : fmt("%.2f s after the last answer (polled every %d ms or more)", drain, POLL_MS));

        summary.put("unique", plan.uniqueCount());
        summary.put("acked", t.acked());
        summary.put("unacked", plan.uniqueCount() - t.acked());
        summary.put("found", t.found());
        summary.put("lost", t.missing());
        summary.put("duplicated", t.duplicated());
        summary.put("done", t.done());
        summary.put("failed", t.failed());
        summary.put("pending", t.pending());
        summary.put("drain_s", drain);
    }

    /** " (k xN, ...)", or nothing when empty. */
    private static String counts(Map<?, Integer> counts) {
        if (counts.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder(" (");
        counts.forEach((k, v) ->
                sb.append(sb.length() > 2 ? ", " : "").append(k).append(" x").append(v));
        return sb.append(')').toString();
    }

    private static void row(String label, String value) {
        System.out.printf("  %-20s %s%n", label, value);
    }

    private static void out(String line) {
        System.out.println(line);
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    private static String abbreviate(String s) {
        return abbreviate(s, 200);
    }

    private static String abbreviate(String s, int max) {
        String one = s == null ? "" : s.replaceAll("\\s+", " ").strip();
        return one.length() <= max ? one : one.substring(0, max) + "...";
    }

    // ---- signing

    /** {@code v1=hex(HMAC-SHA256(secret, "v1:" + timestamp + ":" + body))}. Not thread-safe: one per sender. */
    static final class Signer {
        private final Mac mac;

        Signer(String secret) {
            try {
                mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is not available", e);
            }
        }

        String sign(String timestamp, byte[] body) {
            mac.update(("v1:" + timestamp + ":").getBytes(StandardCharsets.UTF_8));
            return "v1=" + HexFormat.of().formatHex(mac.doFinal(body));
        }
    }

    // ---- events

    /**
     * Builds failure events as a pure function of their number, so a re-send carries byte-identical JSON without
     * keeping every body in memory. Run ids derive from a tag that is random per run, so runs against the same
     * store never collide.
     */
    static final class EventFactory {
        private static final DateTimeFormatter LOG_TIME =
                DateTimeFormatter.ofPattern("yyyy-MM-dd, HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

        private final String runTag;
        private final long baseEpochSecond;

        EventFactory(String runTag, long baseEpochSecond) {
            this.runTag = runTag;
            this.baseEpochSecond = baseEpochSecond;
        }

        EventKey key(int unique) {
            UUID runUuid = UUID.nameUUIDFromBytes((runTag + ":" + unique).getBytes(StandardCharsets.UTF_8));
            return new EventKey("load_dag_" + unique % 10, "t_" + unique % 7, "load__" + runUuid, 1 + unique % 3);
        }

        byte[] body(int unique) {
            EventKey key = key(unique);
            Failure failure = Failure.values()[unique % Failure.values().length];
            String pid = Integer.toString(1000 + unique % 30000);
            String log = render(failure, key, pid, unique);
            String json = "{\"dag_id\":" + Json.quote(key.dagId())
                    + ",\"task_id\":" + Json.quote(key.taskId())
                    + ",\"run_id\":" + Json.quote(key.runId())
                    + ",\"try_number\":" + key.tryNumber()
                    + ",\"exception\":" + Json.quote(fill(failure.exception, key, pid))
                    + ",\"log\":" + Json.quote(log)
                    + "}";
            return json.getBytes(StandardCharsets.UTF_8);
        }

        private String render(Failure failure, EventKey key, String pid, int unique) {
            StringBuilder sb = new StringBuilder(3000);
            long second = baseEpochSecond + unique;
            for (String line : failure.lines) {
                String l = fill(line, key, pid);
                if (l.startsWith("{ts}")) {
                    l = "[" + LOG_TIME.format(Instant.ofEpochSecond(second++)) + "]" + l.substring(4);
                }
                sb.append(l).append('\n');
            }
            return sb.toString();
        }

        private static String fill(String template, EventKey key, String pid) {
            return template.replace("{dag}", key.dagId())
                    .replace("{task}", key.taskId())
                    .replace("{run}", key.runId())
                    .replace("{try}", Integer.toString(key.tryNumber()))
                    .replace("{pid}", pid);
        }
    }

    /** The rotating failure kinds: the lines of an Airflow task log between the start and the traceback's end. */
    enum Failure {
        POSTGRES_UNDEFINED_COLUMN("psycopg2.errors.UndefinedColumn: column \"customer_idd\" does not exist", """
                {ts} {sql.py:282} INFO - Executing: INSERT INTO analytics.orders_daily SELECT customer_idd, sum(amount) FROM staging.orders GROUP BY 1
                {ts} {base.py:84} INFO - Retrieving connection 'warehouse'
                {ts} {sql.py:509} INFO - Running statement: INSERT INTO analytics.orders_daily SELECT customer_idd, sum(amount) FROM staging.orders GROUP BY 1, parameters: None
                """, """
                  File "/home/airflow/.local/lib/python3.11/site-packages/airflow/providers/common/sql/operators/sql.py", line 289, in execute
                    output = hook.run(
                  File "/home/airflow/.local/lib/python3.11/site-packages/airflow/providers/common/sql/hooks/sql.py", line 456, in run
                    self._run_command(cur, sql_statement, parameters)
                  File "/home/airflow/.local/lib/python3.11/site-packages/airflow/providers/common/sql/hooks/sql.py", line 514, in _run_command
                    cur.execute(sql_statement)
                psycopg2.errors.UndefinedColumn: column "customer_idd" does not exist
                LINE 1: INSERT INTO analytics.orders_daily SELECT customer_idd, sum(amo...
                                                                  ^
                HINT:  Perhaps you meant to reference the column "orders.customer_id".
                """),
        SPARK_OUT_OF_MEMORY("java.lang.OutOfMemoryError: Java heap space", """
                {ts} {sessionize.py:41} INFO - reading s3a://acme-lake/events/dt=2025-01-14/ (412 files)
                {ts} {sessionize.py:52} INFO - writing s3a://acme-lake/sessions/dt=2025-01-14/
                {ts} {logging_mixin.py:190} WARNING - 25/01/15 06:04:12 WARN TaskSetManager: Lost task 17.0 in stage 4.0 (TID 311) (ip-10-0-3-21.ec2.internal executor 3): java.lang.OutOfMemoryError: Java heap space
                {ts} {logging_mixin.py:190} WARNING - 25/01/15 06:05:40 ERROR TaskSetManager: Task 17 in stage 4.0 failed 4 times; aborting job
                """, """
                  File "/opt/airflow/dags/jobs/sessionize.py", line 58, in run
                    sessions.write.mode("overwrite").parquet(out_path)
                  File "/usr/local/lib/python3.11/site-packages/pyspark/sql/readwriter.py", line 1721, in parquet
                    self._jwrite.parquet(path)
                  File "/usr/local/lib/python3.11/site-packages/py4j/java_gateway.py", line 1322, in __call__
                    return_value = get_return_value(
                  File "/usr/local/lib/python3.11/site-packages/py4j/protocol.py", line 326, in get_return_value
                    raise Py4JJavaError(
                py4j.protocol.Py4JJavaError: An error occurred while calling o87.parquet.
                : org.apache.spark.SparkException: Job aborted due to stage failure: Task 17 in stage 4.0 failed 4 times, most recent failure: Lost task 17.3 in stage 4.0 (TID 342) (ip-10-0-3-21.ec2.internal executor 3): java.lang.OutOfMemoryError: Java heap space
                \tat java.base/java.util.Arrays.copyOf(Arrays.java:3537)
                \tat org.apache.spark.sql.catalyst.expressions.UnsafeRow.copy(UnsafeRow.java:486)
                \tat org.apache.spark.sql.execution.aggregate.ObjectAggregationMap.getAggregationBuffer(ObjectAggregationMap.scala:51)
                Caused by: java.lang.OutOfMemoryError: Java heap space
                """),
        AWS_EXPIRED_TOKEN(
                "botocore.exceptions.ClientError: An error occurred (ExpiredToken) when calling the PutObject"
                        + " operation: The provided token has expired.",
                """
                {ts} {exports.py:33} INFO - extract written to /tmp/extract-{dag}.csv.gz (18.4 MB)
                {ts} {base_aws.py:583} INFO - Credentials retrieved from login
                """,
                """
                  File "/opt/airflow/dags/exports.py", line 41, in upload_extract
                    s3.load_file(filename=local_path, key=key, bucket_name="acme-exports", replace=True)
                  File "/home/airflow/.local/lib/python3.11/site-packages/airflow/providers/amazon/aws/hooks/s3.py", line 1101, in load_file
                    client.upload_file(filename, bucket_name, key, ExtraArgs=extra_args, Config=self.transfer_config)
                  File "/home/airflow/.local/lib/python3.11/site-packages/botocore/client.py", line 569, in _api_call
                    return self._make_api_call(operation_name, kwargs)
                  File "/home/airflow/.local/lib/python3.11/site-packages/botocore/client.py", line 1023, in _make_api_call
                    raise error_class(parsed_response, operation_name)
                botocore.exceptions.ClientError: An error occurred (ExpiredToken) when calling the PutObject operation: The provided token has expired.
                """),
        DBT_TEST_FAILURE(
                "airflow.exceptions.AirflowException: Bash command failed. The command returned a non-zero exit"
                        + " code 1.",
                """
                {ts} {subprocess.py:86} INFO - Running command: ['/usr/bin/bash', '-c', 'dbt test --select staging --target prod']
                {ts} {subprocess.py:93} INFO - 06:02:11  Running with dbt=1.8.7
                {ts} {subprocess.py:93} INFO - 06:02:40  Failure in test not_null_stg_orders_customer_id (models/staging/schema.yml)
                {ts} {subprocess.py:93} INFO - 06:02:40    Got 17 results, configured to fail if != 0
                {ts} {subprocess.py:93} INFO - 06:02:41  Done. PASS=41 WARN=0 ERROR=1 SKIP=3 TOTAL=45
                {ts} {subprocess.py:97} INFO - Command exited with return code 1
                """,
                """
                  File "/home/airflow/.local/lib/python3.11/site-packages/airflow/operators/bash.py", line 243, in execute
                    raise AirflowException(
                airflow.exceptions.AirflowException: Bash command failed. The command returned a non-zero exit code 1.
                """),
        AIRFLOW_TASK_TIMEOUT("airflow.exceptions.AirflowTaskTimeout: Timeout, PID: {pid}", """
                {ts} {ingest.py:70} INFO - export job 7f3a21 still RUNNING, polling again in 30 s
                {ts} {ingest.py:70} INFO - export job 7f3a21 still RUNNING, polling again in 30 s
                {ts} {timeout.py:68} ERROR - Process timed out, PID: {pid}
                """, """
                  File "/opt/airflow/dags/ingest.py", line 77, in poll_export
                    time.sleep(30)
                  File "/home/airflow/.local/lib/python3.11/site-packages/airflow/utils/timeout.py", line 69, in handle_timeout
                    raise AirflowTaskTimeout(self.error_message)
                airflow.exceptions.AirflowTaskTimeout: Timeout, PID: {pid}
                """);

        private static final String HEADER = """
                {ts} {local_task_job_runner.py:123} INFO - ::group::Pre task execution logs
                {ts} {taskinstance.py:2613} INFO - Dependencies all met for dep_context=non-requeueable deps ti=<TaskInstance: {dag}.{task} {run} [queued]>
                {ts} {taskinstance.py:2866} INFO - Starting attempt {try} of 3
                {ts} {standard_task_runner.py:72} INFO - Started process {pid} to run task
                {ts} {task_command.py:467} INFO - Running <TaskInstance: {dag}.{task} {run} [running]> on host airflow-worker-1
                """;

        private static final String TRACEBACK_START = """
                {ts} {taskinstance.py:3311} ERROR - Task failed with exception
                Traceback (most recent call last):
                  File "/home/airflow/.local/lib/python3.11/site-packages/airflow/models/taskinstance.py", line 768, in _execute_task
                    result = _execute_callable(context=context, **execute_callable_kwargs)
                """;

        private static final String FOOTER = """
                {ts} {taskinstance.py:1226} INFO - Marking task as UP_FOR_RETRY. dag_id={dag}, task_id={task}, run_id={run}
                {ts} {local_task_job_runner.py:266} INFO - Task exited with return code 1
                """;

        final String exception;
        final List<String> lines;

        Failure(String exception, String before, String traceback) {
            this.exception = exception;
            this.lines = (HEADER + before + TRACEBACK_START + traceback + FOOTER)
                    .lines()
                    .toList();
        }
    }

    // ---- minimal JSON

    /** Just enough JSON for the server's answers (objects, arrays, strings, numbers, literals) and our bodies. */
    static final class Json {
        private final String s;
        private int pos;

        private Json(String s) {
            this.s = s;
        }

        /** Parses a document into maps, lists, strings, doubles, booleans and nulls. */
        static Object parse(String text) {
            Json json = new Json(text == null ? "" : text);
            Object value = json.value();
            json.skipSpace();
            if (json.pos != json.s.length()) {
                throw json.error("trailing characters");
            }
            return value;
        }

        static String quote(String value) {
            StringBuilder sb = new StringBuilder(value.length() + 16).append('"');
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                switch (c) {
                    case '"' -> sb.append("\\\"");
                    case '\\' -> sb.append("\\\\");
                    case '\n' -> sb.append("\\n");
                    case '\r' -> sb.append("\\r");
                    case '\t' -> sb.append("\\t");
                    default -> {
                        if (c < 0x20) {
                            sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                        } else {
                            sb.append(c);
                        }
                    }
                }
            }
            return sb.append('"').toString();
        }

        /** One line of JSON from a flat map; non-finite numbers become null, doubles get 2 decimals. */
        static String write(Map<String, Object> map) {
            StringBuilder sb = new StringBuilder("{");
            map.forEach((k, v) -> {
                sb.append(sb.length() > 1 ? "," : "").append(quote(k)).append(':');
                if (v instanceof Double d) {
                    sb.append(d.isNaN() || d.isInfinite() ? "null" : String.format(Locale.ROOT, "%.2f", d));
                } else if (v instanceof Number || v instanceof Boolean || v == null) {
                    sb.append(v);
                } else {
                    sb.append(quote(v.toString()));
                }
            });
            return sb.append('}').toString();
        }

        private Object value() {
            skipSpace();
            if (pos >= s.length()) {
                throw error("unexpected end");
            }
            char c = s.charAt(pos);
            return switch (c) {
                case '{' -> object();
                case '[' -> array();
                case '"' -> string();
                case 't' -> literal("true", Boolean.TRUE);
                case 'f' -> literal("false", Boolean.FALSE);
                case 'n' -> literal("null", null);
                default -> number();
            };
        }

        private Map<String, Object> object() {
            Map<String, Object> map = new LinkedHashMap<>();
            pos++;
            skipSpace();
            if (peek() == '}') {
                pos++;
                return map;
            }
            while (true) {
                skipSpace();
                if (peek() != '"') {
                    throw error("expected a key");
                }
                String key = string();
                skipSpace();
                expect(':');
                map.put(key, value());
                skipSpace();
                if (peek() == ',') {
                    pos++;
                } else {
                    expect('}');
                    return map;
                }
            }
        }

        private List<Object> array() {
            List<Object> list = new ArrayList<>();
            pos++;
            skipSpace();
            if (peek() == ']') {
                pos++;
                return list;
            }
            while (true) {
                list.add(value());
                skipSpace();
                if (peek() == ',') {
                    pos++;
                } else {
                    expect(']');
                    return list;
                }
            }
        }

        private String string() {
            StringBuilder sb = new StringBuilder();
            pos++;
            while (true) {
                if (pos >= s.length()) {
                    throw error("unterminated string");
                }
                char c = s.charAt(pos++);
                if (c == '"') {
                    return sb.toString();
                }
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                if (pos >= s.length()) {
                    throw error("unterminated escape");
                }
                char e = s.charAt(pos++);
                switch (e) {
                    case 'n' -> sb.append('\n');
                    case 't' -> sb.append('\t');
                    case 'r' -> sb.append('\r');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'u' -> {
                        if (pos + 4 > s.length()) {
                            throw error("short \\u escape");
                        }
                        sb.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                        pos += 4;
                    }
                    default -> sb.append(e); // \" \\ \/
                }
            }
        }

        private Object number() {
            int start = pos;
            while (pos < s.length() && "+-0123456789.eE".indexOf(s.charAt(pos)) >= 0) {
                pos++;
            }
            if (start == pos) {
                throw error("unexpected character '" + s.charAt(pos) + "'");
            }
            try {
                return Double.parseDouble(s.substring(start, pos));
            } catch (NumberFormatException e) {
                throw error("bad number");
            }
        }

        private Object literal(String word, Object value) {
            if (!s.startsWith(word, pos)) {
                throw error("expected " + word);
            }
            pos += word.length();
            return value;
        }

        private void expect(char c) {
            if (peek() != c) {
                throw error("expected '" + c + "'");
            }
            pos++;
        }

        private char peek() {
            return pos < s.length() ? s.charAt(pos) : '\0';
        }

        private void skipSpace() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        private IllegalArgumentException error(String message) {
            return new IllegalArgumentException("bad JSON at " + pos + ": " + message);
        }
    }
}
