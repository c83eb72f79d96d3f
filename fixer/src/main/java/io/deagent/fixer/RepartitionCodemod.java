package io.deagent.fixer;

import io.deagent.core.Diagnosis;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.treesitter.TSNode;

/**
 * Inserts {@code .repartition(n, "key")} before a wide operation or a write, at the call the diagnosis points to.
 *
 * <p>Categories {@code data_skew}, {@code disk_full} and {@code container_killed_memory}, and only when the
 * diagnosis gives the key in entity {@code column}. The place comes from the call site (entity {@code call_site},
 * see {@link CallSites}); without one the file must have exactly one candidate.
 *
 * <ul>
 *   <li>Before a write ({@code .write} / {@code .writeTo} in the statement of the call site) of data that
 *       visibly has the key (the statement or what it is built from names it, e.g. {@code partitionBy("key")}):
 *       the write inherits whatever partitioning the plan had, possibly a few huge partitions; hash-partitioning by
 *       the key into {@code n} = the file's {@code spark.sql.shuffle.partitions} (else Spark's default 200) evens
 *       out the work and the files per task. Tried first for {@code disk_full} and {@code container_killed_memory}.
 *   <li>Before a wide operation ({@code groupBy}, {@code join}, {@code dropDuplicates}) that uses the key, in what
 *       the call site computes: Spark then reuses this partitioning for the operation, so the only thing that
 *       changes is the number of partitions. Hash-partitioning by the operation's own key into the same number of
 *       partitions is exactly the shuffle Spark already does, so {@code n} is twice the file's {@code
 *       spark.sql.shuffle.partitions} (else 2 × 200): each partition holds half as much. Tried first for {@code
 *       data_skew}. This spreads keys that only share a partition; a single hot key still lands in one partition,
 *       which adaptive skew joins or salting address (the settings codemod and the manual steps).
 * </ul>
 *
 * <p>Declines when the key is not a plain column name, when the data is already repartitioned right there, when
 * {@code spark.sql.shuffle.partitions} is set but not readable, and when several candidates remain.
 */
public final class RepartitionCodemod extends SyntaxCodemod {

    public static final String ID = "repartition";

    static final int SPARK_DEFAULT_SHUFFLE_PARTITIONS = 200;

    private static final Set<String> WIDE = Set.of("groupBy", "groupby", "join", "dropDuplicates", "drop_duplicates");
    private static final Set<String> WRITES = Set.of("write", "writeTo");
    private static final Set<String> REPARTITIONS = Set.of("repartition", "repartitionByRange");

