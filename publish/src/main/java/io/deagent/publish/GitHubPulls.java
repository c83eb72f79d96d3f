package io.deagent.publish;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import org.kohsuke.github.GHFileNotFoundException;
import org.kohsuke.github.GHIssueState;
import org.kohsuke.github.GHPullRequest;
import org.kohsuke.github.GHRepository;
import org.kohsuke.github.GitHub;
import org.kohsuke.github.GitHubBuilder;
import org.kohsuke.github.HttpException;

/**
 * Pull requests on GitHub or GitHub Enterprise ({@code GITHUB_API_URL}, e.g. {@code https://ghe.example.com/api/v3})
 * through {@code github-api}. One branch per failure signature, so "the pull request for this signature" is
 * the one whose head is that branch.
 */
public final class GitHubPulls {

    /** A pull request as far as remediation cares. */
    public record Pull(int number, String url, boolean open, boolean merged, boolean draft) {}

    /** GitHub said no, or could not be reached; {@code retriable} when trying later may help. */
    public static final class GitHubException extends Exception {
        private final boolean retriable;

        public GitHubException(String message, boolean retriable, Throwable cause) {
            super(message, cause);
            this.retriable = retriable;
        }

        public boolean retriable() {
            return retriable;
        }
    }

    private final String repository;
    private final String owner;
    private final GitHub github;

    public GitHubPulls(PublishSettings settings) {
        this.repository =
                settings.repository().orElseThrow(() -> new IllegalStateException("GITHUB_REPOSITORY is not set"));
        this.owner = repository.substring(0, repository.indexOf('/'));
        try {
            GitHubBuilder b =
                    new GitHubBuilder().withEndpoint(settings.githubApi().toString());
            settings.githubToken().ifPresent(b::withOAuthToken);
            this.github = b.build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The login the token belongs to (for {@code doctor}). */
    public String whoAmI() throws GitHubException {
        try {
            return github.getMyself().getLogin();
        } catch (IOException e) {
            throw translate("cannot read the token's user", e);
        }
    }

    /** The repository's default branch, as GitHub says. */
    public String defaultBranch() throws GitHubException {
        try {
            return repo().getDefaultBranch();
        } catch (IOException e) {
            throw translate("cannot read " + repository, e);
        }
    }

    /** The newest pull request whose head is {@code branch}, open or not. */
    public Optional<Pull> forBranch(String branch) throws GitHubException {
        try {
            List<GHPullRequest> found = repo().queryPullRequests()
                    .head(owner + ":" + branch)
                    .state(GHIssueState.ALL)
                    .list()
                    .toList();
            GHPullRequest newest = null;
            for (GHPullRequest pr : found) {
                if (newest == null || pr.getNumber() > newest.getNumber()) {
                    newest = pr;
                }
            }
            return newest == null ? Optional.empty() : Optional.of(pull(newest));
        } catch (IOException e) {
            throw translate("cannot list the pull requests of " + repository, e);
        }
    }

    /**
     * Opens a pull request from {@code branch} into {@code base}. When GitHub answers that one already exists
     * (422, a race with another replica), that one is returned.
     */
    public Pull open(String title, String branch, String base, String body, boolean draft, List<String> labels)
            throws GitHubException {
        GHPullRequest pr;
        try {
            pr = repo().createPullRequest(title, branch, base, body, true, draft);
        } catch (HttpException e) {
            if (e.getResponseCode() == 422 && String.valueOf(e.getMessage()).contains("already exists")) {
                return forBranch(branch)
                        .filter(Pull::open)
                        .orElseThrow(() -> new GitHubException(
                                "GitHub says a pull request for " + branch + " exists but lists none", true, e));
            }
            throw translate("cannot open the pull request for " + branch, e);
        } catch (IOException e) {
            throw translate("cannot open the pull request for " + branch, e);
        }
        if (!labels.isEmpty()) {
            try {
                pr.addLabels(labels.toArray(String[]::new));
            } catch (IOException e) {
                // labels are a courtesy: the pull request is open, and that is what matters
            }
        }
        try {
            return pull(pr);
        } catch (IOException e) {
            throw translate("cannot read the pull request just opened", e);
        }
    }

    /** Adds a comment (a recurrence of the failure the pull request fixes). */
    public void comment(int number, String body) throws GitHubException {
        try {
            repo().getPullRequest(number).comment(body);
        } catch (IOException e) {
            throw translate("cannot comment on pull request #" + number, e);
        }
    }

    private GHRepository repo() throws IOException {
        return github.getRepository(repository);
    }

    private static Pull pull(GHPullRequest pr) throws IOException {
        return new Pull(
                pr.getNumber(),
                String.valueOf(pr.getHtmlUrl()),
                pr.getState() == GHIssueState.OPEN,
                pr.getMergedAt() != null,
                pr.isDraft());
    }

    private GitHubException translate(String what, IOException e) {
        if (e instanceof GHFileNotFoundException) {
            return new GitHubException(
                    what + ": " + repository + " was not found, or the token cannot see it", false, e);
        }
        if (e instanceof HttpException h) {
            int code = h.getResponseCode();
            String detail = what + ": GitHub answered " + code;
            return switch (code) {
                case 401 -> new GitHubException(detail + " (bad credentials: check GITHUB_TOKEN)", false, e);
                case 403, 429 ->
                    new GitHubException(
                            detail + " (forbidden or rate limited: the token needs contents and pull-requests write)",
                            code == 429 || String.valueOf(h.getMessage()).contains("rate limit"),
                            e);
                case 404 -> new GitHubException(detail + " (not found)", false, e);
                case 422 -> new GitHubException(detail + " (" + firstLine(h.getMessage()) + ")", false, e);
                default -> new GitHubException(detail, code >= 500 || code <= 0, e);
            };
        }
        return new GitHubException(what + ": " + e.getClass().getSimpleName() + " " + e.getMessage(), true, e);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        String line = s.lines().findFirst().orElse("");
        return line.length() > 300 ? line.substring(0, 300) : line;
    }
}
