package io.deagent.fixer;

import io.deagent.core.Diagnosis;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.treesitter.TSNode;

/**
 * The trailing comment a codemod leaves on every line it edits: {@code # de-agent: <category> <signature>}, the
 * diagnosis' category and failure signature.
 *
 * <p>This is what makes a codemod idempotent. Raising memory is an escalation (doubling 4g gives 8g, and again
 * 16g), so "the value is already high enough" cannot tell a second run of the same fix from a new one. The marker
 * can: a second run for the same category and signature finds it and changes nothing. The signature is stable
 * across runs of the same failure, so when the task fails again in the same way after the change, de-agent does
 * not escalate on its own either: it says so, and a person decides (deleting the marker lets it act again). A
 * different failure (another signature) may still be fixed. The marker also shows reviewers which lines a
 * codemod wrote, and why.
 *
 * <p>A comment cannot follow a backslash continuation or sit inside a string that spans lines, so such a marker
 * moves down to the first line of the statement where a comment is legal.
 */
final class Markers {

    private static final Pattern MARKER = Pattern.compile("de-agent: ([a-z_]+) ([A-Za-z0-9._-]+)");
    private static final int SIGNATURE_CHARS = 16;

    private Markers() {}

    /** The diagnosis' signature as it is written in a marker: at most 16 of {@code [A-Za-z0-9._-]}. */
    static String signatureOf(Diagnosis d) {
        String s = d.signature() == null ? "" : d.signature().replaceAll("[^A-Za-z0-9._-]", "");
        if (s.length() > SIGNATURE_CHARS) {
            s = s.substring(0, SIGNATURE_CHARS);
        }
        return s.isEmpty() ? "unsigned" : s;
    }

    static String comment(String category, String signature) {
        return "# de-agent: " + category + " " + signature;
    }

    /** The 1-based line of a marker for this category and signature, if the file has one. */
    static Optional<Integer> find(PythonCst cst, String category, String signature) {
        for (TSNode comment : cst.nodes("comment")) {
            Matcher m = MARKER.matcher(cst.text(comment));
            while (m.find()) {
                if (m.group(1).equals(category) && m.group(2).equals(signature)) {
                    return Optional.of(cst.line(comment) + 1);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The patched bytes with a marker at the end of every line an edit wrote something on (or, for a deletion,
     * the line it deleted from), or empty when a marker cannot be placed as a comment there (the result is
     * re-parsed to check that each marker is one).
     */
    static Optional<byte[]> mark(Patch patch, String category, String signature) {
        byte[] after = patch.bytes();
        SortedSet<Integer> touched = touchedLines(after, patch.written());
        String marker = comment(category, signature);
        List<Edit> edits = new ArrayList<>();
        int markersBefore;
        try (PythonCst cst = PythonCst.parse(after)) {
            markersBefore = count(cst, marker);
            List<TSNode> spanning = new ArrayList<>();
            for (TSNode n : cst.nodes("string", "line_continuation")) {
                if (cst.line(n) != cst.lines().lineOf(n.getEndByte())) {
                    spanning.add(n);
                }
            }
            Lines lines = cst.lines();
            SortedSet<Integer> targets = new TreeSet<>();
            for (int line : touched) {
                int target = line;
                while (target < lines.count() && continues(spanning, lines.end(target))) {
                    target++;
                }
                if (target >= lines.count()) {
                    return Optional.empty();
                }
                targets.add(target);
            }
            for (int target : targets) {
                if (!lines.text(target).contains(marker.substring(2))) {
                    int at = lines.contentEnd(target);
                    edits.add(Edit.insert(at, at == lines.start(target) ? marker : "  " + marker));
                }
            }
        }
        byte[] marked = Edit.apply(after, edits);
        try (PythonCst check = PythonCst.parse(marked)) {
            if (check.hasErrors() || count(check, marker) != markersBefore + edits.size()) {
                return Optional.empty();
            }
        }
        return Optional.of(marked);
    }

    /**
     * The lines holding text an edit wrote, and the lines where an edit only deleted. Blanks, line breaks and the
     * comma that separates a new item from the one before are layout, not text: a line that only gained those is
     * not marked.
     */
    private static SortedSet<Integer> touchedLines(byte[] after, List<Patch.Written> written) {
        Lines lines = new Lines(after);
        SortedSet<Integer> out = new TreeSet<>();
        for (Patch.Written w : written) {
            boolean any = false;
            for (int i = w.start(); i < w.end(); i++) {
                byte b = after[i];
                if (b != ' ' && b != '\t' && b != '\r' && b != '\n' && b != ',') {
                    out.add(lines.lineOf(i));
                    any = true;
                }
            }
            if (!any) {
                out.add(lines.lineOf(Math.min(w.start(), Math.max(0, after.length - 1))));
            }
        }
        return out;
    }

    /** True when the line break at {@code lineEnd} is inside a string or ends a backslash continuation. */
    private static boolean continues(List<TSNode> spanning, int lineEnd) {
        for (TSNode n : spanning) {
            if (n.getStartByte() <= lineEnd && lineEnd < n.getEndByte()) {
                return true;
            }
        }
        return false;
    }

    private static int count(PythonCst cst, String marker) {
        int n = 0;
        for (TSNode comment : cst.nodes("comment")) {
            String text = cst.text(comment);
            for (int i = text.indexOf(marker.substring(2)); i >= 0; i = text.indexOf(marker.substring(2), i + 1)) {
                n++;
            }
        }
        return n;
    }
}
