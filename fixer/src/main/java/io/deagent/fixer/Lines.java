package io.deagent.fixer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Line arithmetic on UTF-8 source bytes. Lines are 0-based here (tree-sitter rows); a line's end is the offset
 * of its line break ({@code \r} of {@code \r\n}, or {@code \n}), or the end of the source for a last line
 * without one.
 */
final class Lines {

    private final byte[] source;
    private final int[] starts;

    Lines(byte[] source) {
        this.source = source;
        List<Integer> s = new ArrayList<>();
        s.add(0);
        for (int i = 0; i < source.length; i++) {
            if (source[i] == '\n' && i + 1 < source.length) {
                s.add(i + 1);
            }
        }
        this.starts = s.stream().mapToInt(Integer::intValue).toArray();
    }

    int count() {
        return starts.length;
    }

    /** The line that holds the byte at {@code offset} (an offset at a line break belongs to that line). */
    int lineOf(int offset) {
        int lo = 0;
        int hi = starts.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (starts[mid] <= offset) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    int start(int line) {
        return starts[line];
    }

    int end(int line) {
        int e = line + 1 < starts.length ? starts[line + 1] - 1 : source.length;
        if (e < source.length && source[e] == '\n' && e > starts[line] && source[e - 1] == '\r') {
            return e - 1;
        }
        if (e == source.length && e > starts[line] && source[e - 1] == '\n') {
            e--;
            if (e > starts[line] && source[e - 1] == '\r') {
                e--;
            }
        }
        return e;
    }

    String text(int line) {
        return new String(source, start(line), end(line) - start(line), StandardCharsets.UTF_8);
    }

    /** The spaces and tabs that start the line. */
    String indentation(int line) {
        int i = start(line);
        int e = end(line);
        while (i < e && (source[i] == ' ' || source[i] == '\t')) {
            i++;
        }
        return new String(source, start(line), i - start(line), StandardCharsets.UTF_8);
    }

    /** True when only spaces and tabs stand between the start of its line and {@code offset}. */
    boolean startsLine(int offset) {
        for (int i = start(lineOf(offset)); i < offset; i++) {
            if (source[i] != ' ' && source[i] != '\t') {
                return false;
            }
        }
        return true;
    }

    /** True when only spaces and tabs stand between {@code offset} and the end of its line. */
    boolean endsLine(int offset) {
        int e = end(lineOf(offset));
        for (int i = offset; i < e; i++) {
            if (source[i] != ' ' && source[i] != '\t') {
                return false;
            }
        }
        return true;
    }

    /** The offset just after the last non-blank byte of the line (its start when the line is blank). */
    int contentEnd(int line) {
        int e = end(line);
        while (e > start(line) && (source[e - 1] == ' ' || source[e - 1] == '\t')) {
            e--;
        }
        return e;
    }

    /** The line break the file uses: {@code \r\n} when its first line ends so, else {@code \n}. */
    String lineBreak() {
        for (int i = 0; i < source.length; i++) {
            if (source[i] == '\n') {
                return i > 0 && source[i - 1] == '\r' ? "\r\n" : "\n";
            }
        }
        return "\n";
    }
}
