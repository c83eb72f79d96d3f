package io.deagent.fixer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Replaces the bytes {@code [start, end)} of a source with the UTF-8 encoding of {@code text}. Offsets are UTF-8
 * byte offsets, as tree-sitter reports them; an insertion has {@code start == end}.
 */
record Edit(int start, int end, String text) {

    Edit {
        if (start < 0 || end < start) {
            throw new IllegalArgumentException("bad edit range [" + start + ", " + end + ")");
        }
    }

    static Edit insert(int at, String text) {
        return new Edit(at, at, text);
    }

    static Edit delete(int start, int end) {
        return new Edit(start, end, "");
    }

    /** Applies edits that do not overlap; every byte outside them is copied as is. */
    static byte[] apply(byte[] source, List<Edit> edits) {
        List<Edit> sorted = new ArrayList<>(edits);
        sorted.sort(Comparator.comparingInt(Edit::start).thenComparingInt(Edit::end));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).start() < sorted.get(i - 1).end()) {
                throw new IllegalArgumentException("overlapping edits " + sorted.get(i - 1) + " and " + sorted.get(i));
            }
        }
        var out = new java.io.ByteArrayOutputStream(source.length + 64);
        int at = 0;
        for (Edit e : sorted) {
            if (e.end() > source.length) {
                throw new IllegalArgumentException("edit past the end of the source: " + e);
            }
            out.write(source, at, e.start() - at);
            out.writeBytes(e.text().getBytes(StandardCharsets.UTF_8));
            at = e.end();
        }
        out.write(source, at, source.length - at);
        return out.toByteArray();
    }

    static byte[] apply(byte[] source, Edit edit) {
        return apply(source, List.of(edit));
    }
}
