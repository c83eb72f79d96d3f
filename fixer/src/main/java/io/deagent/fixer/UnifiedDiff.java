package io.deagent.fixer;

import java.util.ArrayList;
import java.util.List;

/**
 * A unified diff ({@code --- a/path}, {@code +++ b/path}, {@code @@ -l,n +l,n @@} hunks, 3 lines of context) so
 * that people and {@code git apply} can read a proposal. Line-based LCS after trimming the common prefix and
 * suffix: codemod changes are small, so the quadratic middle stays tiny.
 */
public final class UnifiedDiff {

    static final int CONTEXT = 3;
    private static final String NO_NEWLINE = "\\ No newline at end of file\n";

    private UnifiedDiff() {}

    /** The diff, or the empty string when the texts are equal. */
    public static String of(String path, String before, String after) {
        List<Line> a = lines(before);
        List<Line> b = lines(after);
        List<Op> ops = editScript(a, b);
        if (ops.stream().allMatch(op -> op.kind == ' ')) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        out.append("--- a/").append(path).append('\n');
        out.append("+++ b/").append(path).append('\n');
        for (int[] range : hunkRanges(ops)) {
            appendHunk(out, ops, range[0], range[1]);
        }
        return out.toString();
    }

    /** One line without its terminator; {@code eol} is false only for a last line with no newline. */
    private record Line(String text, boolean eol) {}

    /** One step of the edit script: ' ' keep, '-' delete, '+' insert, with 0-based line indexes. */
    private record Op(char kind, Line line, int aIndex, int bIndex) {}

    private static List<Line> lines(String s) {
        List<Line> out = new ArrayList<>();
        int start = 0;
        while (start < s.length()) {
            int nl = s.indexOf('\n', start);
            if (nl < 0) {
                out.add(new Line(s.substring(start), false));
                break;
            }
            out.add(new Line(s.substring(start, nl), true));
            start = nl + 1;
        }
        return out;
    }

    private static List<Op> editScript(List<Line> a, List<Line> b) {
        int prefix = 0;
        while (prefix < a.size() && prefix < b.size() && a.get(prefix).equals(b.get(prefix))) {
            prefix++;
        }
        int suffix = 0;
        while (suffix < a.size() - prefix
                && suffix < b.size() - prefix
                && a.get(a.size() - 1 - suffix).equals(b.get(b.size() - 1 - suffix))) {
            suffix++;
        }
        List<Op> ops = new ArrayList<>();
        for (int i = 0; i < prefix; i++) {
            ops.add(new Op(' ', a.get(i), i, i));
        }
        middle(ops, a, b, prefix, a.size() - suffix, prefix, b.size() - suffix);
        for (int k = suffix; k > 0; k--) {
            ops.add(new Op(' ', a.get(a.size() - k), a.size() - k, b.size() - k));
        }
        return ops;
    }

    /** Classic LCS table over the changed middle; deletions before insertions, as diff tools print them. */
    private static void middle(List<Op> ops, List<Line> a, List<Line> b, int a0, int a1, int b0, int b1) {
        int n = a1 - a0;
        int m = b1 - b0;
        int[][] lcs = new int[n + 1][m + 1];
        for (int i = n - 1; i >= 0; i--) {
            for (int j = m - 1; j >= 0; j--) {
                lcs[i][j] = a.get(a0 + i).equals(b.get(b0 + j))
                        ? lcs[i + 1][j + 1] + 1
                        : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        int i = 0;
        int j = 0;
        while (i < n || j < m) {
            if (i < n && j < m && a.get(a0 + i).equals(b.get(b0 + j))) {
                ops.add(new Op(' ', a.get(a0 + i), a0 + i, b0 + j));
                i++;
                j++;
            } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
                ops.add(new Op('-', a.get(a0 + i), a0 + i, b0 + j));
                i++;
            } else {
                ops.add(new Op('+', b.get(b0 + j), a0 + i, b0 + j));
                j++;
            }
        }
    }

    /** [from, to) op ranges of each hunk: changes closer than 2 * CONTEXT kept lines share a hunk. */
    private static List<int[]> hunkRanges(List<Op> ops) {
        List<int[]> ranges = new ArrayList<>();
        int i = 0;
        while (i < ops.size()) {
            if (ops.get(i).kind == ' ') {
                i++;
                continue;
            }
            int from = Math.max(0, i - CONTEXT);
            int lastChange = i;
            int j = i + 1;
            while (j < ops.size()) {
                if (ops.get(j).kind != ' ') {
                    lastChange = j;
                } else if (j - lastChange > 2 * CONTEXT) {
                    break;
                }
                j++;
            }
            int to = Math.min(ops.size(), lastChange + 1 + CONTEXT);
            ranges.add(new int[] {from, to});
            i = to;
        }
        return ranges;
    }

    private static void appendHunk(StringBuilder out, List<Op> ops, int from, int to) {
        int aLen = 0;
        int bLen = 0;
        for (int k = from; k < to; k++) {
            char kind = ops.get(k).kind;
            aLen += kind != '+' ? 1 : 0;
            bLen += kind != '-' ? 1 : 0;
        }
        Op first = ops.get(from);
        // an empty range names the line before it (0 at the top of the file), as diff(1) does
        int aStart = aLen == 0 ? first.aIndex : first.aIndex + 1;
        int bStart = bLen == 0 ? first.bIndex : first.bIndex + 1;
        out.append("@@ -")
                .append(aStart)
                .append(',')
                .append(aLen)
                .append(" +")
                .append(bStart)
                .append(',')
                .append(bLen)
                .append(" @@\n");
        for (int k = from; k < to; k++) {
            Op op = ops.get(k);
            out.append(op.kind).append(op.line.text).append('\n');
            if (!op.line.eol) {
                out.append(NO_NEWLINE);
            }
        }
    }
}
