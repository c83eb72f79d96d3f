package io.deagent.sources.spark;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.stream.StreamSupport;

/**
 * Turns Spark History Server answers (formats.md §6) into the facts rules read. Pure: JSON in, strings out, no
 * I/O, so it is tested over recorded answers.
 *
 * <p>Fact values are plain strings: integers as they are ({@code 26408259}), ratios with one decimal ({@code
 * 14.2}), the GC share with two ({@code 0.31}), all with a dot as decimal separator. A fact is absent when
 * its input is absent or meaningless (no shuffle read in the stage, no run time), never {@code 0} by default.
 *
 * <p><b>Skew ratios</b> ({@code …maxOverMedian}) come from the {@code taskSummary} quantiles, over the
 * stage's <em>successful</em> tasks (the only ones Spark summarises). The median is the 0.5 quantile (no ratio
 * without it); the maximum is the 1.0 quantile when it was requested (the source asks for it), otherwise the
 * highest quantile the server returned (0.95 for Spark's default, 0.99 in some recordings), which understates a
 * single straggler. When the largest value is 0 the fact is left out (the stage read no shuffle data); a zero
 * median counts as 1 (ms or byte), so one busy task among idle ones still shows as a large ratio.
 */
public final class SparkFacts {

    public static final String APP_ID = "spark.app.id";
    public static final String APP_NAME = "spark.app.name";
    /** YARN attempt id, present only when the application has attempt ids. */
    public static final String APP_ATTEMPT = "spark.app.attempt";
    /** {@code false} while the history server still sees the application as running (data may lag). */
    public static final String APP_COMPLETED = "spark.app.completed";

    public static final String JOBS_FAILED = "spark.jobs.failed";

    public static final String STAGE = "spark.stage";
    public static final String LONGEST_STAGE = "spark.longestStage";

    public static final String STAGE_ID = STAGE + ".id";
    public static final String STAGE_ATTEMPT = STAGE + ".attempt";
    public static final String STAGE_STATUS = STAGE + ".status";
    public static final String STAGE_NAME = STAGE + ".name";
    public static final String STAGE_TASKS = STAGE + ".numTasks";
    public static final String STAGE_FAILED_TASKS = STAGE + ".failedTasks";
    public static final String STAGE_TASK_DURATION_RATIO = STAGE + ".taskDuration.maxOverMedian";
    public static final String STAGE_TASK_DURATION_MAX_MS = STAGE + ".taskDuration.maxMs";
    public static final String STAGE_TASK_DURATION_MEDIAN_MS = STAGE + ".taskDuration.medianMs";
    public static final String STAGE_SHUFFLE_READ_RATIO = STAGE + ".shuffleRead.maxOverMedian";
    public static final String STAGE_SHUFFLE_READ_MAX_BYTES = STAGE + ".shuffleRead.maxBytes";
    public static final String STAGE_INPUT_RATIO = STAGE + ".input.maxOverMedian";
    public static final String STAGE_SPILL_MEMORY = STAGE + ".spill.memoryBytes";
    public static final String STAGE_SPILL_DISK = STAGE + ".spill.diskBytes";
    public static final String STAGE_GC_RATIO = STAGE + ".gcRatio";
    /** First line of the first failed task's error (or of the stage's failure reason). */
    public static final String STAGE_FAILURE_REASON = STAGE + ".failureReason";
    /** The innermost {@code Caused by:} of that error, when it has one. */
    public static final String STAGE_FAILURE_CAUSE = STAGE + ".failureCause";

    /** Largest peak JVM heap of an executor (the driver only in local mode, where it is the executor). */
    public static final String EXECUTORS_MAX_PEAK_HEAP = "spark.executors.maxPeakHeapBytes";
    /** Largest {@code maxMemory}: Spark's unified execution+storage pool of an executor, not its heap size. */
    public static final String EXECUTORS_MAX_MEMORY = "spark.executors.maxMemoryBytes";
    /** Executors removed for a reason other than the driver releasing them (lost, killed by YARN, …). */
    public static final String EXECUTORS_FAILED = "spark.executors.failed";
    /** The reason the last failed executor was removed, e.g. {@code Container killed by YARN for exceeding…}. */
    public static final String EXECUTORS_REMOVE_REASON = "spark.executors.removeReason";

    public static final String EXECUTORS_FAILED_TASKS = "spark.executors.failedTasks";
    public static final String EXECUTORS_GC_RATIO = "spark.executors.gcRatio";
    public static final String DRIVER_PEAK_HEAP = "spark.driver.peakHeapBytes";

