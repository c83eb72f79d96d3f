package io.deagent.sources.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.deagent.core.FailureEvent;
import io.deagent.core.investigate.Budget;
import io.deagent.core.investigate.DiagnosticSource;
import io.deagent.core.investigate.Evidence;
import io.deagent.sources.Probe;
import io.deagent.sources.Retry;
import io.deagent.sources.SourceException;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Evidence from the Spark History Server about the application a failed task ran: the stage that failed (or
 * ran longest), its task-time and shuffle-read skew, spill, GC share and first task error, and the executors'
 * memory and losses. The facts are computed by {@link SparkFacts}; this class only fetches.
 *
 * <p>Requests, all below {@code <SPARK_HISTORY_URL>/api/v1/}, in order ({@code <app>} is {@code
 * applications/<appId>}, plus {@code /<attemptId>} for YARN applications with attempts):
 *
 * <ol>
 *   <li>{@code applications/<appId>}: name and attempts (404 means NO_DATA: not in the history server);
 *   <li>{@code <app>/jobs}: how many jobs failed;
 *   <li>{@code <app>/stages?status=failed&withSummaries=true&quantiles=…}: the failed stages, with their task
 *       metric distributions on servers that fill them (Spark 3.4+; older ones ignore the parameters);
 *   <li>{@code <app>/stages}: every stage, to find the longest (skipped when larger than the byte cap);
 *   <li>{@code <app>/stages/<id>/<attempt>/taskSummary?quantiles=…} for the reported stage (and the longest,
 *       when that is another one) unless the distributions came with the stage;
 *   <li>{@code <app>/stages/<id>/<attempt>/taskList?status=failed&length=20} for a failed stage;
 *   <li>{@code <app>/allexecutors}: executors including the lost ones.
 * </ol>
 *
 * <p>The application and failed-stage requests must succeed (404: NO_DATA, no answer by the deadline:
 * TIMED_OUT, anything else: ERROR); the others are extras whose failure is listed in the fact {@code
 * spark_history.missing} while the evidence stays OK. Each request is retried on 5xx, 429 and timeouts while
 * its time lasts (all that is left for the required ones, half of it for an extra) and reads at most the
 * budget's byte cap; an extra larger than the cap is left out and {@code spark_history.truncated=true} says so.
 */
public final class SparkHistorySource implements DiagnosticSource, Probe {

    public static final String ID = "spark_history";

    /** Extras that could not be fetched: {@code <request>: <what the server said>}, separated by {@code ; }. */
    public static final String MISSING_FACT = ID + ".missing";
    /** {@code true} when an answer was larger than the byte cap and left out. */
    public static final String TRUNCATED_FACT = ID + ".truncated";

    /** 1.0 makes the last quantile the slowest task itself, not the 95th percentile. */
    static final String QUANTILES = "0.05,0.25,0.5,0.75,0.95,1.0";

    static final int FAILED_TASKS = 20;
    private static final long PROBE_MAX_BYTES = 64 * 1024;

    private final SparkHistorySettings settings;
    private final SparkHistoryClient client;
    private volatile Found lastFound = new Found(new WeakReference<>(null), Optional.empty());

    public SparkHistorySource(SparkHistorySettings settings) {
        this.settings = settings;
        this.client = new SparkHistoryClient(settings);
    }

    /** The source when {@code SPARK_HISTORY_URL} is set; empty otherwise. */
    public static Optional<SparkHistorySource> from(Function<String, Optional<String>> config) {
        return SparkHistorySettings.from(config).map(SparkHistorySource::new);
    }

    @Override
    public String id() {
        return ID;
    }

    /** When the event names a Spark application (the source exists only when configured). */
    @Override
    public boolean appliesTo(FailureEvent event) {
        return applicationId(event).isPresent();
    }

