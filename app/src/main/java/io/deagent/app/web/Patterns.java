package io.deagent.app.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deagent.app.store.IncidentStore;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * What recurs, over a window of whole days (UTC) ending today: failures per day and category, the
 * signatures that failed more than once with their DAGs and last fix, and how often people marked the
 * diagnoses of each category right or wrong. Served as {@code /api/patterns} and drawn on the page.
 */
public record Patterns(
        LocalDate firstDay,
        int days,
        List<IncidentStore.DayCount> perDay,
        List<IncidentStore.Recurring> recurring,
        List<IncidentStore.CategoryVerdicts> verdicts) {

    public static final int DEFAULT_DAYS = 14;
    public static final int MAX_DAYS = 366;
    static final int TOP_SIGNATURES = 10;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The window's start, inclusive. */
    public Instant since() {
        return firstDay.atStartOfDay().toInstant(ZoneOffset.UTC);
    }

    /** The window's end, exclusive: the end of today. */
    public Instant until() {
        return firstDay.plusDays(days).atStartOfDay().toInstant(ZoneOffset.UTC);
    }

    /** The number of days of the window from {@code ?days=}, or why it is wrong. */
    public static int days(Function<String, String> param) {
        String d = param.apply("days");
        if (d == null || d.isBlank()) {
            return DEFAULT_DAYS;
        }
        if (!d.strip().matches("\\d{1,3}")
                || Integer.parseInt(d.strip()) < 1
                || Integer.parseInt(d.strip()) > MAX_DAYS) {
            throw new IllegalArgumentException("days must be a whole number from 1 to " + MAX_DAYS);
        }
        return Integer.parseInt(d.strip());
    }

    /** The patterns of the last {@code days} days, today (UTC, by {@code clock}) included. */
    public static Patterns load(IncidentStore store, int days, Clock clock) {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        LocalDate first = today.minusDays(days - 1L);
        Instant since = first.atStartOfDay().toInstant(ZoneOffset.UTC);
        Instant until = today.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC);
        return new Patterns(
                first,
                days,
                store.perDay(since, until),
                store.recurring(since, until, TOP_SIGNATURES),
                store.verdicts(since, until));
    }

    /** The fix of a recurring signature's latest diagnosis: its class and summary. */
    public record LastFix(String fixClass, String summary) {}

    static Optional<LastFix> lastFix(IncidentStore.Recurring r) {
        return r.lastDiagnosisJson().flatMap(json -> {
            try {
                JsonNode d = JSON.readTree(json);
                JsonNode fix = d.path("fix");
                if (!fix.path("class").isTextual()) {
                    return Optional.empty();
                }
                return Optional.of(new LastFix(
                        fix.path("class").asText(), fix.path("summary").asText("")));
            } catch (JsonProcessingException e) {
                return Optional.empty();
            }
        });
    }

    /** The share of verdicts that said "right", or empty without verdicts. */
    static Optional<Double> accuracy(IncidentStore.CategoryVerdicts v) {
        long all = v.correct() + v.wrong();
        return all == 0 ? Optional.empty() : Optional.of((double) v.correct() / all);
    }

    /** The {@code /api/patterns} answer. */
    public ObjectNode json() {
        ObjectNode o = JSON.createObjectNode();
        o.put("since", since().toString());
        o.put("until", until().toString());
        o.put("days", days);
        ArrayNode day = o.putArray("per_day");
        for (IncidentStore.DayCount c : perDay) {
            ObjectNode n = day.addObject().put("day", c.day().toString());
            if (c.category().isEmpty()) {
                n.putNull("category"); // not diagnosed yet
            } else {
                n.put("category", c.category());
            }
            n.put("count", c.count());
        }
        ArrayNode top = o.putArray("top_signatures");
        for (IncidentStore.Recurring r : recurring) {
            ObjectNode n = top.addObject()
                    .put("signature", r.signature())
                    .put("category", r.category())
                    .put("count", r.count())
                    .put("first_seen", r.firstSeen().toString())
                    .put("last_seen", r.lastSeen().toString())
                    .put("last_incident_id", r.lastIncidentId());
            ArrayNode dags = n.putArray("dags");
            r.dagTasks().forEach(t -> dags.addObject()
                    .put("dag_id", t.dagId())
                    .put("task_id", t.taskId())
                    .put("count", t.count()));
            Optional<LastFix> fix = lastFix(r);
            if (fix.isPresent()) {
                n.putObject("last_fix")
                        .put("class", fix.get().fixClass())
                        .put("summary", fix.get().summary());
            } else {
                n.putNull("last_fix");
            }
        }
        ArrayNode acc = o.putArray("accuracy");
        for (IncidentStore.CategoryVerdicts v : verdicts) {
            ObjectNode n = acc.addObject()
                    .put("category", v.category())
                    .put("correct", v.correct())
                    .put("wrong", v.wrong());
            accuracy(v)
                    .ifPresentOrElse(
                            a -> n.put("accuracy", Math.round(a * 1000) / 1000.0), () -> n.putNull("accuracy"));
        }
        return o;
    }
}
