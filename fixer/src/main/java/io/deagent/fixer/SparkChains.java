package io.deagent.fixer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.treesitter.TSNode;

/**
 * Finds, in a Python CST, where Spark settings live: calls that already set a key, and the method chains that
 * configure a session ({@code SparkSession.builder...getOrCreate()}, {@code SparkConf().set(...)}). Everything
 * is copied out as byte offsets so nothing refers to the tree after it is closed.
 */
final class SparkChains {

    private static final Set<String> SETTER_METHODS = Set.of("config", "set", "setIfMissing");

    private SparkChains() {}

    /** The literal value of a setting call; {@code [start, end)} are the bytes to replace. */
    record ValueSite(Kind kind, int start, int end, Optional<String> value) {
        enum Kind {
            STRING,
            INTEGER,
            BOOLEAN,
            OTHER
        }

        /** The source text for a new value in this literal's kind, if it can be written there. */
        Optional<String> render(String newValue) {
            return switch (kind) {
                case STRING -> Optional.of(newValue);
                case INTEGER -> newValue.matches("\\d+") ? Optional.of(newValue) : Optional.empty();
                case BOOLEAN ->
                    newValue.equals("true") || newValue.equals("false")
                            ? Optional.of(newValue.equals("true") ? "True" : "False")
                            : Optional.empty();
                case OTHER -> Optional.empty();
            };
        }
    }

    /** One call in a chain: {@code <prev><separator>.method(args)}. */
    record Link(String method, int prevEnd, int dotStart) {}

    enum ChainKind {
        BUILDER,
        CONF
    }

    record Insertion(int offset, String text) {}

    /** A configuration chain with its links in source order and the quote character its strings use. */
    record Chain(ChainKind kind, int end, List<Link> links, char quote) {

        /**
         * Where and what to insert for a key that is not set: a builder gets {@code .config(k, v)} just before
         * {@code .getOrCreate()}, a SparkConf gets {@code .set(k, v)} after its last call. The separator copies
         * the line style of the chain (inline, parenthesised lines or backslash continuations).
         */
        Optional<Insertion> insertion(byte[] source, String key, String value) {
            String args = "(" + quote + key + quote + ", " + quote + value + quote + ")";
            if (kind == ChainKind.BUILDER) {
                Optional<Link> getOrCreate = links.stream()
                        .filter(l -> l.method().equals("getOrCreate"))
                        .reduce((first, second) -> second);
                return getOrCreate.map(l ->
                        new Insertion(l.dotStart(), ".config" + args + separator(source, l.prevEnd(), l.dotStart())));
            }
            String sep = links.isEmpty()
                    ? ""
                    : separator(
                            source, links.getLast().prevEnd(), links.getLast().dotStart());
            return Optional.of(new Insertion(end, sep + ".set" + args));
        }
    }

    /**
     * The whitespace that leads to a chain's next call, rebuilt rather than copied so that a trailing comment is
     * not duplicated: empty when inline, else an optional backslash, the line break and the indentation.
     */
    static String separator(byte[] source, int from, int to) {
        String raw = new String(source, from, to - from, StandardCharsets.UTF_8);
        int nl = raw.lastIndexOf('\n');
        if (nl < 0) {
            return "";
        }
        String head = raw.substring(0, nl);
        String lineBreak = head.endsWith("\r") ? "\r\n" : "\n";
        boolean backslash = head.strip().endsWith("\\");
        return (backslash ? " \\" : "") + lineBreak + raw.substring(nl + 1);
    }

    /** Every call {@code x.config(key, v)} / {@code x.set(key, v)} / {@code x.setIfMissing(key, v)}. */
    static List<ValueSite> valueSites(PythonCst cst, String key) {
        List<ValueSite> sites = new ArrayList<>();
        PythonCst.walk(cst.root(), node -> {
            if (!node.getType().equals("call")) {
                return;
            }
            TSNode function = PythonCst.field(node, "function");
            TSNode arguments = PythonCst.field(node, "arguments");
            if (function == null || arguments == null || !function.getType().equals("attribute")) {
                return;
            }
            TSNode name = PythonCst.field(function, "attribute");
            if (name == null || !SETTER_METHODS.contains(cst.text(name))) {
                return;
            }
            List<TSNode> args = arguments(arguments);
            if (args.size() >= 2
                    && plainString(cst, args.get(0)).filter(key::equals).isPresent()) {
                sites.add(valueSite(cst, args.get(1)));
            }
        });
        return sites;
    }

    /** Every configuration chain, outermost call last, in source order. */
    static List<Chain> chains(PythonCst cst) {
        List<Chain> chains = new ArrayList<>();
        PythonCst.walk(cst.root(), node -> {
            if (isBuilder(cst, node)) {
                chains.add(chainFrom(cst, node, ChainKind.BUILDER));
            } else if (isSparkConfCall(cst, node)) {
                chains.add(chainFrom(cst, node, ChainKind.CONF));
            }
        });
        return chains;
    }

    private static boolean isBuilder(PythonCst cst, TSNode node) {
        if (!node.getType().equals("attribute")) {
            return false;
        }
        TSNode object = PythonCst.field(node, "object");
        TSNode name = PythonCst.field(node, "attribute");
        return object != null
                && name != null
                && cst.text(name).equals("builder")
                && endsWithName(cst, object, "SparkSession");
    }

    private static boolean isSparkConfCall(PythonCst cst, TSNode node) {
        if (!node.getType().equals("call")) {
            return false;
        }
        TSNode function = PythonCst.field(node, "function");
        return function != null && endsWithName(cst, function, "SparkConf");
    }

