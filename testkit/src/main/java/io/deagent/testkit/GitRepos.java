package io.deagent.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Real git repositories for tests, made and checked with the git command line, not with JGit. */
public final class GitRepos {

    private GitRepos() {}

    /** A bare repository with one commit on {@code main} holding {@code files}. */
    public static Path bareWith(Path dir, Map<String, String> files) throws IOException {
        Files.createDirectories(dir);
        Path bare = dir.resolve("origin.git");
        Path seed = dir.resolve("seed");
        git(dir, "init", "-q", "--bare", "-b", "main", bare.toString());
        git(dir, "init", "-q", "-b", "main", seed.toString());
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path p = seed.resolve(f.getKey());
            Files.createDirectories(p.getParent());
            Files.writeString(p, f.getValue(), StandardCharsets.UTF_8);
        }
        git(seed, "add", "-A");
        git(seed, "-c", "user.name=Data Engineer", "-c", "user.email=de@example.com", "commit", "-q", "-m", "jobs");
        git(seed, "push", "-q", bare.toUri().toString(), "main");
        return bare;
    }

    /** Runs git and returns what it printed; fails the test when git fails. */
    public static String git(Path cwd, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add("git");
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true);
        pb.environment().put("GIT_CONFIG_NOSYSTEM", "1");
        pb.environment().put("HOME", cwd.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("git " + String.join(" ", args) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return out;
    }
}
