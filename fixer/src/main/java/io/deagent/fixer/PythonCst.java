package io.deagent.fixer;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.treesitter.TSInputEncoding;
import org.treesitter.TSNode;
import org.treesitter.TSParser;
import org.treesitter.TSTree;
import org.treesitter.TreeSitterPython;

/**
 * Parses Python source bytes with tree-sitter. Offsets in the tree are UTF-8 byte offsets into exactly these
 * bytes, which is why callers splice on {@code byte[]} and never on a decoded {@code String}.
 */
final class PythonCst implements AutoCloseable {

    private final TSParser parser;
    private final TSTree tree;
    private final byte[] source;

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

    boolean hasErrors() {
        boolean[] found = {root().hasError()};
        walk(root(), n -> found[0] |= n.isError() || n.isMissing());
        return found[0];
    }

    String text(TSNode node) {
        return new String(source, node.getStartByte(), node.getEndByte() - node.getStartByte(), StandardCharsets.UTF_8);
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

    static TSNode field(TSNode node, String name) {
        TSNode child = node.getChildByFieldName(name);
        return child == null || child.isNull() ? null : child;
    }

    @Override
    public void close() {
        tree.close();
        parser.close();
    }
}