    /** {@code Name} or {@code module.Name}. */
    private static boolean endsWithName(PythonCst cst, TSNode node, String name) {
        return switch (node.getType()) {
            case "identifier" -> cst.text(node).equals(name);
            case "attribute" -> {
                TSNode last = PythonCst.field(node, "attribute");
                yield last != null && cst.text(last).equals(name);
            }
            default -> false;
        };
    }

    /** Climbs {@code start.m1(...).m2(...)...} while each parent is an attribute call on the node so far. */
    private static Chain chainFrom(PythonCst cst, TSNode start, ChainKind kind) {
        List<Link> links = new ArrayList<>();
        char quote = '"';
        boolean quoteSeen = false;
        TSNode node = start;
        while (true) {
            TSNode attribute = node.getParent();
            if (attribute == null
                    || attribute.isNull()
                    || !attribute.getType().equals("attribute")
                    || !PythonCst.same(PythonCst.field(attribute, "object"), node)) {
                break;
            }
            TSNode call = attribute.getParent();
            if (call == null
                    || call.isNull()
                    || !call.getType().equals("call")
                    || !PythonCst.same(PythonCst.field(call, "function"), attribute)) {
                break;
            }
            TSNode name = PythonCst.field(attribute, "attribute");
            links.add(new Link(cst.text(name), node.getEndByte(), dotStart(attribute)));
            TSNode args = PythonCst.field(call, "arguments");
            if (!quoteSeen && args != null) {
                for (TSNode arg : arguments(args)) {
                    Optional<Character> q = quoteOf(cst, arg);
                    if (q.isPresent()) {
                        quote = q.get();
                        quoteSeen = true;
                        break;
                    }
                }
            }
            node = call;
        }
        return new Chain(kind, node.getEndByte(), List.copyOf(links), quote);
    }

    private static int dotStart(TSNode attribute) {
        for (int i = 0; i < attribute.getChildCount(); i++) {
            TSNode child = attribute.getChild(i);
            if (!child.isNamed() && child.getType().equals(".")) {
                return child.getStartByte();
            }
        }
        throw new IllegalStateException("attribute without a dot");
    }

    /** Named argument nodes, without comments that sit between arguments. */
    private static List<TSNode> arguments(TSNode argumentList) {
        List<TSNode> out = new ArrayList<>();
        for (int i = 0; i < argumentList.getNamedChildCount(); i++) {
            TSNode child = argumentList.getNamedChild(i);
            if (!child.getType().equals("comment")) {
                out.add(child);
            }
        }
        return out;
    }

    private static ValueSite valueSite(PythonCst cst, TSNode value) {
        return switch (value.getType()) {
            case "string" -> stringSite(cst, value);
            case "integer" ->
                new ValueSite(
                        ValueSite.Kind.INTEGER, value.getStartByte(), value.getEndByte(), Optional.of(cst.text(value)));
            case "true", "false" ->
                new ValueSite(
                        ValueSite.Kind.BOOLEAN, value.getStartByte(), value.getEndByte(), Optional.of(value.getType()));
            default -> new ValueSite(ValueSite.Kind.OTHER, value.getStartByte(), value.getEndByte(), Optional.empty());
        };
    }

    /** For a plain string only the content bytes are replaced, so quotes and prefixes stay as written. */
    private static ValueSite stringSite(PythonCst cst, TSNode string) {
        if (!isPlainString(cst, string)) {
            return new ValueSite(ValueSite.Kind.OTHER, string.getStartByte(), string.getEndByte(), Optional.empty());
        }
        TSNode content = contentOf(string);
        if (content == null) {
            int at = string.getChild(string.getChildCount() - 1).getStartByte();
            return new ValueSite(ValueSite.Kind.STRING, at, at, Optional.of(""));
        }
        return new ValueSite(
                ValueSite.Kind.STRING, content.getStartByte(), content.getEndByte(), Optional.of(cst.text(content)));
    }

    private static Optional<String> plainString(PythonCst cst, TSNode node) {
        if (!node.getType().equals("string") || !isPlainString(cst, node)) {
            return Optional.empty();
        }
        TSNode content = contentOf(node);
        return Optional.of(content == null ? "" : cst.text(content));
    }

    /**
     * A single-part string without interpolation or escapes and without an f or b prefix: the only kind whose
     * content bytes are the value.
     */
    private static boolean isPlainString(PythonCst cst, TSNode string) {
        int n = string.getChildCount();
        if (n < 2 || n > 3) {
            return false;
        }
        String start = cst.text(string.getChild(0)).toLowerCase(java.util.Locale.ROOT);
        if (start.contains("f") || start.contains("b") || start.length() > 2 || start.endsWith("\"\"\"")) {
            return false;
        }
        TSNode content = contentOf(string);
        return content == null || content.getNamedChildCount() == 0;
    }

    private static TSNode contentOf(TSNode string) {
        for (int i = 0; i < string.getChildCount(); i++) {
            TSNode child = string.getChild(i);
            if (child.getType().equals("string_content")) {
                return child;
            }
        }
        return null;
    }

    private static Optional<Character> quoteOf(PythonCst cst, TSNode arg) {
        if (!arg.getType().equals("string") || !isPlainString(cst, arg)) {
            return Optional.empty();
        }
        String start = cst.text(arg.getChild(0));
        return Optional.of(start.charAt(start.length() - 1));
    }
}
