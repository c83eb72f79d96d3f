package io.deagent.fixer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.treesitter.TSInputEncoding;
import org.treesitter.TSNode;
import org.treesitter.TSParser;
import org.treesitter.TSTree;
import org.treesitter.TreeSitterPython;

/**
 * Parses Python source bytes with tree-sitter. Offsets in the tree are UTF-8 byte offsets into exactly these
 * bytes, which is why callers splice on {@code byte[]} and never on a decoded {@code String}. Nodes are only
 * valid until {@link #close()}: callers copy out offsets and text before that.
 */
final class PythonCst implements AutoCloseable {

    private final TSParser parser;
    private final TSTree tree;
    private final byte[] source;
    private Lines lines;

    private PythonCst(byte[] source) {
        this.source = source;
        this.parser = new TSParser();
        parser.setLanguage(new TreeSitterPython());
        // the byte[] overload needs a reader: passing null crashes the JVM in this binding
        this.tree = parser.parse(new byte[8192], null, this::read, TSInputEncoding.TSInputEncodingUTF8);
    }

    static PythonCst parse(byte[] source) {
        return new PythonCst(source);
    }

    /** True when the file parses cleanly: no ERROR and no MISSING nodes anywhere. */
    static boolean parsesCleanly(byte[] source) {
        try (PythonCst cst = parse(source)) {
            return !cst.hasErrors();
        }
    }

    private int read(byte[] buffer, int offset, org.treesitter.TSPoint ignored) {
        if (offset >= source.length) {
            return 0;
        }
        int n = Math.min(buffer.length, source.length - offset);
        System.arraycopy(source, offset, buffer, 0, n);
        return n;
    }

    TSNode root() {
        return tree.getRootNode();
    }

    byte[] source() {
        return source;
    }

    Lines lines() {
        if (lines == null) {
            lines = new Lines(source);
        }
        return lines;
    }

    /** The 0-based line of a node's first byte. */
    int line(TSNode node) {
        return lines().lineOf(node.getStartByte());
    }

    /**
     * The 1-based line people see a call on: the line of {@code .method} for a method call (a call node starts
     * where its receiver starts, possibly lines earlier), else its first line.
     */
    int callLine(TSNode call) {
        TSNode function = field(call, "function");
        return function != null && function.getType().equals("attribute")
                ? lines().lineOf(dotStart(function)) + 1
                : line(call) + 1;
    }

    boolean hasErrors() {
        boolean[] found = {root().hasError()};
        walk(root(), n -> found[0] |= n.isError() || n.isMissing());
        return found[0];
    }

    String text(TSNode node) {
        return new String(source, node.getStartByte(), node.getEndByte() - node.getStartByte(), StandardCharsets.UTF_8);
    }

    /** Every node of one of these types, in source order (pre-order). */
    List<TSNode> nodes(String... types) {
        Set<String> wanted = Set.of(types);
        List<TSNode> out = new ArrayList<>();
        walk(root(), n -> {
            if (wanted.contains(n.getType())) {
                out.add(n);
            }
        });
        return out;
    }

    /** Pre-order walk over every node, named or not. */
    static void walk(TSNode node, Consumer<TSNode> visit) {
        visit.accept(node);
        for (int i = 0; i < node.getChildCount(); i++) {
            walk(node.getChild(i), visit);
        }
    }

    static boolean same(TSNode a, TSNode b) {
        return a != null
                && b != null
                && !a.isNull()
                && !b.isNull()
                && a.getStartByte() == b.getStartByte()
                && a.getEndByte() == b.getEndByte()
                && a.getType().equals(b.getType());
    }

    /** True when {@code inner} lies within {@code outer} (or is it). */
    static boolean within(TSNode inner, TSNode outer) {
        return inner.getStartByte() >= outer.getStartByte() && inner.getEndByte() <= outer.getEndByte();
    }

    static TSNode field(TSNode node, String name) {
        TSNode child = node.getChildByFieldName(name);
        return child == null || child.isNull() ? null : child;
    }

    static TSNode parent(TSNode node) {
        TSNode p = node.getParent();
        return p == null || p.isNull() ? null : p;
    }

    /** The node itself, or what a chain of parentheses around it holds. */
    static TSNode unparenthesized(TSNode node) {
        TSNode n = node;
        while (n != null && n.getType().equals("parenthesized_expression") && n.getNamedChildCount() == 1) {
            n = n.getNamedChild(0);
        }
        return n;
    }

    /** The outermost parentheses around a node, or the node itself. */
    static TSNode parenthesized(TSNode node) {
        TSNode n = node;
        TSNode p = parent(n);
        while (p != null && p.getType().equals("parenthesized_expression")) {
            n = p;
            p = parent(n);
        }
        return n;
    }