    static final int MAX_LINE = 500;

    private SparkFacts() {}

    // ---- which application attempt, which stage

    /**
     * The attempt to read, for applications whose attempts have ids (YARN cluster mode): the one that started
     * last, which is the run that ended the application. Empty when attempts have no ids.
     */
    public static Optional<String> latestAttempt(JsonNode application) {
        return elements(application.path("attempts"))
                .filter(a -> a.hasNonNull("attemptId"))
                .max(Comparator.comparingLong(
                                (JsonNode a) -> a.path("startTimeEpoch").asLong(Long.MIN_VALUE))
                        .thenComparingLong(a -> a.path("attemptId").asLong(0)))
                .map(a -> a.path("attemptId").asText());
    }

    /** The failed stage attempt with the most failed tasks (the one that failed the job), latest on a tie. */
    public static Optional<JsonNode> failedStage(JsonNode stages) {
        return elements(stages)
                .filter(s -> "FAILED".equals(s.path("status").asText()))
                .max(Comparator.comparingLong(
                                (JsonNode s) -> s.path("numFailedTasks").asLong())
                        .thenComparingLong(s -> s.path("stageId").asLong())
                        .thenComparingLong(s -> s.path("attemptId").asLong()));
    }

    /** The stage attempt that ran longest (summed task run time); stages that never ran are not candidates. */
    public static Optional<JsonNode> longestStage(JsonNode stages) {
        return elements(stages)
                .filter(s -> !"SKIPPED".equals(s.path("status").asText())
                        && !"PENDING".equals(s.path("status").asText()))
                .max(Comparator.comparingLong(
                                (JsonNode s) -> s.path("executorRunTime").asLong())
                        .thenComparingLong(s -> s.path("stageId").asLong()));
    }

    /** The stage to report on: the failed one when a stage failed, else the longest. */
    public static Optional<JsonNode> worstStage(JsonNode failedStages, JsonNode allStages) {
        return failedStage(failedStages).or(() -> failedStage(allStages)).or(() -> longestStage(allStages));
    }

    /** Whether two stage nodes are the same stage attempt. */
    public static boolean sameAttempt(JsonNode a, JsonNode b) {
        return a.path("stageId").asLong() == b.path("stageId").asLong()
                && a.path("attemptId").asLong() == b.path("attemptId").asLong();
    }

    // ---- facts

    public static Map<String, String> application(JsonNode application, Optional<String> attemptId) {
        Map<String, String> facts = new LinkedHashMap<>();
        put(facts, APP_ID, text(application, "id"));
        put(facts, APP_NAME, text(application, "name"));
        attemptId.ifPresent(a -> facts.put(APP_ATTEMPT, a));
        Optional<JsonNode> attempt = elements(application.path("attempts"))
                .filter(a -> attemptId.isEmpty()
                        || attemptId.get().equals(a.path("attemptId").asText()))
                .findFirst();
        attempt.filter(a -> a.has("completed"))
                .ifPresent(a -> facts.put(
                        APP_COMPLETED, String.valueOf(a.path("completed").asBoolean())));
        return facts;
    }

    public static Map<String, String> jobs(JsonNode jobs) {
        if (!jobs.isArray()) {
            return Map.of();
        }
        long failed = elements(jobs)
                .filter(j -> "FAILED".equals(j.path("status").asText()))
                .count();
        return Map.of(JOBS_FAILED, String.valueOf(failed));
    }

