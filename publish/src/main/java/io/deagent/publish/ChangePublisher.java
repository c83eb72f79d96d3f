package io.deagent.publish;

import io.deagent.core.Diagnosis;
import io.deagent.core.FailureEvent;
import io.deagent.fixer.Codemods;
import io.deagent.fixer.FixProposal;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns a diagnosis into a reviewed change, the safe way: only where the deployment allows it and the
 * repository opted in ({@link RepoPolicy}), only with a deterministic codemod, and only as a pull request on a
 * {@code de-agent/…} branch, one per failure signature (a recurrence comments on the open one). In dry-run
 * mode the diff is returned for the thread instead.
 */
public final class ChangePublisher {

    /** What happened to the incident's fix. */
    public sealed interface Outcome {
        /** A short machine label, stored with the incident. */
        String state();

        /** One line for people. */
        String summary();
    }

    public record Skipped(String reason) implements Outcome {
        public String state() {
            return "skipped";
        }

        public String summary() {
            return "No automatic fix attempted: " + reason;
        }
    }

    public record Declined(String reason, List<String> manualSteps) implements Outcome {
        public Declined {
            manualSteps = List.copyOf(manualSteps);
        }

        public String state() {
            return "declined";
        }

        public String summary() {
            return "No safe automatic fix: " + reason;
        }
    }

    public record DryRun(FixProposal proposal, String branch) implements Outcome {
        public String state() {
            return "dry_run";
        }

        public String summary() {
            return "Dry run: " + proposal.description() + " in " + proposal.file() + " (not pushed)";
        }
    }

    public record Opened(GitHubPulls.Pull pull, String branch, String commit, FixProposal proposal) implements Outcome {
        public String state() {
            return "pr_opened";
        }

        public String summary() {
            return (pull.draft() ? "Draft pull request #" : "Pull request #") + pull.number() + ": "
                    + proposal.description() + " in " + proposal.file();
        }
    }

    public record Commented(GitHubPulls.Pull pull, String branch) implements Outcome {
        public String state() {
            return "pr_commented";
        }

        public String summary() {
            return "Seen again: noted on the open pull request #" + pull.number();
        }
    }

    /** Git or GitHub failed; {@code retriable} when trying later may help. */
    public static final class PublishException extends Exception {
        private final boolean retriable;

        public PublishException(String message, boolean retriable, Throwable cause) {
            super(message, cause);
            this.retriable = retriable;
        }

        public boolean retriable() {
            return retriable;
        }
    }

    private final PublishSettings settings;
    private final GitWorkspace git;
    private final Optional<GitHubPulls> pulls;

    public ChangePublisher(PublishSettings settings) {
        this(
                settings,
                settings.repoUrl().isPresent() ? new GitWorkspace(settings) : null,
                settings.repository().isPresent() ? Optional.of(new GitHubPulls(settings)) : Optional.empty());
    }

    ChangePublisher(PublishSettings settings, GitWorkspace git, Optional<GitHubPulls> pulls) {
        this.settings = settings;
        this.git = git;
        this.pulls = pulls;
    }

    public PublishSettings settings() {
        return settings;
    }

