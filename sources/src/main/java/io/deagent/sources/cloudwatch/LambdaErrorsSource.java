package io.deagent.sources.cloudwatch;

import io.deagent.core.FailureEvent;
import io.deagent.core.investigate.Budget;
import io.deagent.core.investigate.DiagnosticSource;
import io.deagent.core.investigate.Evidence;
import io.deagent.core.investigate.Evidence.Status;
import io.deagent.sources.Probe;
import io.deagent.sources.SourceException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.GetQueryResultsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.QueryStatus;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResultField;

/**
 * Recent errors of the Lambda functions around the pipeline (an ingestion function that failed to land files
 * is a common reason a DAG fails later): one Logs Insights query per function over {@code /aws/lambda/<fn>} for
 * the look-back window, polled until it ends or the budget does.
 *
 * <p>It applies to every event once functions are configured, not only to events that name a function: the
 * Lambda that broke the pipeline is upstream of the failed task and rarely appears in its event or log.
 */
public final class LambdaErrorsSource implements DiagnosticSource, Probe {

    public static final String ID = "lambda_errors";

    /** The limit is part of the query, so "errors" counts at most this many lines. */
    static final int LIMIT = 20;

    public static final String QUERY = "fields @timestamp, @message, @logStream"
            + " | filter @message like /(?i)(Exception|Error|Traceback|Task timed out)/"
            + " | sort @timestamp desc"
            + " | limit " + LIMIT;

    static final String TIMEOUT_MARKER = "Task timed out";

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

    /** How often to ask whether a query has finished: soon at first (most finish in a second), then less. */
    record Polling(Duration first, Duration max) {
        static final Polling DEFAULT = new Polling(Duration.ofMillis(250), Duration.ofSeconds(1));
    }

    /** How one function's query ended. */
    private sealed interface Outcome {
        record Complete(List<List<ResultField>> rows, Optional<Double> recordsMatched) implements Outcome {}

        record Failed(Status status, String state, String message) implements Outcome {}
    }

    private final List<String> functions;
    private final Duration lookback;
    private final String region;
    private final CloudWatchLogsClient client;
    private final Polling polling;

    public LambdaErrorsSource(List<String> functions, Duration lookback, String region, CloudWatchLogsClient client) {
        this(functions, lookback, region, client, Polling.DEFAULT);
    }

    LambdaErrorsSource(
            List<String> functions, Duration lookback, String region, CloudWatchLogsClient client, Polling polling) {
        if (functions.isEmpty()) {
            throw new IllegalArgumentException("at least one Lambda function is needed");
        }
        this.functions = List.copyOf(functions);
        this.lookback = lookback;
        this.region = region;
        this.client = client;
        this.polling = polling;
    }