    /**
     * Facts about one stage attempt, under {@code prefix} ({@link #STAGE} or {@link #LONGEST_STAGE}).
     *
     * @param stage an element of {@code /stages} (or {@code /stages/{id}/{attempt}})
     * @param summary its {@code taskSummary}, or the stage's own {@code taskMetricsDistributions} when the
     *     server filled them ({@code withSummaries=true}); empty when no task reported metrics
     * @param failedTasks {@code taskList?status=failed}, empty when not asked
     */
    public static Map<String, String> stage(
            String prefix, JsonNode stage, Optional<JsonNode> summary, Optional<JsonNode> failedTasks) {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put(prefix + ".id", stage.path("stageId").asText());
        facts.put(prefix + ".attempt", stage.path("attemptId").asText("0"));
        put(facts, prefix + ".status", text(stage, "status"));
        put(facts, prefix + ".name", text(stage, "name"));
        put(facts, prefix + ".numTasks", number(stage, "numTasks"));
        put(facts, prefix + ".failedTasks", number(stage, "numFailedTasks"));
        summary.ifPresent(s -> {
            JsonNode q = s.path("quantiles");
            JsonNode runTime = s.path("executorRunTime");
            maxOverMedian(q, runTime).ifPresent(r -> facts.put(prefix + ".taskDuration.maxOverMedian", ratio(r)));
            quantile(q, runTime, 1.0, true)
                    .ifPresent(v -> facts.put(prefix + ".taskDuration.maxMs", String.valueOf(Math.round(v))));
            quantile(q, runTime, 0.5, false)
                    .ifPresent(v -> facts.put(prefix + ".taskDuration.medianMs", String.valueOf(Math.round(v))));
            JsonNode readBytes = s.path("shuffleReadMetrics").path("readBytes");
            maxOverMedian(q, readBytes).ifPresent(r -> facts.put(prefix + ".shuffleRead.maxOverMedian", ratio(r)));
            quantile(q, readBytes, 1.0, true)
                    .filter(v -> v > 0)
                    .ifPresent(v -> facts.put(prefix + ".shuffleRead.maxBytes", String.valueOf(Math.round(v))));
            maxOverMedian(q, s.path("inputMetrics").path("bytesRead"))
                    .ifPresent(r -> facts.put(prefix + ".input.maxOverMedian", ratio(r)));
        });
        put(facts, prefix + ".spill.memoryBytes", number(stage, "memoryBytesSpilled"));
        put(facts, prefix + ".spill.diskBytes", number(stage, "diskBytesSpilled"));
        long runTime = stage.path("executorRunTime").asLong();
        if (runTime > 0 && stage.has("jvmGcTime")) {
            facts.put(
                    prefix + ".gcRatio", share((double) stage.path("jvmGcTime").asLong() / runTime));
        }
        Optional<String> error = failedTasks.flatMap(SparkFacts::firstError);
        error.or(() -> text(stage, "failureReason"))
                .map(SparkFacts::firstLine)
                .filter(l -> !l.isEmpty())
                .ifPresent(l -> facts.put(prefix + ".failureReason", l));
        error.flatMap(SparkFacts::innermostCause).ifPresent(c -> facts.put(prefix + ".failureCause", c));
        return facts;
    }

    /** Facts over {@code /allexecutors} (or {@code /executors}). */
    public static Map<String, String> executors(JsonNode executors) {
        List<JsonNode> all = elements(executors).toList();
        if (all.isEmpty()) {
            return Map.of();
        }
        List<JsonNode> workers = all.stream()
                .filter(e -> !"driver".equals(e.path("id").asText()))
                .toList();
        // in local mode the driver is the only executor and runs the tasks
        List<JsonNode> taskRunners = workers.isEmpty() ? all : workers;
        Map<String, String> facts = new LinkedHashMap<>();
        taskRunners.stream()
                .map(e -> e.path("peakMemoryMetrics").path("JVMHeapMemory"))
                .filter(JsonNode::isNumber)
                .mapToLong(JsonNode::asLong)
                .max()
                .ifPresent(v -> facts.put(EXECUTORS_MAX_PEAK_HEAP, String.valueOf(v)));
        taskRunners.stream()
                .map(e -> e.path("maxMemory"))
                .filter(JsonNode::isNumber)
                .mapToLong(JsonNode::asLong)
                .max()
                .ifPresent(v -> facts.put(EXECUTORS_MAX_MEMORY, String.valueOf(v)));
        List<JsonNode> failed =
                workers.stream().filter(SparkFacts::failedExecutor).toList();
        facts.put(EXECUTORS_FAILED, String.valueOf(failed.size()));
        failed.stream()
                .max(Comparator.comparing((JsonNode e) -> e.path("removeTime").asText()))
                .map(e -> firstLine(e.path("removeReason").asText()))
                .ifPresent(r -> facts.put(EXECUTORS_REMOVE_REASON, r));
        facts.put(
                EXECUTORS_FAILED_TASKS,
                String.valueOf(all.stream()
                        .mapToLong(e -> e.path("failedTasks").asLong())
                        .sum()));
        long duration = taskRunners.stream()
                .mapToLong(e -> e.path("totalDuration").asLong())
                .sum();
        long gc = taskRunners.stream()
                .mapToLong(e -> e.path("totalGCTime").asLong())
                .sum();
        if (duration > 0) {
            facts.put(EXECUTORS_GC_RATIO, share((double) gc / duration));
        }
        if (!workers.isEmpty()) {
            all.stream()
                    .filter(e -> "driver".equals(e.path("id").asText()))
                    .map(e -> e.path("peakMemoryMetrics").path("JVMHeapMemory"))
                    .filter(JsonNode::isNumber)
                    .findFirst()
                    .ifPresent(v -> facts.put(DRIVER_PEAK_HEAP, String.valueOf(v.asLong())));
        }
        return facts;
    }