    @Override
    public Evidence collect(FailureEvent event, Budget budget) {
        Instant start = budget.clock().instant();
        Optional<String> appId = applicationId(event);
        if (appId.isEmpty()) {
            return new Evidence(
                    ID,
                    Evidence.Status.SKIPPED,
                    Optional.empty(),
                    Map.of(),
                    Optional.empty(),
                    Optional.of("the event names no Spark application id"),
                    elapsed(budget, start),
                    Optional.empty());
        }
        Run run = new Run(budget, "applications/" + appId.get());
        try {
            return run.collect(appId.get(), start);
        } catch (SourceException.TimedOut e) {
            return run.failed(Evidence.Status.TIMED_OUT, e.getMessage(), start);
        } catch (SourceException.NotFound e) {
            return run.failed(Evidence.Status.NO_DATA, e.getMessage(), start);
        } catch (SourceException | SparkHistoryClient.TooLarge e) {
            return run.failed(Evidence.Status.ERROR, e.getMessage(), start);
        }
    }

    /** Reaches {@code /api/v1/version}: the server answers, and with JSON. */
    @Override
    public Result probe(Duration timeout) {
        try {
            JsonNode version = client.get("version", timeout, PROBE_MAX_BYTES);
            return new Result(
                    true,
                    ID,
                    "Spark History Server " + version.path("spark").asText("(version unknown)") + " at "
                            + settings.baseUrl());
        } catch (SourceException | SparkHistoryClient.TooLarge e) {
            return new Result(false, ID, e.getMessage());
        } catch (RuntimeException e) {
            return new Result(false, ID, client.describe("version") + ": " + e);
        }
    }

    /**
     * The event's application id; remembered for the event last asked about, because {@code appliesTo} and
     * {@code collect} ask in turn and the log may be megabytes long.
     */
    private Optional<String> applicationId(FailureEvent event) {
        Found found = lastFound;
        if (found.event().get() == event) {
            return found.appId();
        }
        Optional<String> id = SparkApplicationIds.of(event);
        lastFound = new Found(new WeakReference<>(event), id);
        return id;
    }

    /** Held weakly: remembering an id must not keep a large event alive. */
    private record Found(WeakReference<FailureEvent> event, Optional<String> appId) {}

    private static Duration elapsed(Budget budget, Instant start) {
        return Duration.between(start, budget.clock().instant());
    }

    /** One collection: the requests made, the extras that failed, and what came back. */
    private final class Run {
        private final Budget budget;
        private final List<String> asked = new ArrayList<>();
        private final List<String> missing = new ArrayList<>();
        private String appPath;
        private boolean truncated;

        Run(Budget budget, String appPath) {
            this.budget = budget;
            this.appPath = appPath;
        }

        Evidence collect(String appId, Instant start) {
            JsonNode app;
            try {
                app = get("applications/" + appId);
            } catch (SourceException.NotFound e) {
                return failed(
                        Evidence.Status.NO_DATA,
                        "application " + appId + " not found in the history server (it may still be running or"
                                + " the event log is not written): " + e.getMessage(),
                        start);
            }
            Optional<String> attempt = SparkFacts.latestAttempt(app);
            appPath = "applications/" + appId + attempt.map(a -> "/" + a).orElse("");
            Map<String, String> facts = new LinkedHashMap<>(SparkFacts.application(app, attempt));
            extra(appPath + "/jobs").ifPresent(jobs -> facts.putAll(SparkFacts.jobs(jobs)));

            JsonNode failedStages = get(appPath + "/stages?status=failed&withSummaries=true&quantiles=" + QUANTILES);
            Optional<JsonNode> stageList = extra(appPath + "/stages");
            JsonNode allStages = stageList.orElseGet(JsonNodeFactory.instance::arrayNode);
            Optional<JsonNode> worst = SparkFacts.worstStage(failedStages, allStages);
            worst.ifPresent(stage -> {
                boolean failed = "FAILED".equals(stage.path("status").asText());
                Optional<JsonNode> failedTasks = failed
                        ? extra(stagePath(stage) + "/taskList?status=failed&length=" + FAILED_TASKS)
                        : Optional.empty();
                facts.putAll(SparkFacts.stage(SparkFacts.STAGE, stage, summary(stage), failedTasks));
                // a failed stage says why the job died; the longest one may say why it was slow or ran out
                SparkFacts.longestStage(allStages)
                        .filter(longest -> failed && !SparkFacts.sameAttempt(longest, stage))
                        .ifPresent(longest -> facts.putAll(SparkFacts.stage(
                                SparkFacts.LONGEST_STAGE, longest, summary(longest), Optional.empty())));
            });
            extra(appPath + "/allexecutors").ifPresent(executors -> facts.putAll(SparkFacts.executors(executors)));

            if (truncated) {
                facts.put(TRUNCATED_FACT, "true");
            }
            if (!missing.isEmpty()) {
                facts.put(MISSING_FACT, String.join("; ", missing));
            }
            String digest = SparkFacts.digest(facts);
            if (worst.isEmpty() && stageList.isPresent()) {
                digest = digest + "\nno stage has run in this application";
            }
            return new Evidence(
                    ID,
                    Evidence.Status.OK,
                    Optional.of(digest),
                    Map.copyOf(facts),
                    query(),
                    Optional.empty(),
                    elapsed(budget, start),
                    Optional.of(link(appId, attempt, worst)));
        }