    /** Named children without the comments that may sit between them. */
    static List<TSNode> namedChildren(TSNode node) {
        List<TSNode> out = new ArrayList<>();
        for (int i = 0; i < node.getNamedChildCount(); i++) {
            TSNode child = node.getNamedChild(i);
            if (!child.getType().equals("comment")) {
                out.add(child);
            }
        }
        return out;
    }

    /** Positional arguments of an {@code argument_list}, in order. */
    static List<TSNode> positional(TSNode argumentList) {
        return namedChildren(argumentList).stream()
                .filter(a -> !a.getType().equals("keyword_argument")
                        && !a.getType().equals("list_splat")
                        && !a.getType().equals("dictionary_splat"))
                .toList();
    }

    /** The value of keyword argument {@code name=...} in an {@code argument_list}. */
    Optional<TSNode> keyword(TSNode argumentList, String name) {
        for (TSNode a : namedChildren(argumentList)) {
            if (a.getType().equals("keyword_argument")) {
                TSNode n = field(a, "name");
                if (n != null && text(n).equals(name)) {
                    return Optional.ofNullable(field(a, "value"));
                }
            }
        }
        return Optional.empty();
    }

    /** The name a call calls: {@code f} for {@code f(...)}, {@code m} for {@code x.m(...)}. */
    String calleeName(TSNode call) {
        TSNode function = field(call, "function");
        if (function == null) {
            return "";
        }
        return switch (function.getType()) {
            case "identifier" -> text(function);
            case "attribute" -> {
                TSNode a = field(function, "attribute");
                yield a == null ? "" : text(a);
            }
            default -> "";
        };
    }

    /** For {@code x.m(...)} the node {@code x}; null for a plain function call. */
    static TSNode receiver(TSNode call) {
        TSNode function = field(call, "function");
        return function != null && function.getType().equals("attribute") ? field(function, "object") : null;
    }

    /** The offset of the dot of an attribute node ({@code x.m}: the dot before {@code m}). */
    static int dotStart(TSNode attribute) {
        for (int i = attribute.getChildCount() - 1; i >= 0; i--) {
            TSNode child = attribute.getChild(i);
            if (!child.isNamed() && child.getType().equals(".")) {
                return child.getStartByte();
            }
        }
        throw new IllegalStateException("attribute without a dot");
    }

    /**
     * A single-part string without interpolation or escapes and without an f or b prefix: the only kind whose
     * content bytes are its value.
     */
    boolean isPlainString(TSNode string) {
        if (!string.getType().equals("string")) {
            return false;
        }
        int n = string.getChildCount();
        if (n < 2 || n > 3) {
            return false;
        }
        String start = text(string.getChild(0)).toLowerCase(Locale.ROOT);
        if (start.contains("f") || start.contains("b") || start.length() > 2 || start.endsWith("\"\"\"")) {
            return false;
        }
        TSNode content = stringContent(string);
        return content == null || content.getNamedChildCount() == 0;
    }

    /** The value of a plain string literal. */
    Optional<String> stringValue(TSNode node) {
        if (node == null || !isPlainString(node)) {
            return Optional.empty();
        }
        TSNode content = stringContent(node);
        return Optional.of(content == null ? "" : text(content));
    }

    /** The first byte of a plain string's value (just after its opening quote). */
    static int contentStart(TSNode string) {
        TSNode content = stringContent(string);
        return content == null ? string.getChild(string.getChildCount() - 1).getStartByte() : content.getStartByte();
    }

    /** The quote character of a string literal ({@code "} or {@code '}). */
    char quote(TSNode string) {
        String start = text(string.getChild(0));
        return start.charAt(start.length() - 1);
    }

    /** The quote character of the first plain string inside a node, else {@code "}. */
    char quoteIn(TSNode node) {
        char[] q = {0};
        walk(node, n -> {
            if (q[0] == 0 && n.getType().equals("string") && isPlainString(n)) {
                q[0] = quote(n);
            }
        });
        return q[0] == 0 ? '"' : q[0];
    }

    /** The statement (a child of the module or of a block) that holds a node. */
    static TSNode statementOf(TSNode node) {
        TSNode n = node;
        for (TSNode p = parent(n); p != null; p = parent(n)) {
            if (p.getType().equals("module") || p.getType().equals("block")) {
                return n;
            }
            n = p;
        }
        return n;
    }

    static TSNode stringContent(TSNode string) {
        for (int i = 0; i < string.getChildCount(); i++) {
            TSNode child = string.getChild(i);
            if (child.getType().equals("string_content")) {
                return child;
            }
        }
        return null;
    }

    /** The byte offset of character index {@code index} of a string that starts at byte {@code base}. */
    static int byteOffset(int base, String text, int index) {
        return base + text.substring(0, index).getBytes(StandardCharsets.UTF_8).length;
    }

    @Override
    public void close() {
        tree.close();
        parser.close();
    }
}
