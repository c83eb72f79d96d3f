package io.deagent.app.web;

import io.deagent.core.Taxonomy;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;

/** How values read on the page: times in UTC, short durations, percentages, labels in plain words. */
final class Display {

    private static final DateTimeFormatter MINUTES =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private Display() {}

    /** A time for a {@code <time>} element: the ISO instant, and the text shown without script. */
    public record Time(String iso, String text) {}

    static Time time(Instant t) {
        return new Time(t.toString(), MINUTES.format(t));
    }

    static Optional<Time> time(String iso) {
        if (iso == null || iso.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(time(Instant.parse(iso)));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    static String duration(long ms) {
        if (ms < 1000) {
            return ms + " ms";
        }
        if (ms < 60_000) {
            return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
        }
        Duration d = Duration.ofMillis(ms);
        if (d.toHours() == 0) {
            return d.toMinutes() + " min " + d.toSecondsPart() + " s";
        }
        if (d.toDays() == 0) {
            return d.toHours() + " h " + d.toMinutesPart() + " min";
        }
        return d.toDays() + " d " + d.toHoursPart() + " h";
    }

    static String percent(double share) {
        return Math.round(share * 100) + "%";
    }

    /** A category label's meaning in plain words, from the taxonomy. */
    static String categoryWords(String label) {
        return plain(Taxonomy.CATEGORIES.getOrDefault(label, ""));
    }

    /** A fix class's remedy in plain words, from the taxonomy. */
    static String fixWords(String fixClass) {
        return plain(Taxonomy.FIX_CLASSES.getOrDefault(fixClass, ""));
    }

    private static String plain(String words) {
        return words.replace("`", "");
    }

    /**
     * {@code url} when it is an absolute http(s) address, else empty: a value from an event or an alert is
     * never rendered as a {@code javascript:} or other link.
     */
    static String safeLink(String url) {
        if (url == null || url.isBlank()) {
            return "";
        }
        try {
            URI u = new URI(url.strip());
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            return (scheme.equals("http") || scheme.equals("https")) && u.getHost() != null ? u.toString() : "";
        } catch (URISyntaxException e) {
            return "";
        }
    }

    /** The short form of a signature shown in tables (the full one is in its title). */
    static String shortSignature(String signature) {
        return signature.length() <= 8 ? signature : signature.substring(0, 8);
    }
}
