package io.deagent.app;

import io.deagent.core.Diagnosis;
import io.deagent.core.Taxonomy;
import java.util.Locale;
import java.util.Map;

/** The report an on-call engineer reads at 3 a.m.: headline, why with proof, what to do, entities. */
final class HumanReport {

    private static final java.util.regex.Pattern AIRFLOW_PREFIX =
            java.util.regex.Pattern.compile("^\\[[^\\]]{8,40}\\] \\{\\{?[^}\\s]+\\}\\}? (?:INFO|WARNING|DEBUG) - ");
    private static final java.util.regex.Pattern LOG4J_PREFIX =
            java.util.regex.Pattern.compile("^\\d{2}/\\d{2}/\\d{2} \\d{2}:\\d{2}:\\d{2} (WARN|ERROR|INFO|FATAL) ");

    private final boolean colour;
    private final StringBuilder out = new StringBuilder();

    private HumanReport(boolean colour) {
        this.colour = colour;
    }

    static String render(Diagnosis d, boolean colour) {
        return new HumanReport(colour).write(d);
    }

    private String write(Diagnosis d) {
        boolean unknown = d.category().equals(Taxonomy.UNKNOWN);
        line(style(unknown ? "33;1" : "31;1", (unknown ? "? " : "✗ ") + d.title()));
        line(style(
                "2",
                d.category() + " · " + Taxonomy.CATEGORIES.getOrDefault(d.category(), "")
                        + " · confidence " + String.format(Locale.ROOT, "%.2f", d.confidence())
                        + (d.transience().equals("transient") ? " · likely transient: a retry may pass" : "")));
        d.recurrence()
                .ifPresent(r -> line(style(
                        "2",
                        r.seen() <= 1
                                ? "New: the first time this failure was seen for this task"
                                : "Seen " + r.seen() + " times for this task since "
                                        + r.firstSeen().orElse("?").replaceFirst("\\.\\d+Z$", "Z"))));
        line("");
        line(style("1", "Why"));
        wrap(d.summary(), "  ");
        d.rootCause()
                .ifPresent(r -> wrap(
                        "Root cause: " + r.exception() + (r.message().isEmpty() ? "" : ": " + r.message()) + " (line "
                                + r.line() + ")",
                        "  "));
        if (!d.evidence().isEmpty()) {
            int width = d.evidence().stream()
                    .mapToInt(e -> String.valueOf(e.line()).length())
                    .max()
                    .orElse(1);
            for (Diagnosis.EvidenceLine e : d.evidence()) {
                if (e.line() <= 0) {
                    // a measurement from a source, not a line of the log
                    line("    " + style("2", e.source() + " │ ") + clip(e.text(), 160));
                    continue;
                }
                String num = String.format(Locale.ROOT, "%" + width + "d", e.line());
                line("    " + style("2", num + " │ ") + clip(withoutPrefixes(e.text()), 160));
            }
        }
        line("");
        line(style("1", "What to do") + style("2", "  (" + d.fix().fixClass() + ")"));
        int n = 1;
        for (String step : d.fix().steps()) {
            wrap(step, "  " + n++ + ". ", "     ");
        }
        if (!d.entities().isEmpty()) {
            line("");
            line(style("1", "Entities"));
            int w = d.entities().keySet().stream()
                    .mapToInt(String::length)
                    .max()
                    .orElse(0);
            for (Map.Entry<String, String> e : d.entities().entrySet()) {
                line("  " + style("2", pad(e.getKey(), w)) + "  " + clip(e.getValue(), 140));
            }
        }
        if (!d.missingEvidence().isEmpty()) {
            line("");
            line(style("1", "Missing evidence"));
            d.missingEvidence().forEach(m -> line("  - " + m));
        }
        line("");
        line(style(
                "2",
                "signature " + d.signature()
                        + d.ruleId().map(r -> " · rule " + r).orElse("")
                        + " · " + String.format(Locale.ROOT, "%,d", d.log().lines()) + " lines read ("
                        + d.log().encoding()
                        + ")" + " · explained by " + d.explainedBy()));
        return out.toString();
    }

    /** Timestamps and logger prefixes say little at 3 a.m.; the JSON keeps the line verbatim. */
    static String withoutPrefixes(String text) {
        String s = AIRFLOW_PREFIX.matcher(text).replaceFirst("");
        return LOG4J_PREFIX.matcher(s).replaceFirst("$1 ");
    }

    private void line(String s) {
        out.append(s).append('\n');
    }

    private void wrap(String text, String indent) {
        wrap(text, indent, indent);
    }

    /** Wraps at 100 columns; the first line gets {@code first}, the rest {@code rest}. */
    private void wrap(String text, String first, String rest) {
        StringBuilder current = new StringBuilder(first);
        int len = first.length();
        for (String word : text.split(" ")) {
            if (len + word.length() > 100 && len > rest.length()) {
                line(current.toString().stripTrailing());
                current = new StringBuilder(rest);
                len = rest.length();
            }
            current.append(word).append(' ');
            len += word.length() + 1;
        }
        line(current.toString().stripTrailing());
    }

    private String style(String code, String s) {
        return colour ? "\u001B[" + code + "m" + s + "\u001B[0m" : s;
    }

    private static String pad(String s, int w) {
        return s + " ".repeat(Math.max(0, w - s.length()));
    }

    private static String clip(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
