package io.deagent.publish;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where fixes go and how: the repository to clone, GitHub's API, the bot's identity, the global mode and the
 * runtime-to-repository path map. Read from configuration names (see the README), so the server and the
 * Lambda worker read them the same way.
 *
 * @param mode the most this deployment allows; a repository still has to opt in ({@link RepoPolicy})
 * @param repoUrl what to clone and push to: {@code https://…}, {@code git@…} or {@code file://…}
 * @param repository GitHub's {@code owner/name}, from {@code GITHUB_REPOSITORY} or the repository URL
 * @param draftBelow pull requests for diagnoses less confident than this are opened as drafts
 */
public record PublishSettings(
        Mode mode,
        Optional<String> repoUrl,
        Optional<String> repository,
        URI githubApi,
        Optional<String> githubToken,
        Optional<String> baseBranch,
        String authorName,
        String authorEmail,
        List<String> labels,
        double draftBelow,
        List<RepoPaths.Mapping> pathMap,
        Path workDir,
        Optional<String> incidentUrl) {

    /** What the deployment allows: nothing, a diff in the thread, or pull requests. */
    public enum Mode {
        OFF,
        DRY_RUN,
        PULL_REQUEST;

        public static Mode parse(String s) {
            return switch (s.trim().toLowerCase(Locale.ROOT).replace('_', '-')) {
                case "", "off", "false", "no", "none" -> OFF;
                case "dry-run", "dryrun", "diff" -> DRY_RUN;
                case "pull-request", "pr", "on", "true", "yes" -> PULL_REQUEST;
                default ->
                    throw new IllegalArgumentException(
                            "remediation mode '" + s + "' is not one of off, dry-run, pull-request");
            };
        }

        /** The stricter of two modes: a repository can ask for less than the deployment allows, never more. */
        public Mode atMost(Mode other) {
            return compareTo(other) <= 0 ? this : other;
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    public static final String DEFAULT_GITHUB_API = "https://api.github.com";

    private static final Pattern GITHUB_URL =
            Pattern.compile("^(?:https?://[^/]+/|git@[^:]+:|ssh://git@[^/]+/)([\\w.-]+)/([\\w.-]+?)(?:\\.git)?/?$");

    public PublishSettings {
        labels = List.copyOf(labels);
        pathMap = List.copyOf(pathMap);
    }

    /** Reads the settings; a value that cannot be right is an {@link IllegalArgumentException} naming it. */
    public static PublishSettings from(Function<String, Optional<String>> config) {
        Optional<String> repoUrl = config.apply("DE_AGENT_REPO_URL").filter(s -> !s.isBlank());
        Mode mode = config.apply("DE_AGENT_REMEDIATION")
                .map(Mode::parse)
                .orElse(repoUrl.isPresent() ? Mode.PULL_REQUEST : Mode.OFF);
        Optional<String> repository = config.apply("GITHUB_REPOSITORY")
                .filter(s -> !s.isBlank())
                .or(() -> repoUrl.flatMap(PublishSettings::ownerAndName));
        repository.ifPresent(r -> {
            if (!r.matches("[\\w.-]+/[\\w.-]+")) {
                throw new IllegalArgumentException("GITHUB_REPOSITORY '" + r + "' is not owner/name");
            }
        });
        URI api = URI.create(config.apply("GITHUB_API_URL")
                .filter(s -> !s.isBlank())
                .orElse(DEFAULT_GITHUB_API)
                .replaceAll("/+$", ""));
        double draftBelow = config.apply("DE_AGENT_PR_DRAFT_BELOW")
                .map(s -> {
                    try {
                        double v = Double.parseDouble(s.trim());
                        if (v < 0 || v > 1) {
                            throw new NumberFormatException();
                        }
                        return v;
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException(
                                "DE_AGENT_PR_DRAFT_BELOW '" + s + "' is not a confidence between 0 and 1");
                    }
                })
                .orElse(0.8);
        return new PublishSettings(
                mode,
                repoUrl,
                repository,
                api,
                config.apply("GITHUB_TOKEN").filter(s -> !s.isBlank()),
                config.apply("DE_AGENT_REPO_BRANCH").filter(s -> !s.isBlank()),
                config.apply("DE_AGENT_GIT_AUTHOR_NAME").orElse("de-agent"),
                config.apply("DE_AGENT_GIT_AUTHOR_EMAIL").orElse("de-agent@users.noreply.github.com"),
                split(config.apply("DE_AGENT_PR_LABELS").orElse("de-agent,automated-fix")),
                draftBelow,
                RepoPaths.parse(config.apply("DE_AGENT_REPO_PATH_MAP").orElse("")),
                Path.of(config.apply("DE_AGENT_REPO_WORKDIR").orElse(".de-agent/repos")),
                config.apply("DE_AGENT_PUBLIC_URL")
                        .filter(s -> !s.isBlank())
                        .map(u -> u.replaceAll("/+$", "") + "/incidents/{id}"));
    }

    /** True when a repository is set and the deployment allows at least a dry run. */
    public boolean enabled() {
        return mode != Mode.OFF && repoUrl.isPresent();
    }

    /** What is missing before pull requests can be opened, or empty when nothing is. */
    public List<String> missingForPullRequests() {
        List<String> missing = new ArrayList<>();
        if (repoUrl.isEmpty()) {
            missing.add("DE_AGENT_REPO_URL");
        }
        if (repository.isEmpty()) {
            missing.add("GITHUB_REPOSITORY (owner/name; not derivable from the repository URL)");
        }
        if (githubToken.isEmpty()) {
            missing.add("GITHUB_TOKEN");
        }
        return missing;
    }

    /** The link back to an incident's page: {@code DE_AGENT_PUBLIC_URL} + {@code /incidents/<id>}. */
    public Optional<String> incidentLink(long incidentId) {
        return incidentUrl.map(u -> u.contains("{id}")
                ? u.replace("{id}", String.valueOf(incidentId))
                : u.replaceAll("/+$", "") + "/" + incidentId);
    }

    static Optional<String> ownerAndName(String url) {
        Matcher m = GITHUB_URL.matcher(url.trim());
        if (url.startsWith("file:") || !m.matches()) {
            return Optional.empty();
        }
        return Optional.of(m.group(1) + "/" + m.group(2));
    }

    private static List<String> split(String s) {
        List<String> out = new ArrayList<>();
        for (String part : s.split(",")) {
            if (!part.isBlank()) {
                out.add(part.trim());
            }
        }
        return out;
    }
}
