package io.deagent.sources.redshift;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.redshiftdata.model.SqlParameter;

/**
 * Turns JDBC-style SQL ({@code ?} placeholders, values in order) into what the Data API takes: named
 * placeholders {@code :p1, :p2, …} and string-valued parameters. A {@code ?} inside a string literal, a quoted
 * identifier, a dollar-quoted string or a comment is text, not a placeholder.
 *
 * <p>The Data API has no NULL parameter and refuses an empty value, so those two are written into the SQL as
 * {@code NULL} and {@code ''}: both are constants, never event text, so nothing from outside becomes SQL.
 */
record NamedParameters(String sql, List<SqlParameter> parameters) {

    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);

    static NamedParameters of(String sql, List<?> values) {
        StringBuilder out = new StringBuilder(sql.length() + 8 * values.size());
        List<SqlParameter> parameters = new ArrayList<>();
        int next = 0;
        int i = 0;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            int skipTo = skipQuoted(sql, i);
            if (skipTo > i) {
                out.append(sql, i, skipTo);
                i = skipTo;
                continue;
            }
            if (c == '?') {
                if (next >= values.size()) {
                    throw new IllegalArgumentException(
                            "the SQL has more ? placeholders than the " + values.size() + " values given");
                }
                Object value = values.get(next++);
                String text = text(value);
                if (value == null) {
                    out.append("NULL");
                } else if (text.isEmpty()) {
                    out.append("''");
                } else {
                    String name = "p" + next;
                    out.append(':').append(name);
                    parameters.add(SqlParameter.builder().name(name).value(text).build());
                }
            } else {
                out.append(c);
            }
            i++;
        }
        if (next != values.size()) {
            throw new IllegalArgumentException(
                    "the SQL has " + next + " ? placeholders but " + values.size() + " values were given");
        }
        return new NamedParameters(out.toString(), List.copyOf(parameters));
    }

    /** Where a literal, quoted identifier or comment starting at {@code i} ends; {@code i} when none starts. */
    private static int skipQuoted(String sql, int i) {
        char c = sql.charAt(i);
        if (c == '\'' || c == '"') {
            int j = i + 1;
            while (j < sql.length()) {
                if (sql.charAt(j) == c) {
                    if (j + 1 < sql.length() && sql.charAt(j + 1) == c) {
                        j += 2; // a doubled quote is the quote character itself
                        continue;
                    }
                    return j + 1;
                }
                j++;
            }
            return sql.length();
        }
        if (c == '-' && sql.startsWith("--", i)) {
            int end = sql.indexOf('\n', i);
            return end < 0 ? sql.length() : end + 1;
        }
        if (c == '/' && sql.startsWith("/*", i)) {
            int end = sql.indexOf("*/", i + 2);
            return end < 0 ? sql.length() : end + 2;
        }
        if (c == '$') {
            int close = sql.indexOf('$', i + 1);
            if (close > i) {
                String tag = sql.substring(i, close + 1);
                if (tag.substring(1, tag.length() - 1).matches("[A-Za-z_]*")) {
                    int end = sql.indexOf(tag, close + 1);
                    return end < 0 ? sql.length() : end + tag.length();
                }
            }
        }
        return i;
    }

    /** How a value reads as text in Redshift: what a cast from a string literal accepts. */
    static String text(Object value) {
        return switch (value) {
            case null -> "";
            case BigDecimal d -> d.toPlainString();
            case Instant t -> TIMESTAMP.format(t);
            case TemporalAccessor t -> t.toString();
            default -> value.toString();
        };
    }
}