    /**
     * An executor that is gone for a reason other than the driver releasing it: dynamic allocation's idle
     * removal ({@code Executor killed by driver.}) and decommissioning are normal, anything else (lost, heartbeat
     * timed out, killed by YARN or the OOM killer) is a failure.
     */
    static boolean failedExecutor(JsonNode executor) {
        if (executor.path("isActive").asBoolean(true)) {
            return false;
        }
        String reason = executor.path("removeReason").asText("").toLowerCase(Locale.ROOT);
        return !reason.isEmpty() && !reason.startsWith("executor killed by driver") && !reason.contains("decommission");
    }

    // ---- quantiles

    /** max / median over a taskSummary metric; empty when there is no median or nothing was measured. */
    public static OptionalDouble maxOverMedian(JsonNode quantiles, JsonNode values) {
        Optional<Double> median = quantile(quantiles, values, 0.5, false);
        Optional<Double> max = quantile(quantiles, values, 1.0, true);
        if (median.isEmpty() || max.isEmpty() || max.get() <= 0) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(max.get() / Math.max(median.get(), 1.0));
    }

    /**
     * The value at quantile {@code q}; with {@code orHighest}, the value at the highest quantile returned when
     * {@code q} itself was not.
     */
    static Optional<Double> quantile(JsonNode quantiles, JsonNode values, double q, boolean orHighest) {
        if (!quantiles.isArray() || !values.isArray() || quantiles.size() != values.size() || values.isEmpty()) {
            return Optional.empty();
        }
        int highest = 0;
        for (int i = 0; i < quantiles.size(); i++) {
            double at = quantiles.get(i).asDouble();
            if (Math.abs(at - q) < 1e-9) {
                return Optional.of(values.get(i).asDouble());
            }
            if (at > quantiles.get(highest).asDouble()) {
                highest = i;
            }
        }
        return orHighest ? Optional.of(values.get(highest).asDouble()) : Optional.empty();
    }

    // ---- the digest

    /**
     * A few readable lines over the facts, e.g. {@code stage 12.0 failed: 4 tasks failed; task time max/median
     * 14.2×; shuffle read max/median 9.8×; spilled 3.1 GiB to disk; GC 31% of run time; first failure:
     * java.lang.OutOfMemoryError: Java heap space}.
     */
    public static String digest(Map<String, String> facts) {
        List<String> lines = new ArrayList<>();
        Optional.ofNullable(facts.get(APP_ID)).ifPresent(id -> {
            StringBuilder l = new StringBuilder("Spark application ").append(id);
            Optional.ofNullable(facts.get(APP_NAME))
                    .ifPresent(n -> l.append(" (").append(n).append(')'));
            Optional.ofNullable(facts.get(APP_ATTEMPT))
                    .ifPresent(a -> l.append(", attempt ").append(a));
            if ("false".equals(facts.get(APP_COMPLETED))) {
                l.append(", still running or incomplete in the history server");
            }
            Optional.ofNullable(facts.get(JOBS_FAILED))
                    .filter(n -> !n.equals("0"))
                    .ifPresent(n -> l.append(", ").append(n).append(n.equals("1") ? " job failed" : " jobs failed"));
            lines.add(l.toString());
        });
        stageLine(facts, STAGE).ifPresent(lines::add);
        stageLine(facts, LONGEST_STAGE).ifPresent(lines::add);
        executorLine(facts).ifPresent(lines::add);
        return String.join("\n", lines);
    }

