package io.deagent.fixer;

import io.deagent.core.Diagnosis;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.treesitter.TSNode;

/**
 * Removes a forced broadcast hint, or adds one on the small side of a join, at the join the diagnosis points to.
 *
 * <p>Categories and the evidence each needs:
 *
 * <ul>
 *   <li>{@code out_of_memory_driver} with a proof line "Not enough memory to build and broadcast the table" (or
 *       Spark's other broadcast-too-large messages), and {@code broadcast_timeout}: <b>remove</b> a forced hint,
 *       {@code broadcast(x)} / {@code F.broadcast(x)} (becomes {@code x}) or {@code x.hint("broadcast")} (the
 *       {@code .hint(...)} call goes). A hint overrides {@code spark.sql.autoBroadcastJoinThreshold}, so no
 *       setting helps while it is there. An import left unused stays: the patch stays minimal.
 *   <li>{@code data_skew} only when the diagnosis names the small side of the join in entity {@code table}:
 *       <b>add</b> a hint on the side of the join that reads that table ({@code spark.table(...)}, {@code
 *       spark.read...(path)}, {@code spark.sql("... FROM t")}), so the skewed side is not shuffled at all. The
 *       hint uses the file's imports ({@code F.broadcast} or {@code broadcast}); with neither, {@code from
 *       pyspark.sql.functions import broadcast} is added after the last pyspark import. Spark can only broadcast
 *       the right side of a left (semi, anti) join and the left side of a right join, so other combinations decline.
 * </ul>
 *
 * <p>The join is found from the call site (entity {@code call_site}, see {@link CallSites}): the hints or joins
 * in what that line computes. Without a call site, it acts only when the file has exactly one candidate.
 */
public final class BroadcastHintCodemod extends SyntaxCodemod {

    public static final String ID = "broadcast-hint";

    private static final Set<String> PRIMARY = Set.of(
            "identifier", "call", "attribute", "subscript", "parenthesized_expression", "string", "list", "dictionary");

    /** Join types where Spark can broadcast the right side ({@code other}), and the left side (the receiver). */
    private static final Set<String> RIGHT_BROADCASTABLE = Set.of(
            "inner",
            "cross",
            "left",
            "leftouter",
            "left_outer",
            "semi",
            "leftsemi",
            "left_semi",
            "anti",
            "leftanti",
            "left_anti");

    private static final Set<String> LEFT_BROADCASTABLE =
            Set.of("inner", "cross", "right", "rightouter", "right_outer");

    /** Calls that read a table or path: their first argument names what they read. */
    private static final Set<String> READERS =
            Set.of("table", "parquet", "load", "csv", "json", "orc", "text", "avro", "delta");

