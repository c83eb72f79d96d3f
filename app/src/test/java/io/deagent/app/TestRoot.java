package io.deagent.app;

import java.nio.file.Path;

/** The repository root, which surefire passes as {@code deagent.root}. */
final class TestRoot {
    private TestRoot() {}

    static Path path(String relative) {
        return Path.of(System.getProperty("deagent.root", ".")).resolve(relative);
    }
}