    private static Optional<String> stageLine(Map<String, String> facts, String prefix) {
        String id = facts.get(prefix + ".id");
        if (id == null) {
            return Optional.empty();
        }
        String status = facts.getOrDefault(prefix + ".status", "");
        String name = id + "." + facts.getOrDefault(prefix + ".attempt", "0");
        StringBuilder l = new StringBuilder();
        if (prefix.equals(LONGEST_STAGE)) {
            l.append("longest stage ").append(name);
        } else if (status.equals("FAILED")) {
            l.append("stage ").append(name).append(" failed");
        } else {
            l.append("stage ")
                    .append(name)
                    .append(" (")
                    .append(status.toLowerCase(Locale.ROOT))
                    .append(")");
        }
        List<String> parts = new ArrayList<>();
        Optional.ofNullable(facts.get(prefix + ".failedTasks"))
                .filter(n -> !n.equals("0"))
                .ifPresent(n -> parts.add(n + (n.equals("1") ? " task failed" : " tasks failed")));
        Optional.ofNullable(facts.get(prefix + ".taskDuration.maxOverMedian"))
                .ifPresent(r -> parts.add("task time max/median " + r + "×"));
        Optional.ofNullable(facts.get(prefix + ".shuffleRead.maxOverMedian"))
                .ifPresent(r -> parts.add("shuffle read max/median " + r + "×"));
        long disk = asLong(facts.get(prefix + ".spill.diskBytes"));
        if (disk > 0) {
            parts.add("spilled " + bytes(disk) + " to disk");
        }
        Optional.ofNullable(facts.get(prefix + ".gcRatio"))
                .map(Double::parseDouble)
                .filter(g -> g > 0)
                .ifPresent(g -> parts.add("GC " + Math.round(g * 100) + "% of run time"));
        Optional.ofNullable(facts.get(prefix + ".failureReason")).ifPresent(r -> parts.add("first failure: " + r));
        if (!parts.isEmpty()) {
            l.append(": ").append(String.join("; ", parts));
        }
        return Optional.of(l.toString());
    }

    private static Optional<String> executorLine(Map<String, String> facts) {
        List<String> parts = new ArrayList<>();
        long failed = asLong(facts.get(EXECUTORS_FAILED));
        if (failed > 0) {
            parts.add(failed
                    + (failed == 1 ? " executor lost" : " executors lost")
                    + Optional.ofNullable(facts.get(EXECUTORS_REMOVE_REASON))
                            .map(r -> " (" + r + ")")
                            .orElse(""));
        }
        Optional.ofNullable(facts.get(EXECUTORS_MAX_PEAK_HEAP))
                .ifPresent(v -> parts.add("peak executor heap " + bytes(asLong(v))));
        Optional.ofNullable(facts.get(DRIVER_PEAK_HEAP))
                .ifPresent(v -> parts.add("peak driver heap " + bytes(asLong(v))));
        return parts.isEmpty() ? Optional.empty() : Optional.of("executors: " + String.join("; ", parts));
    }

    // ---- formatting and small helpers

    /** One decimal, dot separator: {@code 14.2}. */
    static String ratio(double r) {
        return String.format(Locale.ROOT, "%.1f", r);
    }

    /** Two decimals, dot separator: {@code 0.31}. */
    static String share(double r) {
        return String.format(Locale.ROOT, "%.2f", r);
    }

    /** Binary units with one decimal: {@code 3.1 GiB}. */
    static String bytes(long n) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = n;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? n + " B" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    private static Optional<String> firstError(JsonNode failedTasks) {
        return elements(failedTasks)
                .map(t -> t.path("errorMessage").asText(""))
                .filter(m -> !m.isBlank())
                .findFirst();
    }

    private static Optional<String> innermostCause(String error) {
        String cause = null;
        for (String line : error.split("\n")) {
            String l = line.strip();
            if (l.startsWith("Caused by: ")) {
                cause = l.substring("Caused by: ".length()).strip();
            }
        }
        return Optional.ofNullable(cause).map(SparkFacts::firstLine).filter(c -> !c.isEmpty());
    }

    /** The first line, at most {@value #MAX_LINE} characters: a fact is a value to match, not a log. */
    static String firstLine(String s) {
        String t = s.strip();
        int nl = t.indexOf('\n');
        String line = (nl < 0 ? t : t.substring(0, nl)).strip();
        return line.length() <= MAX_LINE ? line : line.substring(0, MAX_LINE) + "…";
    }

    private static java.util.stream.Stream<JsonNode> elements(JsonNode array) {
        return array.isArray() ? StreamSupport.stream(array.spliterator(), false) : java.util.stream.Stream.empty();
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isValueNode() && !v.isNull() && !v.asText().isEmpty() ? Optional.of(v.asText()) : Optional.empty();
    }

    private static Optional<String> number(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isNumber() ? Optional.of(String.valueOf(v.asLong())) : Optional.empty();
    }

    private static void put(Map<String, String> facts, String key, Optional<String> value) {
        value.ifPresent(v -> facts.put(key, v));
    }

    private static long asLong(String v) {
        if (v == null) {
            return 0;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