    /** The source with the production client; empty when no functions are configured. */
    public static Optional<LambdaErrorsSource> from(CloudWatchSettings settings) {
        if (settings.lambdaFunctions().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new LambdaErrorsSource(
                settings.lambdaFunctions(), settings.lambdaLookback(), settings.region(), LogsCalls.client(settings)));
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public boolean appliesTo(FailureEvent event) {
        return true;
    }

    @Override
    public Evidence collect(FailureEvent event, Budget budget) {
        Clock clock = budget.clock();
        Instant start = clock.instant();
        Window window = Window.endingAt(start, lookback);
        String query = QUERY + " | logGroupNames=" + groups() + " | " + window;

        Map<String, Outcome> outcomes = new LinkedHashMap<>();
        Map<String, String> pending = new LinkedHashMap<>(); // function -> query id
        for (String fn : functions) {
            try {
                pending.put(fn, startQuery(fn, window, budget));
            } catch (SourceException e) {
                outcomes.put(fn, failed(fn, e));
            }
        }
        poll(pending, outcomes, budget);
        return evidence(outcomes, query, window, budget, Duration.between(start, clock.instant()));
    }

    /**
     * Starts one query over all groups for the last minute, then stops it: this checks the groups exist and
     * that logs:StartQuery is allowed, the permission the source needs.
     */
    @Override
    public Result probe(Duration timeout) {
        Budget budget = new Budget(Instant.now().plus(timeout), 1, Clock.systemUTC());
        Window window = Window.endingAt(Instant.now(), Duration.ofMinutes(1));
        List<String> groups =
                functions.stream().map(CloudWatchSettings::lambdaLogGroup).toList();
        String what = "StartQuery logGroupNames=" + groups + " " + window;
        try {
            String id = LogsCalls.call(
                            budget,
                            what,
                            o -> client.startQuery(r -> r.logGroupNames(groups)
                                    .startTime(window.startSeconds())
                                    .endTime(window.endSeconds())
                                    .queryString(QUERY)
                                    .overrideConfiguration(o)))
                    .queryId();
            stopInBackground(id);
            return new Result(true, ID, "Logs Insights can query " + String.join(", ", groups));
        } catch (SourceException.Forbidden e) {
            return new Result(false, ID, permissionHint(groups) + ": " + e.getMessage());
        } catch (SourceException e) {
            return new Result(false, ID, e.getMessage());
        }
    }

    private String startQuery(String fn, Window window, Budget budget) {
        String group = CloudWatchSettings.lambdaLogGroup(fn);
        return LogsCalls.call(
                        budget,
                        "StartQuery logGroupName=" + group + " " + window,
                        o -> client.startQuery(r -> r.logGroupName(group)
                                .startTime(window.startSeconds())
                                .endTime(window.endSeconds())
                                .queryString(QUERY)
                                .overrideConfiguration(o)))
                .queryId();
    }

    /** Asks for every running query's results until all have ended or the budget has; stops the stragglers. */
    private void poll(Map<String, String> pending, Map<String, Outcome> outcomes, Budget budget) {
        Duration wait = polling.first();
        while (!pending.isEmpty()) {
            try {
                for (var it = pending.entrySet().iterator(); it.hasNext(); ) {
                    var entry = it.next();
                    Optional<Outcome> ended = results(entry.getKey(), entry.getValue(), budget);
                    if (ended.isPresent()) {
                        outcomes.put(entry.getKey(), ended.get());
                        it.remove();
                    }
                }
                if (pending.isEmpty()) {
                    return;
                }
                Duration left = budget.remaining();
                if (left.isZero()) {
                    throw new SourceException.TimedOut("no time left");
                }
                Thread.sleep(wait.compareTo(left) < 0 ? wait : left);
                wait = wait.multipliedBy(2).compareTo(polling.max()) < 0 ? wait.multipliedBy(2) : polling.max();
            } catch (SourceException.TimedOut | InterruptedException e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                pending.forEach((fn, id) -> {
                    stopInBackground(id);
                    outcomes.put(
                            fn,
                            new Outcome.Failed(
                                    Status.TIMED_OUT,
                                    "timed_out",
                                    "Logs Insights query " + id + " on " + CloudWatchSettings.lambdaLogGroup(fn)
                                            + " still running at the deadline; stopped"));
                });
                pending.clear();
            }
        }
    }

    /** The outcome when the query has ended; empty while it is scheduled or running. */
    private Optional<Outcome> results(String fn, String queryId, Budget budget) {
        GetQueryResultsResponse r;
        try {
            r = LogsCalls.call(
                    budget,
                    "GetQueryResults queryId=" + queryId,
                    o -> client.getQueryResults(b -> b.queryId(queryId).overrideConfiguration(o)));
        } catch (SourceException.TimedOut e) {
            throw e;
        } catch (SourceException e) {
            return Optional.of(failed(fn, e));
        }
        QueryStatus status = r.status();
        if (status == QueryStatus.SCHEDULED || status == QueryStatus.RUNNING) {
            return Optional.empty();
        }
        if (status == QueryStatus.COMPLETE) {
            Optional<Double> matched = Optional.ofNullable(r.statistics()).map(s -> s.recordsMatched());
            return Optional.of(new Outcome.Complete(r.results(), matched));
        }
        return Optional.of(new Outcome.Failed(
                Status.ERROR,
                r.statusAsString().toLowerCase(java.util.Locale.ROOT),
                "Logs Insights query " + queryId + " on " + CloudWatchSettings.lambdaLogGroup(fn) + " ended "
                        + r.statusAsString()));
    }

    private Outcome failed(String fn, SourceException e) {
        return switch (e) {
            case SourceException.NotFound nf -> new Outcome.Failed(Status.NO_DATA, "not_found", e.getMessage());
            case SourceException.TimedOut t -> new Outcome.Failed(Status.TIMED_OUT, "timed_out", e.getMessage());
            case SourceException.Forbidden f ->
                new Outcome.Failed(
                        Status.ERROR,
                        "forbidden",
                        permissionHint(List.of(CloudWatchSettings.lambdaLogGroup(fn))) + ": " + e.getMessage());
            case SourceException.Unauthorized u -> new Outcome.Failed(Status.ERROR, "unauthorized", e.getMessage());
            default -> new Outcome.Failed(Status.ERROR, "error", e.getMessage());
        };
    }

    private Evidence evidence(
            Map<String, Outcome> outcomes, String query, Window window, Budget budget, Duration elapsed) {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("lambda.window_minutes", String.valueOf(lookback.toMinutes()));
        List<String> lines = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        boolean anyComplete = false;
        for (String fn : functions) {
            Outcome outcome = outcomes.get(fn);
            switch (outcome) {
                case Outcome.Complete c -> {
                    anyComplete = true;
                    describe(fn, c, facts, lines);
                }
                case Outcome.Failed f -> {
                    facts.put("lambda." + fn + ".status", f.state());
                    errors.add(f.message());
                }
            }
        }
        Status status = anyComplete ? Status.OK : worst(outcomes);
        Optional<String> text = Optional.empty();
        if (!lines.isEmpty()) {
            Tail tail = Tail.of(lines, budget.maxBytes());
            facts.put("lambda.truncated", String.valueOf(tail.truncated()));
            text = Optional.of(tail.text());
        }
        Optional<String> link = functions.size() == 1
                ? Optional.of(ConsoleLinks.logGroup(region, CloudWatchSettings.lambdaLogGroup(functions.get(0))))
                : Optional.empty();
        return new Evidence(
                ID,
                status,
                status == Status.OK ? text : Optional.empty(),
                Collections.unmodifiableMap(facts),
                Optional.of(query),
                errors.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", errors)),
                elapsed,
                link);
    }

    /** Facts and chronological lines for one function; the query returned them newest first. */
    private static void describe(String fn, Outcome.Complete c, Map<String, String> facts, List<String> lines) {
        int timeouts = 0;
        List<String> own = new ArrayList<>();
        for (List<ResultField> row : c.rows()) {
            String message = field(row, "@message");
            if (message.contains(TIMEOUT_MARKER)) {
                timeouts++;
            }
            own.add(field(row, "@timestamp") + " " + field(row, "@logStream") + " " + oneEvent(message));
        }
        facts.put("lambda." + fn + ".errors", String.valueOf(c.rows().size()));
        facts.put("lambda." + fn + ".timeouts", String.valueOf(timeouts));
        if (c.rows().size() >= LIMIT) {
            facts.put("lambda." + fn + ".errors_limited", "true"); // at least this many: the query stops at LIMIT
        }
        c.recordsMatched()
                .ifPresent(m -> facts.put("lambda." + fn + ".records_matched", String.valueOf(m.longValue())));
        if (!own.isEmpty()) {
            lines.add("==> " + CloudWatchSettings.lambdaLogGroup(fn) + " <==");
            for (int i = own.size() - 1; i >= 0; i--) {
                lines.add(own.get(i));
            }
        }
    }

    /**
     * One Lambda log event can hold a whole traceback; the Python runtime separates its lines with {@code \r}
     * so they stay one event. Turned into real lines, the log reader can follow the exception chain.
     */
    static String oneEvent(String message) {
        return StreamTail.strip(message).replace("\r\n", "\n").replace('\r', '\n');
    }

    private static String field(List<ResultField> row, String name) {
        for (ResultField f : row) {
            if (name.equals(f.field())) {
                return f.value() == null ? "" : f.value();
            }
        }
        return "";
    }

    /** With no complete query: not found everywhere is "no data", all late is "timed out", else an error. */
    private static Status worst(Map<String, Outcome> outcomes) {
        boolean allNotFound = true;
        boolean allTimedOut = true;
        for (Outcome o : outcomes.values()) {
            Status s = ((Outcome.Failed) o).status();
            allNotFound &= s == Status.NO_DATA;
            allTimedOut &= s == Status.TIMED_OUT;
        }
        return allNotFound ? Status.NO_DATA : allTimedOut ? Status.TIMED_OUT : Status.ERROR;
    }

    private String permissionHint(List<String> groups) {
        return "needs logs:StartQuery and logs:GetQueryResults on "
                + String.join(
                        ", ",
                        groups.stream()
                                .map(g -> LogsCalls.logGroupArn(region, g))
                                .toList());
    }

    private List<String> groups() {
        return functions.stream().map(CloudWatchSettings::lambdaLogGroup).toList();
    }

    /** A query left running costs money and one of the account's concurrent query slots; stop it, don't wait. */
    private void stopInBackground(String queryId) {
        Thread.ofVirtual().name("stop-query-" + queryId).start(() -> {
            try {
                client.stopQuery(r -> r.queryId(queryId).overrideConfiguration(o -> o.apiCallTimeout(STOP_TIMEOUT)));
            } catch (SdkException e) {
                // best effort: Logs Insights ends the query itself after 60 minutes
            }
        });
    }

    /** The look-back window in the epoch seconds StartQuery takes (GetLogEvents takes milliseconds). */
    record Window(long startSeconds, long endSeconds) {
        static Window endingAt(Instant now, Duration lookback) {
            long end = now.getEpochSecond() + (now.getNano() > 0 ? 1 : 0);
            return new Window(end - lookback.toSeconds(), end);
        }

        @Override
        public String toString() {
            return "startTime=" + startSeconds + " (" + Instant.ofEpochSecond(startSeconds) + ") endTime=" + endSeconds
                    + " (" + Instant.ofEpochSecond(endSeconds) + ")";
        }
    }

    /** Lines within the byte cap, keeping the last ones. */
    record Tail(List<String> lines, boolean truncated) {
        static Tail of(List<String> all, long maxBytes) {
            long cap = maxBytes > 0 ? maxBytes : Long.MAX_VALUE;
            long bytes = 0;
            int first = all.size();
            while (first > 0) {
                long size = all.get(first - 1).getBytes(StandardCharsets.UTF_8).length + 1L;
                if (bytes + size > cap) {
                    break;
                }
                bytes += size;
                first--;
            }
            if (first == all.size() && !all.isEmpty()) {
                // not even the last line fits: keep its end
                return new Tail(List.of(StreamTail.tailOf(all.get(all.size() - 1), cap)), true);
            }
            return new Tail(all.subList(first, all.size()), first > 0);
        }

        String text() {
            return String.join("\n", lines);
        }
    }
}