    /** Decides and carries out the fix for one diagnosed incident. */
    public Outcome publish(long incidentId, FailureEvent event, Diagnosis d) throws PublishException {
        if (!settings.enabled()) {
            return new Skipped("remediation is off (set DE_AGENT_REPO_URL, and DE_AGENT_REMEDIATION other than off)");
        }
        if (Codemods.builtIn().stream().noneMatch(f -> f.supports(d))) {
            return new Declined("no codemod handles " + d.category(), d.fix().steps());
        }
        List<String> files = candidateFiles(event, d);
        if (files.isEmpty()) {
            return new Declined(
                    "the evidence names no file of the job (no call site or DAG file in the log)",
                    d.fix().steps());
        }
        git.lock().lock();
        try {
            GitWorkspace.Checkout checkout;
            try {
                checkout = git.sync();
            } catch (GitWorkspace.GitException e) {
                throw new PublishException(e.getMessage(), true, e);
            }
            Optional<RepoPolicy> policy;
            try {
                policy = RepoPolicy.read(checkout.dir());
            } catch (IllegalArgumentException e) {
                return new Skipped(e.getMessage());
            }
            if (policy.isEmpty()) {
                return new Skipped("the repository has not opted in (commit .de-agent.yml with"
                        + " 'remediation: {mode: pull-request}' at its root)");
            }
            PublishSettings.Mode mode = settings.mode().atMost(policy.get().mode());
            if (mode == PublishSettings.Mode.OFF) {
                return new Skipped(".de-agent.yml turns remediation off");
            }
            Optional<String> refusal = policy.get().refuses(event.dagId(), event.owner(), event.tags());
            if (refusal.isPresent()) {
                return new Skipped(refusal.get());
            }
            String branch = PullRequestText.branch(d);
            if (mode == PublishSettings.Mode.PULL_REQUEST) {
                if (pulls.isEmpty() || !settings.missingForPullRequests().isEmpty()) {
                    return new Skipped("pull requests need " + String.join(", ", settings.missingForPullRequests()));
                }
                Optional<GitHubPulls.Pull> existing = github(() -> pulls.get().forBranch(branch));
                if (existing.isPresent() && existing.get().open()) {
                    GitHubPulls.Pull pr = existing.get();
                    github(() -> {
                        pulls.get()
                                .comment(
                                        pr.number(),
                                        PullRequestText.recurrenceComment(
                                                d, event, incidentId, settings.incidentLink(incidentId)));
                        return null;
                    });
                    return new Commented(pr, branch);
                }
                if (existing.isPresent() && !existing.get().merged()) {
                    return new Skipped("pull request #" + existing.get().number()
                            + " for this failure was closed without merging; not proposing it again");
                }
            }
            List<RepoPaths.Mapping> map = new ArrayList<>(policy.get().paths());
            map.addAll(settings.pathMap());
            List<String> reasons = new ArrayList<>();
            FixProposal best = null;
            for (String runtimePath : files) {
                RepoPaths.Found found = RepoPaths.find(runtimePath, map, checkout.dir());
                if (!(found instanceof RepoPaths.Found.File file)) {
                    reasons.add(runtimePath + ": " + RepoPaths.describe(found).orElse("not found"));
                    continue;
                }
                byte[] source;
                try {
                    source = Files.readAllBytes(checkout.dir().resolve(file.repoPath()));
                } catch (IOException e) {
                    reasons.add(file.repoPath() + ": cannot read (" + e.getMessage() + ")");
                    continue;
                }
                Codemods.Result result = Codemods.propose(d, file.repoPath(), source);
                if (result instanceof Codemods.Declined declined) {
                    reasons.add(file.repoPath() + ": " + declined.reason());
                    continue;
                }
                FixProposal proposal = ((Codemods.Proposed) result).proposal();
                if (proposal.isEmpty()) {
                    reasons.add(file.repoPath() + ": already fixed");
                    continue;
                }
                // a setting is best changed where it is already set (the DAG's spark-submit conf, say) rather
                // than added in another file, where it would quietly override the first
                if (best == null || (!changesExistingValue(best) && changesExistingValue(proposal))) {
                    best = proposal;
                }
            }
            if (best != null) {
                return mode == PublishSettings.Mode.DRY_RUN
                        ? new DryRun(best, branch)
                        : open(incidentId, event, d, checkout, branch, best, policy.get());
            }
            return new Declined(String.join("; ", reasons), d.fix().steps());
        } finally {
            git.lock().unlock();
        }
    }

    private Opened open(
            long incidentId,
            FailureEvent event,
            Diagnosis d,
            GitWorkspace.Checkout checkout,
            String branch,
            FixProposal proposal,
            RepoPolicy policy)
            throws PublishException {
        String commit;
        try {
            commit = git.commitAndPush(
                    checkout,
                    branch,
                    Map.of(proposal.file(), proposal.after()),
                    PullRequestText.commitMessage(d, event, proposal, incidentId));
        } catch (GitWorkspace.GitException e) {
            throw new PublishException(e.getMessage(), true, e);
        }
        boolean draft = d.confidence() < settings.draftBelow();
        Set<String> labels = new LinkedHashSet<>(settings.labels());
        labels.addAll(policy.labels());
        GitHubPulls.Pull pull = github(() -> pulls.get()
                .open(
                        PullRequestText.title(d, proposal),
                        branch,
                        checkout.baseBranch(),
                        PullRequestText.body(d, event, proposal, incidentId, settings.incidentLink(incidentId), draft),
                        draft,
                        List.copyOf(labels)));
        return new Opened(pull, branch, commit, proposal);
    }

    /** Whether a proposal changes a value already set (rather than adding a setting), from its description. */
    static boolean changesExistingValue(FixProposal p) {
        String d = p.description();
        return d.contains(" from ") || d.contains(" was ") || d.startsWith("Remove") || d.contains(": remove");
    }

    /** The runtime paths of the job's own code the evidence names: the call site first, then the DAG file. */
    static List<String> candidateFiles(FailureEvent event, Diagnosis d) {
        Set<String> out = new LinkedHashSet<>();
        Optional.ofNullable(d.entities().get("call_site")).ifPresent(out::add);
        Optional.ofNullable(d.entities().get("dag_file")).ifPresent(out::add);
        for (String key : List.of("dag_file", "fileloc")) {
            Object v = event.raw().get(key);
            if (v instanceof String s && !s.isBlank()) {
                out.add(s);
            }
        }
        return List.copyOf(out);
    }

    private interface GitHubCall<T> {
        T call() throws GitHubPulls.GitHubException;
    }

    private static <T> T github(GitHubCall<T> call) throws PublishException {
        try {
            return call.call();
        } catch (GitHubPulls.GitHubException e) {
            throw new PublishException(e.getMessage(), e.retriable(), e);
        }
    }
}