        /** The stage's own distributions when the server sent them, else its taskSummary. */
        private Optional<JsonNode> summary(JsonNode stage) {
            JsonNode inline = stage.path("taskMetricsDistributions");
            if (inline.isObject() && inline.path("quantiles").isArray()) {
                return Optional.of(inline);
            }
            return extra(stagePath(stage) + "/taskSummary?quantiles=" + QUANTILES);
        }

        private String stagePath(JsonNode stage) {
            return appPath + "/stages/" + stage.path("stageId").asLong() + "/"
                    + stage.path("attemptId").asLong();
        }

        /** A request that must succeed; it may take all the time that is left. */
        JsonNode get(String pathAndQuery) {
            return get(pathAndQuery, budget);
        }

        private JsonNode get(String pathAndQuery, Budget within) {
            asked.add(pathAndQuery);
            return Retry.call(within, () -> client.get(pathAndQuery, within.remaining(), within.maxBytes()));
        }

        /**
         * A request that may fail without failing the evidence. It gets half of the time left, so a server that
         * keeps answering 503 or hangs on one extra leaves time for the others and for the answer.
         */
        Optional<JsonNode> extra(String pathAndQuery) {
            Instant now = budget.clock().instant();
            Budget half = new Budget(now.plus(budget.remaining().dividedBy(2)), budget.maxBytes(), budget.clock());
            try {
                return Optional.of(get(pathAndQuery, half));
            } catch (SourceException e) {
                if (e instanceof SourceException.TimedOut && budget.remaining().isZero()) {
                    throw e;
                }
                missing.add(e.getMessage());
                return Optional.empty();
            } catch (SparkHistoryClient.TooLarge e) {
                truncated = true;
                missing.add(e.getMessage());
                return Optional.empty();
            }
        }

        Evidence failed(Evidence.Status status, String error, Instant start) {
            return new Evidence(
                    ID,
                    status,
                    Optional.empty(),
                    Map.of(),
                    query(),
                    Optional.of(error),
                    elapsed(budget, start),
                    Optional.empty());
        }

        /** {@code GET <root>/api/v1/applications/<id> (+ /jobs, /stages?…, …)}: what was asked, in order. */
        private Optional<String> query() {
            if (asked.isEmpty()) {
                return Optional.empty();
            }
            String first = asked.getFirst();
            List<String> rest = asked.subList(1, asked.size()).stream()
                    .map(p -> p.startsWith(first) ? p.substring(first.length()) : "/" + p)
                    .toList();
            return Optional.of(client.describe(first) + (rest.isEmpty() ? "" : " (+ " + String.join(", ", rest) + ")"));
        }
    }

    /** The History Server page of the reported stage (or of the application's jobs when no stage ran). */
    private String link(String appId, Optional<String> attempt, Optional<JsonNode> stage) {
        String app = settings.baseUrl() + "/history/" + appId
                + attempt.map(a -> "/" + a).orElse("");
        return stage.map(s -> app + "/stages/stage/?id=" + s.path("stageId").asLong() + "&attempt="
                        + s.path("attemptId").asLong())
                .orElse(app + "/jobs/");
    }
}