    public static BroadcastHintCodemod builtIn() {
        return new BroadcastHintCodemod();
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Set<String> categories() {
        return Set.of("out_of_memory_driver", "broadcast_timeout", "data_skew");
    }

    @Override
    Outcome change(Diagnosis d, String path, byte[] source) {
        return switch (d.category()) {
            case "out_of_memory_driver" ->
                Evidence.broadcastBuildOom(d)
                        ? remove(d, path, source)
                        : Decline.needs("codemod " + ID + " removes a broadcast hint only when the driver ran out of"
                                + " memory building a broadcast (\"Not enough memory to build and broadcast the"
                                + " table\")");
            case "broadcast_timeout" -> remove(d, path, source);
            default -> add(d, path, source);
        };
    }

    // ---------------------------------------------------------------- removing a forced hint

    private Outcome remove(Diagnosis d, String path, byte[] source) {
        CallSites.Location location = CallSites.locate(d, path);
        if (location instanceof CallSites.Elsewhere e) {
            return Decline.nothing("the failing call is at " + e.callSite() + ", not in " + path);
        }
        try (PythonCst cst = PythonCst.parse(source)) {
            PySparkImports imports = PySparkImports.read(cst);
            Optional<List<TSNode>> scope = scope(cst, location);
            if (scope.isEmpty()) {
                return noStatement(location, path);
            }
            List<TSNode> hints = CallSites.callsIn(cst, scope.get(), imports::isForcedBroadcast);
            String where = where(location, path);
            if (hints.isEmpty()) {
                return Decline.nothing("no forced broadcast hint (broadcast(...) or .hint(\"broadcast\")) " + where);
            }
            if (hints.size() > 1) {
                return Decline.unsafe("ambiguous: " + hints.size() + " forced broadcast hints " + where + " (lines "
                        + lines(cst, hints) + "); remove the one on the large side by hand");
            }
            TSNode hint = hints.get(0);
            Optional<String> shared = sharedVariable(cst, hint);
            if (shared.isPresent()) {
                return Decline.unsafe(shared.get());
            }
            List<Edit> edits = new ArrayList<>();
            TSNode kept = imports.isHintCall(hint)
                    ? PythonCst.receiver(hint)
                    : PythonCst.positional(PythonCst.field(hint, "arguments")).get(0);
            boolean wrap = !imports.isHintCall(hint) && !PRIMARY.contains(kept.getType());
            edits.add(new Edit(hint.getStartByte(), kept.getStartByte(), wrap ? "(" : ""));
            edits.add(new Edit(kept.getEndByte(), hint.getEndByte(), wrap ? ")" : ""));
            for (Edit e : edits) {
                if (containsComment(cst, e.start(), e.end())) {
                    return Decline.unsafe("a comment sits inside the broadcast hint on line " + cst.callLine(hint)
                            + "; remove it by hand");
                }
            }
            String removed = imports.isHintCall(hint)
                    ? oneLine(new String(
                            source,
                            PythonCst.dotStart(PythonCst.field(hint, "function")),
                            hint.getEndByte() - PythonCst.dotStart(PythonCst.field(hint, "function")),
                            java.nio.charset.StandardCharsets.UTF_8))
                    : oneLine(cst.text(hint));
            return new Patched(
                    new Patch(source).apply(edits),
                    "remove the forced broadcast hint " + removed + " on line " + cst.callLine(hint)
                            + ", so Spark stops broadcasting that side");
        }
    }

    /**
     * Why removing a hint would also change other code: the hinted DataFrame itself is assigned to a name ({@code
     * dim = F.broadcast(t)}, {@code dim = t.hint("broadcast").select(...)}) that is read in more than one place. A
     * hint inside a join ({@code r = a.join(F.broadcast(b))}) only concerns that join.
     */
    private static Optional<String> sharedVariable(PythonCst cst, TSNode hint) {
        TSNode statement = PythonCst.statementOf(hint);
        TSNode assignment = statement.getNamedChildCount() > 0 ? statement.getNamedChild(0) : null;
        if (assignment == null || !assignment.getType().equals("assignment")) {
            return Optional.empty();
        }
        TSNode left = PythonCst.field(assignment, "left");
        TSNode right = PythonCst.field(assignment, "right");
        if (left == null || right == null || !left.getType().equals("identifier") || !onSpine(right, hint)) {
            return Optional.empty();
        }
        String name = cst.text(left);
        TSNode scope = CallSites.enclosingFunction(assignment);
        long uses = CallSites.references(cst, scope == null ? cst.root() : scope).stream()
                .filter(id -> cst.text(id).equals(name) && !PythonCst.same(id, left))
                .count();
        return uses > 1
                ? Optional.of("the broadcast hint on line " + cst.callLine(hint) + " is assigned to " + name
                        + ", which is read in " + uses + " places; removing it would change all of them")
                : Optional.empty();
    }

    /** True when {@code node} is {@code expression} or on the chain of receivers it is built on. */
    private static boolean onSpine(TSNode expression, TSNode node) {
        TSNode n = PythonCst.unparenthesized(expression);
        while (n != null) {
            if (PythonCst.same(n, node)) {
                return true;
            }
            n = switch (n.getType()) {
                case "call" -> PythonCst.field(n, "function");
                case "attribute" -> PythonCst.field(n, "object");
                default -> null;
            };
            n = n == null ? null : PythonCst.unparenthesized(n);
        }
        return false;
    }

    // ---------------------------------------------------------------- adding a hint on the small side

    /** One side of one join that reads the named table. */
    private record Side(TSNode join, TSNode node, boolean left) {}

    private Outcome add(Diagnosis d, String path, byte[] source) {
        Optional<String> table = Evidence.entity(d, "table");
        if (table.isEmpty()) {
            return Decline.needs("codemod " + ID + " adds a broadcast hint only when the diagnosis names the small side"
                    + " of the join (entity table)");
        }
        CallSites.Location location = CallSites.locate(d, path);
        if (location instanceof CallSites.Elsewhere e) {
            return Decline.nothing("the failing call is at " + e.callSite() + ", not in " + path);
        }
        try (PythonCst cst = PythonCst.parse(source)) {
            PySparkImports imports = PySparkImports.read(cst);
            Optional<List<TSNode>> scope = scope(cst, location);
            if (scope.isEmpty()) {
                return noStatement(location, path);
            }
            String where = where(location, path);
            List<TSNode> joins = CallSites.callsIn(cst, scope.get(), n -> isDataFrameJoin(cst, n));
            List<Side> sides = new ArrayList<>();
            for (TSNode join : joins) {
                TSNode receiver = PythonCst.receiver(join);
                otherOf(cst, join)
                        .filter(o -> reads(cst, o, table.get()))
                        .ifPresent(o -> sides.add(new Side(join, o, false)));
                if (reads(cst, receiver, table.get())) {
                    sides.add(new Side(join, receiver, true));
                }
            }
            if (sides.isEmpty()) {
                return Decline.nothing("no join " + where + " reads " + table.get());
            }
            if (sides.size() > 1) {
                return Decline.unsafe("ambiguous: " + sides.size() + " join sides " + where + " read " + table.get()
                        + " (lines " + lines(cst, sides.stream().map(Side::join).toList()) + "); add the hint by hand");
            }
            Side side = sides.get(0);
            int line = cst.callLine(side.join());
            if (alreadyBroadcast(cst, imports, side.node())) {
                return Decline.unsafe(table.get() + " is already broadcast in the join on line " + line);
            }
            Optional<String> how = joinType(cst, side.join());
            if (how.isEmpty()) {
                return Decline.unsafe("the join type on line " + line + " is not a literal; add the hint by hand");
            }
            Set<String> allowed = side.left() ? LEFT_BROADCASTABLE : RIGHT_BROADCASTABLE;
            if (!allowed.contains(how.get())) {
                return Decline.unsafe("Spark cannot broadcast the " + (side.left() ? "left" : "right") + " side of a "
                        + how.get() + " join (line " + line + ")");
            }
            List<Edit> edits = new ArrayList<>();
            Optional<String> function = imports.broadcastFunction();
            if (function.isEmpty()) {
                Optional<Edit> importEdit = imports.importBroadcast();
                if (importEdit.isEmpty()) {
                    return Decline.unsafe("cannot import broadcast here (no top-level import to follow, or the name"
                            + " broadcast is taken); add the hint by hand");
                }
                edits.add(importEdit.get());
                function = Optional.of("broadcast");
            }
            edits.add(Edit.insert(side.node().getStartByte(), function.get() + "("));
            edits.add(Edit.insert(side.node().getEndByte(), ")"));
            return new Patched(
                    new Patch(source).apply(edits),
                    "broadcast " + table.get() + ", the small side of the join on line " + line + ", with "
                            + function.get() + "(...)");
        }
    }

    /** A DataFrame {@code a.join(b, ...)}: not {@code ", ".join(...)} nor {@code os.path.join(...)}. */
    static boolean isDataFrameJoin(PythonCst cst, TSNode call) {
        TSNode receiver = PythonCst.receiver(call);
        TSNode args = PythonCst.field(call, "arguments");
        if (!cst.calleeName(call).equals("join") || receiver == null || args == null) {
            return false;
        }
        String r = cst.text(receiver);
        return !receiver.getType().equals("string")
                && !r.equals("path")
                && !r.endsWith(".path")
                && !PythonCst.namedChildren(args).isEmpty();
    }

    /** The {@code other} of a join: its first positional argument or {@code other=}. */
    private static Optional<TSNode> otherOf(PythonCst cst, TSNode join) {
        TSNode args = PythonCst.field(join, "arguments");
        List<TSNode> positional = PythonCst.positional(args);
        return positional.isEmpty() ? cst.keyword(args, "other") : Optional.of(positional.get(0));
    }

    /** The join type, lower case: {@code how=}, the third positional argument, or inner when absent. */
    private static Optional<String> joinType(PythonCst cst, TSNode join) {
        TSNode args = PythonCst.field(join, "arguments");
        List<TSNode> positional = PythonCst.positional(args);
        Optional<TSNode> how = positional.size() >= 3 ? Optional.of(positional.get(2)) : cst.keyword(args, "how");
        if (how.isEmpty() || cst.text(how.get()).equals("None")) {
            return Optional.of("inner");
        }
        return cst.stringValue(how.get()).map(s -> s.toLowerCase(Locale.ROOT));
    }

    /** True when a side reads the table: a reader call or SQL in the expression or the assignments it uses. */
    private static boolean reads(PythonCst cst, TSNode side, String table) {
        String wanted = normalize(table);
        String last = wanted.substring(wanted.lastIndexOf('.') + 1);
        Pattern sql = Pattern.compile(
                "(?iU)\\b(?:from|join)\\s+(?:[`\"]?[\\w$]+[`\"]?\\.)*[`\"]?" + Pattern.quote(last) + "(?![\\w$])");
        for (TSNode expr : tableLineage(cst, side)) {
            for (TSNode call : CallSites.callsIn(cst, List.of(expr), n -> true)) {
                String method = cst.calleeName(call);
                List<TSNode> args = PythonCst.positional(PythonCst.field(call, "arguments"));
                Optional<String> first = args.isEmpty() ? Optional.empty() : cst.stringValue(args.get(0));
                if (first.isEmpty()) {
                    continue;
                }
                if (READERS.contains(method) && names(first.get(), wanted, last)) {
                    return true;
                }
                if (method.equals("sql") && sql.matcher(first.get()).find()) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A table name or a path naming the table: equal, or the same last part ({@code db.t}, {@code s3://b/t/}). */
    private static boolean names(String literal, String wanted, String last) {
        String l = normalize(literal);
        if (l.equals(wanted)) {
            return true;
        }
        String tail = l.substring(Math.max(l.lastIndexOf('.'), l.lastIndexOf('/')) + 1);
        return tail.equals(last);
    }

    private static String normalize(String name) {
        String n = name.strip().replace("`", "").toLowerCase(Locale.ROOT);
        while (n.endsWith("/")) {
            n = n.substring(0, n.length() - 1);
        }
        return n;
    }

    private static boolean alreadyBroadcast(PythonCst cst, PySparkImports imports, TSNode side) {
        return !CallSites.callsIn(cst, tableLineage(cst, side), imports::isForcedBroadcast)
                .isEmpty();
    }

    /**
     * What one side of a join is built from, up to (not through) another join: a side that is itself the result
     * of a join does not "read" the tables of that join.
     */
    private static List<TSNode> tableLineage(PythonCst cst, TSNode side) {
        return CallSites.lineage(cst, side, e -> CallSites.callsIn(cst, List.of(e), n -> isDataFrameJoin(cst, n))
                .isEmpty());
    }

    // ---------------------------------------------------------------- shared

    /** What to search: what the call-site line computes, or the whole file; empty when no statement is there. */
    static Optional<List<TSNode>> scope(PythonCst cst, CallSites.Location location) {
        if (location instanceof CallSites.AtLine at) {
            return CallSites.statementAt(cst, at.line()).map(s -> CallSites.lineage(cst, s));
        }
        return Optional.of(List.of(cst.root()));
    }

    static Decline noStatement(CallSites.Location location, String path) {
        int line = ((CallSites.AtLine) location).line();
        return Decline.nothing(
                "line " + line + " of " + path + " is not a statement (the file may have changed since" + " the run)");
    }

    static String where(CallSites.Location location, String path) {
        return location instanceof CallSites.AtLine at
                ? "in what line " + at.line() + " of " + path + " computes"
                : "in " + path;
    }

    static String lines(PythonCst cst, List<TSNode> nodes) {
        return nodes.stream()
                .map(n -> String.valueOf(n.getType().equals("call") ? cst.callLine(n) : cst.line(n) + 1))
                .distinct()
                .collect(Collectors.joining(", "));
    }

    static String oneLine(String text) {
        String t = text.replaceAll("\\s*\\n\\s*", " ");
        return t.length() > 60 ? t.substring(0, 57) + "..." : t;
    }

    private static boolean containsComment(PythonCst cst, int start, int end) {
        for (TSNode c : cst.nodes("comment")) {
            if (c.getStartByte() >= start && c.getEndByte() <= end) {
                return true;
            }
        }
        return false;
    }
}
