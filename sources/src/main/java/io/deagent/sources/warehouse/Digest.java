package io.deagent.sources.warehouse;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The readable text a warehouse source returns: one line per row, newest first, values quoted so a message
 * with quotes or newlines stays on its line. Capped in bytes by keeping the head (the newest rows), unlike a
 * log, whose tail is kept.
 */
final class Digest {

    static final int MAX_VALUE_CHARS = 500;
    static final int MAX_FACT_CHARS = 2000;

    private final List<String> lines = new ArrayList<>();
    private final Map<String, String> facts = new LinkedHashMap<>();

    void line(String line) {
        lines.add(line);
    }

    boolean isEmpty() {
        return lines.isEmpty();
    }

    int lineCount() {
        return lines.size();
    }

    /** The first value for a key wins: rows arrive newest first. */
    void fact(String key, Object value) {
        if (value != null && !value.toString().isBlank()) {
            facts.putIfAbsent(key, cut(value.toString().strip(), MAX_FACT_CHARS));
        }
    }

    void fact(String key, Optional<String> value) {
        value.ifPresent(v -> fact(key, v));
    }

    /** A fact that replaces what was there (counts, notes). */
    void setFact(String key, Object value) {
        facts.put(key, cut(String.valueOf(value), MAX_FACT_CHARS));
    }

    Map<String, String> facts() {
        return facts;
    }

    /** The lines joined, within {@code maxBytes}; {@code truncatedKey} is set when rows were dropped. */
    String text(long maxBytes, String truncatedKey) {
        StringBuilder out = new StringBuilder();
        long bytes = 0;
        int kept = 0;
        for (String line : lines) {
            long size = line.getBytes(StandardCharsets.UTF_8).length + 1L;
            if (bytes + size > maxBytes) {
                break;
            }
            out.append(line).append('\n');
            bytes += size;
            kept++;
        }
        if (kept < lines.size()) {
            facts.put(truncatedKey, "true");
            if (kept == 0 && !lines.isEmpty()) { // not even one line fits: keep the start of the newest
                out.append(cutBytes(lines.getFirst(), maxBytes));
            }
        }
        return out.toString();
    }

    /** {@code "column \"x\" does not exist"}: quotes, backslashes and line breaks escaped, capped. */
    static String quote(Object value) {
        String s = cut(String.valueOf(value).strip(), MAX_VALUE_CHARS);
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append(c);
            }
        }
        return out.append('"').toString();
    }

    static String cut(String s, int maxChars) {
        return s.length() <= maxChars ? s : s.substring(0, maxChars) + "…";
    }

    private static String cutBytes(String s, long maxBytes) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        if (utf8.length <= maxBytes) {
            return s;
        }
        String head = new String(utf8, 0, (int) Math.max(0, maxBytes), StandardCharsets.UTF_8);
        // a multi-byte character cut in half decodes to U+FFFD: drop it
        return head.endsWith("\uFFFD") ? head.substring(0, head.length() - 1) : head;
    }
}
