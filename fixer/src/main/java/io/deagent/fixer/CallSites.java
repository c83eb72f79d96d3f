package io.deagent.fixer;

import io.deagent.core.Diagnosis;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.treesitter.TSNode;

/**
 * Where the diagnosis says the failing code runs, in the file being edited, and what the DataFrame of that line is
 * built from.
 *
 * <p>The diagnosis carries the runtime call site in entity {@code call_site} = {@code "<runtime path>:<line>"}
 * (Spark's call site, or the innermost traceback frame). The runtime path rarely equals the repository path, so
 * the file names (basenames) are compared. Spark evaluates lazily: the line that failed is usually an action
 * ({@code .write}, {@code .collect()}), and the join or aggregation it ran was written earlier. So the lineage of
 * a line follows the names it uses back to their assignments (the latest one before the use, in the same
 * function, else at module level), transitively.
 */
final class CallSites {

    static final String ENTITY = "call_site";
    private static final Pattern CALL_SITE = Pattern.compile("^(.*?)[:](\\d+)(?::\\d+)?$");
    private static final int MAX_ASSIGNMENTS = 200;

    private CallSites() {}

    /** Where a call-site codemod may act in one file. */
    sealed interface Location permits Anywhere, AtLine, Elsewhere {}

    /** The diagnosis has no call site: act only when the file has a single candidate. */
    record Anywhere() implements Location {}

    /** The failing call is at this 1-based line of this file. */
    record AtLine(int line, String callSite) implements Location {}

    /** The failing call is in another file. */
    record Elsewhere(String callSite) implements Location {}

    static Location locate(Diagnosis d, String path) {
        Optional<String> site = Evidence.entity(d, ENTITY);
        if (site.isEmpty()) {
            return new Anywhere();
        }
        Matcher m = CALL_SITE.matcher(site.get());
        if (!m.matches() || m.group(2).length() > 7) {
            return new Anywhere();
        }
        String file = basename(m.group(1).strip());
        return file.equals(basename(path))
                ? new AtLine(Integer.parseInt(m.group(2)), site.get())
                : new Elsewhere(site.get());
    }

    static String basename(String path) {
        String p = path.replace('\\', '/');
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p.substring(p.lastIndexOf('/') + 1);
    }

    /**
     * The expressions evaluated by the statement on a 1-based line: the right side of an assignment, the
     * expression of an expression statement, the header of a {@code for}/{@code if}/{@code with}; empty when no
     * statement covers the line.
     */
    static Optional<TSNode> statementAt(PythonCst cst, int line) {
        int row = line - 1;
        TSNode best = null;
        for (TSNode n : cst.nodes("expression_statement", "return_statement")) {
            if (cst.line(n) <= row
                    && row <= cst.lines().lineOf(n.getEndByte())
                    && (best == null || PythonCst.within(n, best))) {
                best = n;
            }
        }
        if (best != null) {
            TSNode expr = best.getNamedChildCount() > 0 ? best.getNamedChild(0) : null;
            if (expr != null && expr.getType().equals("assignment") && PythonCst.field(expr, "right") != null) {
                return Optional.of(PythonCst.field(expr, "right"));
            }
            return Optional.ofNullable(expr);
        }
        for (TSNode n : cst.nodes("for_statement", "if_statement", "elif_clause", "while_statement")) {
            TSNode header = PythonCst.field(n, n.getType().equals("for_statement") ? "right" : "condition");
            if (header != null && cst.line(header) <= row && row <= cst.lines().lineOf(header.getEndByte())) {
                return Optional.of(header);
            }
        }
        return Optional.empty();
    }

    /** The expression and every assignment it draws from, transitively (the expression first). */
    static List<TSNode> lineage(PythonCst cst, TSNode expression) {
        return lineage(cst, expression, e -> true);
    }

