package io.deagent.sources.airflow;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Airflow 2's JSON log form often carries {@code content} as the Python {@code str()} of a list of
 * {@code (host, text)} tuples, e.g. {@code [('worker-3', '[2026-…] INFO - …\n')]}. This reads that repr back into
 * the log texts; it understands Python string literals (either quote, the usual escapes) and nothing more.
 */
final class PythonLogRepr {

    private final String s;
    private int i;

    private PythonLogRepr(String s) {
        this.s = s;
    }

    /** The texts of the tuples, in order; empty when {@code content} is not such a repr (then it is the log). */
    static Optional<List<String>> texts(String content) {
        String trimmed = content.strip();
        if (!trimmed.startsWith("[(") || !trimmed.endsWith(")]")) {
            return Optional.empty();
        }
        try {
            return Optional.of(new PythonLogRepr(trimmed).list());
        } catch (IllegalArgumentException notRepr) {
            return Optional.empty();
        }
    }

    private List<String> list() {
        List<String> texts = new ArrayList<>();
        expect('[');
        skipSpace();
        while (peek() == '(') {
            i++;
            skipSpace();
            string(); // the host: the task instance fact already names it
            skipSpace();
            expect(',');
            skipSpace();
            texts.add(string());
            skipSpace();
            expect(')');
            skipSpace();
            if (peek() == ',') {
                i++;
                skipSpace();
            }
        }
        expect(']');
        skipSpace();
        if (i != s.length()) {
            throw new IllegalArgumentException("trailing text");
        }
        return texts;
    }

    private String string() {
        char quote = s.charAt(i);
        if (quote != '\'' && quote != '"') {
            throw new IllegalArgumentException("not a string at " + i);
        }
        i++;
        StringBuilder out = new StringBuilder();
        while (true) {
            if (i >= s.length()) {
                throw new IllegalArgumentException("unterminated string");
            }
            char c = s.charAt(i++);
            if (c == quote) {
                return out.toString();
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (i >= s.length()) {
                throw new IllegalArgumentException("unterminated escape");
            }
            char e = s.charAt(i++);
            switch (e) {
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'a' -> out.append('\u0007');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'v' -> out.append('\u000b');
                case '0' -> out.append('\0');
                case 'x' -> out.appendCodePoint(hex(2));
                case 'u' -> out.appendCodePoint(hex(4));
                case 'U' -> out.appendCodePoint(hex(8));
                case '\n' -> {} // a line continuation
                default -> out.append(e); // \\ \' \" and unknown escapes keep the character, as Python does
            }
        }
    }

    private int hex(int digits) {
        if (i + digits > s.length()) {
            throw new IllegalArgumentException("short escape");
        }
        int cp = Integer.parseInt(s.substring(i, i + digits), 16);
        i += digits;
        return cp;
    }

    private void expect(char c) {
        if (peek() != c) {
            throw new IllegalArgumentException("expected " + c + " at " + i);
        }
        i++;
    }

    private char peek() {
        return i < s.length() ? s.charAt(i) : '\0';
    }

    private void skipSpace() {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
    }
}
