package io.deagent.core;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the repository and the shared design folder are, for guard tests. */
public final class TestPaths {

    private TestPaths() {}

    public static Path repo() {
        String root = System.getProperty("deagent.root");
        Path p = root == null ? Path.of("..") : Path.of(root);
        if (!Files.isDirectory(p.resolve("corpus")) && Files.isDirectory(Path.of("../corpus"))) {
            p = Path.of("..");
        }
        return p.toAbsolutePath().normalize();
    }

    public static Path corpus() {
        return repo().resolve("corpus");
    }

    /** The design docs live in ../shared beside the repository. */
    public static Path taxonomyDoc() {
        return repo().resolve("../shared/design/taxonomy.md").normalize();
    }
}