    /** Like {@link #lineage(PythonCst, TSNode)}, keeping (and following) only the expressions that pass. */
    static List<TSNode> lineage(PythonCst cst, TSNode expression, java.util.function.Predicate<TSNode> keep) {
        List<TSNode> assignments = cst.nodes("assignment");
        List<TSNode> out = new ArrayList<>();
        Deque<TSNode> work = new ArrayDeque<>();
        Set<Integer> seen = new HashSet<>();
        work.add(expression);
        while (!work.isEmpty() && out.size() < MAX_ASSIGNMENTS) {
            TSNode expr = work.pop();
            if (!keep.test(expr)) {
                continue;
            }
            out.add(expr);
            for (TSNode id : references(cst, expr)) {
                resolve(cst, assignments, id).ifPresent(a -> {
                    if (seen.add(a.getStartByte())) {
                        work.add(PythonCst.field(a, "right"));
                    }
                });
            }
        }
        return out;
    }

    /** Identifiers an expression reads (not attribute names, not keyword names). */
    static List<TSNode> references(PythonCst cst, TSNode expr) {
        List<TSNode> out = new ArrayList<>();
        PythonCst.walk(expr, n -> {
            if (!n.getType().equals("identifier")) {
                return;
            }
            TSNode parent = PythonCst.parent(n);
            if (parent != null) {
                if (parent.getType().equals("attribute") && PythonCst.same(PythonCst.field(parent, "attribute"), n)) {
                    return;
                }
                if (parent.getType().equals("keyword_argument") && PythonCst.same(PythonCst.field(parent, "name"), n)) {
                    return;
                }
            }
            out.add(n);
        });
        return out;
    }

    /**
     * The assignment a name read at {@code use} comes from: the latest {@code name = ...} that ends before the use
     * in the same function, else the last one at module level.
     */
    static Optional<TSNode> resolve(PythonCst cst, List<TSNode> assignments, TSNode use) {
        String name = cst.text(use);
        TSNode scope = enclosingFunction(use);
        if (scope != null && isParameter(cst, scope, name)) {
            return Optional.empty();
        }
        TSNode best = null;
        TSNode module = null;
        for (TSNode a : assignments) {
            TSNode left = PythonCst.field(a, "left");
            if (left == null
                    || !left.getType().equals("identifier")
                    || !cst.text(left).equals(name)) {
                continue;
            }
            TSNode aScope = enclosingFunction(a);
            if (scope != null && aScope != null && PythonCst.same(aScope, scope)) {
                if (a.getEndByte() <= use.getStartByte() && (best == null || a.getStartByte() > best.getStartByte())) {
                    best = a;
                }
            } else if (aScope == null) {
                boolean before = a.getEndByte() <= use.getStartByte();
                if (scope != null || before) {
                    // inside a function a module-level name has its last value; at module level, the latest before
                    if (module == null || a.getStartByte() > module.getStartByte()) {
                        module = a;
                    }
                }
            }
        }
        return Optional.ofNullable(best != null ? best : module);
    }

    private static boolean isParameter(PythonCst cst, TSNode function, String name) {
        TSNode params = PythonCst.field(function, "parameters");
        if (params == null) {
            return false;
        }
        boolean[] found = {false};
        PythonCst.walk(
                params,
                n -> found[0] |= n.getType().equals("identifier") && cst.text(n).equals(name));
        return found[0];
    }

    /** The function whose body holds a node, or null at module level. */
    static TSNode enclosingFunction(TSNode node) {
        for (TSNode n = PythonCst.parent(node); n != null; n = PythonCst.parent(n)) {
            if (n.getType().equals("function_definition") || n.getType().equals("lambda")) {
                return n;
            }
        }
        return null;
    }

    /** Every node of the given call names inside any of the expressions, once each, in source order. */
    static List<TSNode> callsIn(PythonCst cst, List<TSNode> expressions, java.util.function.Predicate<TSNode> wanted) {
        List<TSNode> out = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        for (TSNode e : expressions) {
            PythonCst.walk(e, n -> {
                if (n.getType().equals("call")
                        && wanted.test(n)
                        && seen.add(((long) n.getStartByte() << 32) | n.getEndByte())) {
                    out.add(n);
                }
            });
        }
        out.sort(java.util.Comparator.comparingInt(TSNode::getStartByte));
        return out;
    }
}
