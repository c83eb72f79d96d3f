package io.deagent.fixer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.treesitter.TSNode;

/**
 * The method chains that configure a session: {@code SparkSession.builder.a(...).b(...).getOrCreate()} and
 * {@code SparkConf().set(...).set(...)}. A chain holds tree nodes, so it is only valid while its {@link PythonCst}
 * is open.
 */
final class SparkChains {

    private SparkChains() {}

    enum Kind {
        BUILDER,
        CONF
    }

    /** One call in a chain: {@code <prev><separator>.method(args)}. */
    record Link(String method, TSNode call, int prevEnd, int dotStart) {}

    /**
     * A configuration chain: where it starts ({@code SparkSession.builder} or the {@code SparkConf(...)} call),
     * its calls in source order, and its outermost node.
     */
    record Chain(Kind kind, TSNode start, List<Link> links, TSNode outer) {

        /** The calls of a builder that end it: {@code getOrCreate()} (the last one, if it is called twice). */
        Optional<Link> getOrCreate() {
            return links.stream().filter(l -> l.method().equals("getOrCreate")).reduce((first, second) -> second);
        }

        boolean contains(TSNode call) {
            return links.stream().anyMatch(l -> PythonCst.same(l.call(), call));
        }
    }

    /** Every builder and SparkConf chain, in source order. */
    static List<Chain> find(PythonCst cst) {
        List<Chain> chains = new ArrayList<>();
        PythonCst.walk(cst.root(), node -> {
            if (isBuilder(cst, node)) {
                chains.add(climb(cst, node, Kind.BUILDER));
            } else if (isSparkConfCall(cst, node)) {
                chains.add(climb(cst, node, Kind.CONF));
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
    static boolean endsWithName(PythonCst cst, TSNode node, String name) {
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
    private static Chain climb(PythonCst cst, TSNode start, Kind kind) {
        List<Link> links = new ArrayList<>();
        TSNode node = start;
        while (true) {
            TSNode attribute = PythonCst.parent(node);
            if (attribute == null
                    || !attribute.getType().equals("attribute")
                    || !PythonCst.same(PythonCst.field(attribute, "object"), node)) {
                break;
            }
            TSNode call = PythonCst.parent(attribute);
            if (call == null
                    || !call.getType().equals("call")
                    || !PythonCst.same(PythonCst.field(call, "function"), attribute)) {
                break;
            }
            TSNode name = PythonCst.field(attribute, "attribute");
            links.add(new Link(cst.text(name), call, node.getEndByte(), PythonCst.dotStart(attribute)));
            node = call;
        }
        return new Chain(kind, start, List.copyOf(links), node);
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

    /**
     * The edit that puts {@code .method(args)} into a chain just before the call at {@code before}'s dot, on its
     * own line when the chain has one call per line.
     */
    static Edit insertBefore(byte[] source, Link before, String call) {
        return Edit.insert(before.dotStart(), call + separator(source, before.prevEnd(), before.dotStart()));
    }

    /** The edit that appends {@code .method(args)} to the end of a chain, in the chain's line style. */
    static Edit append(byte[] source, Chain chain, String call) {
        String sep = chain.links().isEmpty()
                ? ""
                : separator(
                        source,
                        chain.links().getLast().prevEnd(),
                        chain.links().getLast().dotStart());
        return Edit.insert(chain.outer().getEndByte(), sep + call);
    }
}
