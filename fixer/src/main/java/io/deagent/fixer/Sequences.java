package io.deagent.fixer;

import java.util.List;
import org.treesitter.TSNode;

/**
 * Inserts an item into a bracketed sequence (a list, a dict, the arguments of a call) in the layout the
 * sequence already has: inline items get {@code , item}; items written one per line get a new line with the
 * same indentation, after any comment that ends the anchor's line, so comments stay with the items they describe.
 */
final class Sequences {

    private Sequences() {}

    /**
     * The edit that puts {@code item} right after the row of items {@code [rowStart, rowEnd)} (one item, or a
     * {@code "--conf", "k=v"} pair) of {@code container}.
     */
    static Edit insertAfter(PythonCst cst, TSNode container, int rowStart, int rowEnd, String item) {
        Lines lines = cst.lines();
        byte[] source = cst.source();
        TSNode comma = commaAfter(container, rowEnd);
        boolean ownLine =
                lines.startsLine(rowStart) && lines.lineOf(rowStart) != lines.lineOf(container.getStartByte());
        if (!ownLine) {
            // inline: "a, b" becomes "a, NEW, b"; a trailing "a," becomes "a, NEW,"
            return Edit.insert(rowEnd, ", " + item);
        }
        String indent = lines.indentation(lines.lineOf(rowStart));
        String lineBreak = lines.lineBreak();
        if (comma != null) {
            int afterComma = comma.getEndByte();
            int lineEnd = lines.end(lines.lineOf(afterComma));
            if (restIsComment(cst, afterComma, lineEnd)) {
                return Edit.insert(lineEnd, lineBreak + indent + item + ",");
            }
            return Edit.insert(afterComma, " " + item + ",");
        }
        // the last item, without a trailing comma: add one, then the new item on its own line
        int lineEnd = lines.end(lines.lineOf(rowEnd));
        if (restIsComment(cst, rowEnd, lineEnd)) {
            String rest = new String(source, rowEnd, lineEnd - rowEnd, java.nio.charset.StandardCharsets.UTF_8);
            return new Edit(rowEnd, lineEnd, "," + rest + lineBreak + indent + item);
        }
        return Edit.insert(rowEnd, "," + lineBreak + indent + item);
    }

    /** The edit that puts the first item into an empty container: {@code {}} becomes {@code {item}}. */
    static Edit insertFirst(TSNode container, String item) {
        return Edit.insert(container.getStartByte() + 1, item);
    }

    /** The last item of a container (a list, dict or argument list), comments left out; null when empty. */
    static TSNode lastItem(TSNode container) {
        List<TSNode> items = PythonCst.namedChildren(container);
        return items.isEmpty() ? null : items.getLast();
    }

    /** The comma that directly follows the byte {@code at} among the container's children, if any. */
    private static TSNode commaAfter(TSNode container, int at) {
        for (int i = 0; i < container.getChildCount(); i++) {
            TSNode child = container.getChild(i);
            if (child.getStartByte() < at) {
                continue;
            }
            if (child.getType().equals(",")) {
                return child;
            }
            if (!child.getType().equals("comment")) {
                return null;
            }
        }
        return null;
    }

    /** True when only blanks and at most one comment stand in {@code [from, lineEnd)}. */
    private static boolean restIsComment(PythonCst cst, int from, int lineEnd) {
        byte[] s = cst.source();
        int i = from;
        while (i < lineEnd && (s[i] == ' ' || s[i] == '\t')) {
            i++;
        }
        return i == lineEnd || s[i] == '#';
    }
}
