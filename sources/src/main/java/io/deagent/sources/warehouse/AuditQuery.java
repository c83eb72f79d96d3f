package io.deagent.sources.warehouse;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A team's own audit query ({@code DE_AGENT_AUDIT_QUERY}) with named parameters {@code :dag_id}, {@code :task_id},
 * {@code :run_id}, {@code :model} and {@code :test}, rewritten to positional {@code ?} so that event values are
 * always bound, never spliced into the SQL text.
 *
 * <p>The rewrite reads the SQL the way the server does: text inside string literals, quoted identifiers,
 * dollar quotes and comments is left alone, and a PostgreSQL cast {@code ::type} is not a parameter. A literal
 * {@code ?} outside those is refused, since the driver would take it for a placeholder.
 */
public record AuditQuery(String text, String sql, List<String> parameters) {

    public static final Set<String> KNOWN = Set.of("dag_id", "task_id", "run_id", "model", "test");

    public AuditQuery {
        parameters = List.copyOf(parameters);
    }

    public static AuditQuery parse(String text) {
        return new Rewriter(text).rewrite();
    }

    /**
     * The values in placeholder order; an absent value is bound as SQL NULL, so a query can say
     * {@code (:run_id is null or run_id = :run_id)}.
     */
    public List<Object> bind(Map<String, Optional<String>> values) {
        List<Object> bound = new ArrayList<>(parameters.size());
        for (String name : parameters) {
            bound.add(values.getOrDefault(name, Optional.empty()).orElse(null));
        }
        return Collections.unmodifiableList(bound);
    }

    private static final class Rewriter {
        private final String in;
        private final StringBuilder out = new StringBuilder();
        private final List<String> names = new ArrayList<>();
        private int i;

        Rewriter(String in) {
            this.in = in;
        }

        AuditQuery rewrite() {
            while (i < in.length()) {
                char c = in.charAt(i);
                if (c == '\'') {
                    boolean escapes = i > 0 && (in.charAt(i - 1) == 'E' || in.charAt(i - 1) == 'e');
                    copyQuoted('\'', escapes, "string literal");
                } else if (c == '"') {
                    copyQuoted('"', false, "quoted identifier");
                } else if (in.startsWith("--", i)) {
                    copyUntil("\n", true);
                } else if (in.startsWith("/*", i)) {
                    copyUntil("*/", false);
                } else if (c == '$' && dollarTag().isPresent()) {
                    copyDollarQuoted(dollarTag().get());
                } else if (in.startsWith("::", i)) {
                    out.append("::");
                    i += 2;
                } else if (c == ':' && i + 1 < in.length() && isNameStart(in.charAt(i + 1))) {
                    parameter();
                } else if (c == '?') {
                    throw new IllegalArgumentException(WarehouseSettings.AUDIT_QUERY
                            + " must use named parameters (:dag_id, :task_id, :run_id, :model, :test),"
                            + " not '?' (at character " + (i + 1) + ")");
                } else {
                    out.append(c);
                    i++;
                }
            }
            return new AuditQuery(in, out.toString(), names);
        }

        private void parameter() {
            int start = i + 1;
            int end = start;
            while (end < in.length() && isNamePart(in.charAt(end))) {
                end++;
            }
            String name = in.substring(start, end);
            if (!KNOWN.contains(name)) {
                throw new IllegalArgumentException(WarehouseSettings.AUDIT_QUERY + ": unknown parameter :" + name
                        + " (known: :dag_id, :task_id, :run_id, :model, :test)");
            }
            names.add(name);
            out.append('?');
            i = end;
        }

        private void copyQuoted(char quote, boolean backslashEscapes, String what) {
            int start = i;
            out.append(quote);
            i++;
            while (i < in.length()) {
                char c = in.charAt(i);
                if (backslashEscapes && c == '\\' && i + 1 < in.length()) {
                    out.append(c).append(in.charAt(i + 1));
                    i += 2;
                    continue;
                }
                out.append(c);
                i++;
                if (c == quote) {
                    if (i < in.length() && in.charAt(i) == quote) { // doubled quote: still inside
                        out.append(quote);
                        i++;
                    } else {
                        return;
                    }
                }
            }
            throw new IllegalArgumentException(
                    WarehouseSettings.AUDIT_QUERY + ": unterminated " + what + " at character " + (start + 1));
        }

        private void copyUntil(String end, boolean endOptional) {
            int close = in.indexOf(end, i + 2);
            if (close < 0 && !endOptional) {
                throw new IllegalArgumentException(
                        WarehouseSettings.AUDIT_QUERY + ": unterminated comment at character " + (i + 1));
            }
            int stop = close < 0 ? in.length() : close + end.length();
            out.append(in, i, stop);
            i = stop;
        }

        private Optional<String> dollarTag() {
            int j = i + 1;
            while (j < in.length() && isNamePart(in.charAt(j)) && !(j == i + 1 && Character.isDigit(in.charAt(j)))) {
                j++;
            }
            return j < in.length() && in.charAt(j) == '$' ? Optional.of(in.substring(i, j + 1)) : Optional.empty();
        }

        private void copyDollarQuoted(String tag) {
            int close = in.indexOf(tag, i + tag.length());
            if (close < 0) {
                throw new IllegalArgumentException(
                        WarehouseSettings.AUDIT_QUERY + ": unterminated " + tag + " quote at character " + (i + 1));
            }
            int stop = close + tag.length();
            out.append(in, i, stop);
            i = stop;
        }

        private static boolean isNameStart(char c) {
            return Character.isLetter(c) || c == '_';
        }

        private static boolean isNamePart(char c) {
            return Character.isLetterOrDigit(c) || c == '_';
        }
    }
}
