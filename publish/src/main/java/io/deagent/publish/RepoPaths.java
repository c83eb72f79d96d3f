package io.deagent.publish;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Maps a path the job ran from ({@code /opt/airflow/dags/sales/orders.py}) to the file in the repository
 * ({@code dags/sales/orders.py}): first by the configured prefixes (longest first), then by a file of the same
 * name that is the only one, or the only one sharing the most trailing directories with the runtime path.
 */
public final class RepoPaths {

    /** A runtime prefix and the repository folder it is checked out from. */
    public record Mapping(String runtimePrefix, String repoPrefix) {}

    /** Where the runtime path is in the repository, or why it could not be told. */
    public sealed interface Found permits Found.File, Found.Missing, Found.Ambiguous {
        record File(String repoPath, String how) implements Found {}

        record Missing(String reason) implements Found {}

        record Ambiguous(List<String> candidates) implements Found {
            public Ambiguous {
                candidates = List.copyOf(candidates);
            }
        }
    }

    private static final int MAX_FILES = 200_000;

    private RepoPaths() {}

    /** Parses {@code /opt/airflow/dags/=dags/;/opt/spark/jobs/=jobs/} (also comma-separated). */
    public static List<Mapping> parse(String spec) {
        List<Mapping> out = new ArrayList<>();
        for (String pair : spec.split("[;,]")) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("DE_AGENT_REPO_PATH_MAP entry '" + pair.trim()
                        + "' is not runtime_prefix=repo_prefix (e.g. /opt/airflow/dags/=dags/)");
            }
            out.add(new Mapping(
                    pair.substring(0, eq).trim(), pair.substring(eq + 1).trim()));
        }
        return out;
    }

    /** Finds {@code runtimePath} (a trailing {@code :line} is ignored) in the checkout at {@code root}. */
    public static Found find(String runtimePath, List<Mapping> mappings, Path root) {
        String path = stripLine(runtimePath).replace('\\', '/');
        List<Mapping> longestFirst = new ArrayList<>(mappings);
        longestFirst.sort(
                Comparator.comparingInt((Mapping m) -> m.runtimePrefix().length())
                        .reversed());
        for (Mapping m : longestFirst) {
            String prefix = m.runtimePrefix().replace('\\', '/');
            if (path.startsWith(prefix)) {
                String rest = path.substring(prefix.length()).replaceAll("^/+", "");
                String repoPrefix = m.repoPrefix().replaceAll("^/+", "");
                String candidate =
                        repoPrefix.isEmpty() || repoPrefix.endsWith("/") ? repoPrefix + rest : repoPrefix + "/" + rest;
                if (isFileInside(root, candidate)) {
                    return new Found.File(candidate, "path map " + m.runtimePrefix() + " → " + m.repoPrefix());
                }
            }
        }
        String name = path.substring(path.lastIndexOf('/') + 1);
        if (name.isEmpty()) {
            return new Found.Missing("'" + runtimePath + "' names no file");
        }
        List<String> sameName = filesNamed(root, name);
        if (sameName.isEmpty()) {
            return new Found.Missing("no file named " + name + " in the repository (set DE_AGENT_REPO_PATH_MAP"
                    + " if the job runs from a different name)");
        }
        if (sameName.size() == 1) {
            return new Found.File(sameName.get(0), "the only file named " + name);
        }
        int best = -1;
        List<String> bestOnes = new ArrayList<>();
        for (String candidate : sameName) {
            int shared = sharedTail(path, candidate);
            if (shared > best) {
                best = shared;
                bestOnes.clear();
            }
            if (shared == best) {
                bestOnes.add(candidate);
            }
        }
        if (bestOnes.size() == 1 && best > 1) {
            return new Found.File(bestOnes.get(0), "the only " + name + " under the same folders");
        }
        return new Found.Ambiguous(bestOnes);
    }

    static String stripLine(String p) {
        return p.replaceFirst(":\\d+$", "");
    }

    private static boolean isFileInside(Path root, String relative) {
        Path p = root.resolve(relative).normalize();
        return p.startsWith(root.normalize()) && Files.isRegularFile(p);
    }

    private static List<String> filesNamed(Path root, String name) {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.limit(MAX_FILES)
                    .filter(p -> !root.relativize(p).toString().startsWith(".git"))
                    .filter(p -> p.getFileName() != null
                            && p.getFileName().toString().equals(name))
                    .filter(Files::isRegularFile)
                    .map(p -> root.relativize(p).toString().replace('\\', '/'))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How many trailing path segments two paths share (the file name counts as one). */
    private static int sharedTail(String a, String b) {
        String[] x = a.split("/");
        String[] y = b.split("/");
        int n = 0;
        while (n < x.length && n < y.length && x[x.length - 1 - n].equals(y[y.length - 1 - n])) {
            n++;
        }
        return n;
    }

    /** For messages. */
    public static Optional<String> describe(Found f) {
        return switch (f) {
            case Found.File file -> Optional.of(file.repoPath() + " (" + file.how() + ")");
            case Found.Missing m -> Optional.of(m.reason());
            case Found.Ambiguous a -> Optional.of("several files could be it: " + String.join(", ", a.candidates()));
        };
    }
}