    public static RepartitionCodemod builtIn() {
        return new RepartitionCodemod();
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Set<String> categories() {
        return Set.of("data_skew", "disk_full", "container_killed_memory");
    }

    /** A place to insert before: the attribute {@code x.groupBy} or {@code x.write}. */
    private record Target(TSNode attribute, String operation, boolean write) {}

    @Override
    Outcome change(Diagnosis d, String path, byte[] source) {
        Optional<String> column = Evidence.entity(d, "column").map(c -> c.replace("`", ""));
        if (column.isEmpty()) {
            return Decline.needs("codemod " + ID + " needs the key to repartition by (entity column)");
        }
        if (!column.get().matches("[^\"'\\\\\\r\\n]+")) {
            return Decline.unsafe("the column " + column.get() + " cannot be written as a plain string");
        }
        CallSites.Location location = CallSites.locate(d, path);
        if (location instanceof CallSites.Elsewhere e) {
            return Decline.nothing("the failing call is at " + e.callSite() + ", not in " + path);
        }
        try (PythonCst cst = PythonCst.parse(source)) {
            Optional<List<TSNode>> scope = BroadcastHintCodemod.scope(cst, location);
            if (scope.isEmpty()) {
                return BroadcastHintCodemod.noStatement(location, path);
            }
            List<TSNode> statement = location instanceof CallSites.AtLine at
                    ? List.of(CallSites.statementAt(cst, at.line()).orElseThrow())
                    : List.of(cst.root());
            List<Target> writes = writes(cst, statement, column.get());
            List<Target> wide = wideOperations(cst, scope.get(), column.get());
            List<Target> candidates = d.category().equals("data_skew")
                    ? (wide.isEmpty() ? writes : wide)
                    : (writes.isEmpty() ? wide : writes);
            String where = BroadcastHintCodemod.where(location, path);
            if (candidates.isEmpty()) {
                return Decline.nothing("no write and no groupBy/join/dropDuplicates on " + column.get() + " " + where);
            }
            if (candidates.size() > 1) {
                return Decline.unsafe("ambiguous: " + candidates.size() + " places " + where + " (lines "
                        + BroadcastHintCodemod.lines(
                                cst, candidates.stream().map(Target::attribute).toList())
                        + ") could be repartitioned by " + column.get() + "; add it by hand");
            }
            Target target = candidates.get(0);
            TSNode receiver = PythonCst.field(target.attribute(), "object");
            int line = cst.lines().lineOf(PythonCst.dotStart(target.attribute())) + 1;
            if (receiver.getType().equals("call") && REPARTITIONS.contains(cst.calleeName(receiver))) {
                return Decline.unsafe(
                        "the data is already repartitioned before the " + target.operation() + " on line " + line);
            }
            Optional<Shuffle> shuffle = shufflePartitions(cst);
            if (shuffle.isEmpty()) {
                return Decline.unsafe("spark.sql.shuffle.partitions is set in this file but not to one readable number;"
                        + " add the repartition by hand");
            }
            int base = shuffle.get().partitions();
            int n = target.write() ? base : 2 * base;
            String q = String.valueOf(cst.quoteIn(PythonCst.statementOf(target.attribute())));
            String call = ".repartition(" + n + ", " + q + column.get() + q + ")";
            int dot = PythonCst.dotStart(target.attribute());
            Edit edit = Edit.insert(dot, call + SparkChains.separator(cst.source(), receiver.getEndByte(), dot));
            String setting = shuffle.get().fromFile()
                    ? "spark.sql.shuffle.partitions " + base
                    : "Spark's default of " + base + " shuffle partitions";
            String basis = target.write() ? setting : "twice " + setting;
            return new Patched(
                    new Patch(source).apply(edit),
                    "repartition by " + column.get() + " into " + n + " partitions before the " + target.operation()
                            + " on line " + line + " (" + basis + ")");
        }
    }

    /**
     * {@code x.write} / {@code x.writeTo(...)} in the statement itself (a write is the action of its line), when
     * the written data visibly has the key: the write statement or what it is built from names it (a {@code
     * partitionBy("key")}, a {@code select}...). Repartitioning by a column the data does not have would fail.
     */
    private static List<Target> writes(PythonCst cst, List<TSNode> statement, String column) {
        List<Target> out = new ArrayList<>();
        for (TSNode root : statement) {
            PythonCst.walk(root, n -> {
                if (n.getType().equals("attribute")) {
                    TSNode name = PythonCst.field(n, "attribute");
                    TSNode object = PythonCst.field(n, "object");
                    if (name != null
                            && object != null
                            && WRITES.contains(cst.text(name))
                            && CallSites.lineage(cst, PythonCst.statementOf(n)).stream()
                                    .anyMatch(e -> mentions(cst, e, column))) {
                        out.add(new Target(n, cst.text(name), true));
                    }
                }
            });
        }
        return out;
    }

    /** {@code x.groupBy(...)} and the like whose arguments name the key, in what the call site computes. */
    private static List<Target> wideOperations(PythonCst cst, List<TSNode> scope, String column) {
        List<Target> out = new ArrayList<>();
        for (TSNode call : CallSites.callsIn(cst, scope, n -> WIDE.contains(cst.calleeName(n)))) {
            TSNode function = PythonCst.field(call, "function");
            if (!function.getType().equals("attribute")
                    || cst.calleeName(call).equals("join") && !BroadcastHintCodemod.isDataFrameJoin(cst, call)
                    || !mentions(cst, PythonCst.field(call, "arguments"), column)) {
                continue;
            }
            out.add(new Target(function, cst.calleeName(call), false));
        }
        return out;
    }

    /** True when a node names the column: {@code "k"}, {@code ["k"]}, {@code F.col("k")}, {@code a.k == b.k}. */
    private static boolean mentions(PythonCst cst, TSNode arguments, String column) {
        boolean[] found = {false};
        PythonCst.walk(arguments, n -> {
            if (n.getType().equals("string")) {
                found[0] |= cst.stringValue(n).filter(column::equals).isPresent();
            } else if (n.getType().equals("attribute")) {
                TSNode name = PythonCst.field(n, "attribute");
                found[0] |= name != null && cst.text(name).equals(column);
            }
        });
        return found[0];
    }

    private record Shuffle(int partitions, boolean fromFile) {}

    /** The file's {@code spark.sql.shuffle.partitions}: Spark's 200 when unset, empty when set but unreadable. */
    private static Optional<Shuffle> shufflePartitions(PythonCst cst) {
        List<SparkConfigs.Site> sites = SparkConfigs.read(cst).sites("spark.sql.shuffle.partitions");
        if (sites.isEmpty()) {
            return Optional.of(new Shuffle(SPARK_DEFAULT_SHUFFLE_PARTITIONS, false));
        }
        if (sites.size() > 1) {
            return Optional.empty();
        }
        return sites.get(0)
                .value()
                .text()
                .map(String::strip)
                .filter(v -> v.matches("\\d{1,6}") && Integer.parseInt(v) > 0)
                .map(v -> new Shuffle(Integer.parseInt(v), true));
    }
}
