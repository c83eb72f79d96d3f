package io.deagent.fixer;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.treesitter.TSNode;

/**
 * How a file refers to {@code pyspark.sql.functions} and its {@code broadcast}: {@code from pyspark.sql import
 * functions as F} gives {@code F.broadcast}, {@code import pyspark.sql.functions as F} too, {@code from
 * pyspark.sql.functions import broadcast [as b]} (or {@code import *}) gives the bare name. Also recognises the
 * forced broadcast hints of a file: those calls, and {@code df.hint("broadcast")}.
 */
final class PySparkImports {

    private static final String FUNCTIONS = "pyspark.sql.functions";
    private static final Set<String> HINT_NAMES = Set.of("broadcast", "broadcastjoin", "mapjoin");

    private final PythonCst cst;
    /** Names bound to {@code pyspark.sql.functions.broadcast}. */
    private final Set<String> broadcastNames = new LinkedHashSet<>();
    /** Names (or dotted paths) bound to the {@code pyspark.sql.functions} module. */
    private final Set<String> moduleNames = new LinkedHashSet<>();

    private TSNode lastPySparkImport;
    private TSNode lastImport;

    private PySparkImports(PythonCst cst) {
        this.cst = cst;
    }

    static PySparkImports read(PythonCst cst) {
        PySparkImports imports = new PySparkImports(cst);
        for (TSNode n : cst.nodes("import_statement", "import_from_statement")) {
            imports.add(n);
        }
        return imports;
    }

    private void add(TSNode statement) {
        boolean topLevel = PythonCst.parent(statement) != null
                && PythonCst.parent(statement).getType().equals("module");
        if (topLevel) {
            lastImport = statement;
        }
        boolean pyspark = false;
        if (statement.getType().equals("import_statement")) {
            for (TSNode name : PythonCst.namedChildren(statement)) {
                String module = moduleOf(name);
                pyspark |= module.startsWith("pyspark");
                if (module.equals(FUNCTIONS)) {
                    moduleNames.add(name.getType().equals("aliased_import") ? alias(name) : FUNCTIONS);
                }
            }
        } else {
            TSNode moduleNode = PythonCst.field(statement, "module_name");
            String module = moduleNode == null ? "" : cst.text(moduleNode);
            pyspark = module.startsWith("pyspark");
            for (int i = 0; i < statement.getNamedChildCount(); i++) {
                TSNode child = statement.getNamedChild(i);
                if (PythonCst.same(child, moduleNode) || child.getType().equals("comment")) {
                    continue;
                }
                if (child.getType().equals("wildcard_import") && module.equals(FUNCTIONS)) {
                    broadcastNames.add("broadcast");
                    continue;
                }
                String imported = moduleOf(child);
                String bound = child.getType().equals("aliased_import") ? alias(child) : imported;
                if (module.equals(FUNCTIONS) && imported.equals("broadcast")) {
                    broadcastNames.add(bound);
                } else if (module.equals("pyspark.sql") && imported.equals("functions")) {
                    moduleNames.add(bound);
                }
            }
        }
        if (pyspark && topLevel) {
            lastPySparkImport = statement;
        }
    }

    private String moduleOf(TSNode name) {
        TSNode n = name.getType().equals("aliased_import") ? PythonCst.field(name, "name") : name;
        return n == null ? "" : cst.text(n);
    }

    private String alias(TSNode aliased) {
        TSNode a = PythonCst.field(aliased, "alias");
        return a == null ? "" : cst.text(a);
    }

    /** A call of {@code pyspark.sql.functions.broadcast} with one argument: {@code F.broadcast(df)}. */
    boolean isBroadcastCall(TSNode call) {
        TSNode function = PythonCst.field(call, "function");
        TSNode args = PythonCst.field(call, "arguments");
        if (function == null
                || args == null
                || PythonCst.namedChildren(args).size() != 1
                || PythonCst.positional(args).size() != 1) {
            return false;
        }
        if (function.getType().equals("identifier")) {
            return broadcastNames.contains(cst.text(function));
        }
        if (function.getType().equals("attribute")) {
            TSNode object = PythonCst.field(function, "object");
            TSNode name = PythonCst.field(function, "attribute");
            return object != null
                    && name != null
                    && cst.text(name).equals("broadcast")
                    && moduleNames.contains(cst.text(object));
        }
        return false;
    }

    /** {@code df.hint("broadcast")} (or {@code "broadcastjoin"}, {@code "mapjoin"}), without parameters. */
    boolean isHintCall(TSNode call) {
        TSNode args = PythonCst.field(call, "arguments");
        if (!cst.calleeName(call).equals("hint") || PythonCst.receiver(call) == null || args == null) {
            return false;
        }
        List<TSNode> all = PythonCst.namedChildren(args);
        return all.size() == 1
                && cst.stringValue(all.get(0))
                        .map(s -> HINT_NAMES.contains(s.toLowerCase(Locale.ROOT)))
                        .orElse(false);
    }

    boolean isForcedBroadcast(TSNode call) {
        return isBroadcastCall(call) || isHintCall(call);
    }

    /** How this file can call {@code broadcast} without a new import: {@code broadcast} or {@code F.broadcast}. */
    Optional<String> broadcastFunction() {
        if (!broadcastNames.isEmpty()) {
            return Optional.of(broadcastNames.iterator().next());
        }
        return moduleNames.stream().findFirst().map(m -> m + ".broadcast");
    }

    /**
     * The edit that adds {@code from pyspark.sql.functions import broadcast} on its own line after the last
     * top-level pyspark import (or after the last top-level import); empty when the file has no top-level import
     * or the name {@code broadcast} is already used for something else.
     */
    Optional<Edit> importBroadcast() {
        TSNode after = lastPySparkImport != null ? lastPySparkImport : lastImport;
        if (after == null || nameTaken("broadcast")) {
            return Optional.empty();
        }
        Lines lines = cst.lines();
        int end = lines.end(lines.lineOf(after.getEndByte()));
        return Optional.of(Edit.insert(end, lines.lineBreak() + "from " + FUNCTIONS + " import broadcast"));
    }

    /** True when an identifier of this name appears anywhere outside import statements. */
    private boolean nameTaken(String name) {
        for (TSNode id : cst.nodes("identifier")) {
            if (!cst.text(id).equals(name)) {
                continue;
            }
            TSNode parent = PythonCst.parent(id);
            boolean attributeName = parent != null
                    && parent.getType().equals("attribute")
                    && PythonCst.same(PythonCst.field(parent, "attribute"), id);
            if (!attributeName && !insideImport(id)) {
                return true;
            }
        }
        return false;
    }

    private static boolean insideImport(TSNode node) {
        for (TSNode n = node; n != null; n = PythonCst.parent(n)) {
            if (n.getType().equals("import_statement") || n.getType().equals("import_from_statement")) {
                return true;
            }
        }
        return false;
    }
}
