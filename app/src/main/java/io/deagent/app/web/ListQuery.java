package io.deagent.app.web;

import io.deagent.app.store.IncidentStore;
import io.deagent.core.Taxonomy;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The query of a list of incidents, read from request parameters the same way for {@code /api/incidents}
 * and the page: {@code dag_id}, {@code task_id}, {@code category}, {@code status}, {@code since},
 * {@code until} (ISO-8601), {@code limit} and {@code cursor}. An empty parameter (an empty form field) is
 * no filter. Bad input is a {@link Bad} with a one-line reason.
 */
public final class ListQuery {

    /** The parameters a list understands, in the order links repeat them. */
    public static final java.util.List<String> FILTERS =
            java.util.List.of("dag_id", "task_id", "category", "status", "since", "until");

    static final Set<String> STATUSES = Set.of("queued", "investigating", "done", "failed");
    static final int MAX_ID = 250;

    private ListQuery() {}

    /** What parsing gave. */
    public sealed interface Parsed permits Ok, Bad {}

    /** A valid query. */
    public record Ok(IncidentStore.Filter filter, int limit, Optional<Long> cursor) implements Parsed {}

    /** Invalid input, and why, in one line. */
    public record Bad(String message) implements Parsed {}

    /** Reads the query from {@code param} (null or blank for an absent parameter). */
    public static Parsed parse(Function<String, String> param, int defaultLimit) {
        try {
            int limit = defaultLimit;
            Optional<String> l = value(param, "limit");
            if (l.isPresent()) {
                if (!l.get().matches("\\d{1,4}") || Integer.parseInt(l.get()) < 1 || Integer.parseInt(l.get()) > 500) {
                    return new Bad("limit must be a whole number from 1 to 500");
                }
                limit = Integer.parseInt(l.get());
            }
            Optional<String> status = value(param, "status");
            if (status.isPresent() && !STATUSES.contains(status.get())) {
                return new Bad("status must be one of queued, investigating, done, failed");
            }
            Optional<String> cursor = value(param, "cursor");
            if (cursor.isPresent() && !cursor.get().matches("\\d{1,18}")) {
                return new Bad("cursor must be the \"next\" value of the previous page");
            }
            Optional<String> category = value(param, "category");
            if (category.isPresent() && !Taxonomy.CATEGORIES.containsKey(category.get())) {
                return new Bad("category must be a taxonomy label such as missing_column or out_of_memory_executor,"
                        + " got '" + shorten(category.get()) + "'");
            }
            Optional<String> dag = id(param, "dag_id");
            Optional<String> task = id(param, "task_id");
            Optional<Instant> since = value(param, "since").map(v -> time("since", v, false));
            Optional<Instant> until = value(param, "until").map(v -> time("until", v, true));
            if (since.isPresent() && until.isPresent() && !since.get().isBefore(until.get())) {
                return new Bad("since must be before until");
            }
            return new Ok(
                    new IncidentStore.Filter(dag, task, category, status, since, until),
                    limit,
                    cursor.map(Long::parseLong));
        } catch (IllegalArgumentException e) {
            return new Bad(e.getMessage());
        }
    }

    /**
     * An ISO-8601 time: an instant with a zone or offset ({@code 2026-11-20T03:00:00Z}), a local date-time
     * taken as UTC ({@code 2026-11-20T03:00}, what a browser's date-time field sends), or a date in UTC: the
     * start of that day, or for {@code until} the end of it, so {@code until=2026-11-20} includes the 20th.
     */
    static Instant time(String name, String given, boolean endOfDay) {
        // an unencoded '+' of an offset arrives as a space
        String value = given.replaceFirst(" (\\d{2}(:?\\d{2})?)$", "+$1");
        try {
            if (value.matches("\\d{4}-\\d{2}-\\d{2}")) {
                LocalDate day = LocalDate.parse(value);
                return (endOfDay ? day.plusDays(1) : day).atStartOfDay().toInstant(ZoneOffset.UTC);
            }
            if (value.matches(".*(Z|z|[+-]\\d{2}(:?\\d{2})?)$")) {
                return OffsetDateTime.parse(value.toUpperCase(java.util.Locale.ROOT))
                        .toInstant();
            }
            return LocalDateTime.parse(value).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(name + " must be an ISO-8601 time such as 2026-11-20T03:00:00Z or a"
                    + " date such as 2026-11-20, got '" + shorten(value) + "'");
        }
    }

    private static Optional<String> id(Function<String, String> param, String name) {
        Optional<String> v = value(param, name);
        if (v.isPresent() && v.get().length() > MAX_ID) {
            throw new IllegalArgumentException(name + " is longer than " + MAX_ID + " characters");
        }
        return v;
    }

    private static Optional<String> value(Function<String, String> param, String name) {
        String v = param.apply(name);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.strip());
    }

    private static String shorten(String s) {
        String clean = s.replaceAll("\\p{Cntrl}", " ");
        return clean.length() <= 60 ? clean : clean.substring(0, 59) + "…";
    }
}
