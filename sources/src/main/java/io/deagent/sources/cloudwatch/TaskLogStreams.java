package io.deagent.sources.cloudwatch;

import io.deagent.core.FailureEvent;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CloudWatch log stream names Airflow's CloudWatch task handler writes a task try to, in the order worth
 * trying: the current log template, the Airflow 2.0–2.2 one, then both for the previous try (before Airflow
 * 2.10 the try number in a failure callback can be one too high). The handler replaces {@code :} with
 * {@code _} in the whole name; {@code +} stays.
 */
final class TaskLogStreams {

    /** Which log template a stream name follows. */
    enum Naming {
        /** {@code dag_id=<dag>/run_id=<run>/task_id=<task>/[map_index=<i>/]attempt=<try>.log}. */
        CURRENT,
        /** {@code <dag>/<task>/<execution_date>/<try>.log}, Airflow 2.0–2.2. */
        LEGACY
    }

    record Candidate(String name, Naming naming, int attempt) {}

    /** Run ids Airflow generates embed the logical date: {@code scheduled__2026-11-20T03:00:00+00:00}. */
    private static final Pattern GENERATED_RUN_ID =
            Pattern.compile("(?:scheduled|manual|backfill|dataset_triggered|asset_triggered)__(.+)");

    /** Python's {@code datetime.isoformat()}: microseconds only when non-zero, offset as {@code +00:00}. */
    private static final DateTimeFormatter PY_ISO_SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ssxxx");

    private static final DateTimeFormatter PY_ISO_MICROS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSxxx");

    private TaskLogStreams() {}

    /** Empty when the event names no run and no logical date: then no stream can be named. */
    static List<Candidate> candidates(FailureEvent event) {
        int attempt = Math.max(1, event.tryNumber().orElse(1));
        List<Candidate> out = new ArrayList<>(forAttempt(event, attempt));
        if (attempt > 1) {
            out.addAll(forAttempt(event, attempt - 1));
        }
        return out;
    }

    private static List<Candidate> forAttempt(FailureEvent event, int attempt) {
        List<Candidate> out = new ArrayList<>(2);
        event.runId().filter(r -> !r.isBlank()).ifPresent(run -> out.add(current(event, run, attempt)));
        logicalDate(event)
                .ifPresent(date -> out.add(new Candidate(
                        sanitize(event.dagId() + "/" + event.taskId() + "/" + date + "/" + attempt + ".log"),
                        Naming.LEGACY,
                        attempt)));
        return out;
    }

    private static Candidate current(FailureEvent event, String run, int attempt) {
        StringBuilder name = new StringBuilder()
                .append("dag_id=")
                .append(event.dagId())
                .append("/run_id=")
                .append(run)
                .append("/task_id=")
                .append(event.taskId())
                .append('/');
        mapIndex(event).ifPresent(i -> name.append("map_index=").append(i).append('/'));
        name.append("attempt=").append(attempt).append(".log");
        return new Candidate(sanitize(name.toString()), Naming.CURRENT, attempt);
    }

    static String sanitize(String streamName) {
        return streamName.replace(':', '_');
    }

    /** {@code map_index} of a mapped task instance; -1 (not mapped) and anything unreadable count as absent. */
    static OptionalInt mapIndex(FailureEvent event) {
        Object raw = event.raw().get("map_index");
        int index;
        if (raw instanceof Number n) {
            index = n.intValue();
        } else if (raw instanceof String s && s.strip().matches("-?\\d{1,9}")) {
            index = Integer.parseInt(s.strip());
        } else {
            return OptionalInt.empty();
        }
        return index >= 0 ? OptionalInt.of(index) : OptionalInt.empty();
    }

    /**
     * The logical (execution) date as Airflow renders {@code {{ ts }}}: from the payload's {@code logical_date}
     * or {@code execution_date}, else from a generated run id. Empty when none parses: a guessed date would only
     * produce a stream name that cannot exist.
     */
    static Optional<String> logicalDate(FailureEvent event) {
        for (String key : List.of("logical_date", "execution_date")) {
            if (event.raw().get(key) instanceof String s) {
                Optional<String> date = pythonIso(s);
                if (date.isPresent()) {
                    return date;
                }
            }
        }
        return event.runId().flatMap(run -> {
            Matcher m = GENERATED_RUN_ID.matcher(run);
            return m.matches() ? pythonIso(m.group(1)) : Optional.empty();
        });
    }

    static Optional<String> pythonIso(String text) {
        Optional<OffsetDateTime> t = parse(text);
        return t.map(d -> (d.getNano() == 0 ? PY_ISO_SECONDS : PY_ISO_MICROS).format(d));
    }

    /** A timestamp from an event payload: ISO-8601 with an offset or {@code Z}, a space instead of {@code T}. */
    static Optional<OffsetDateTime> parse(String text) {
        String t = text.strip().replace(' ', 'T').toUpperCase(Locale.ROOT);
        try {
            return Optional.of(OffsetDateTime.parse(t));
        } catch (DateTimeException e) {
            try {
                return Optional.of(Instant.parse(t).atOffset(ZoneOffset.UTC));
            } catch (DateTimeException e2) {
                return Optional.empty();
            }
        }
    }
}
