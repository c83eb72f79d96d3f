package io.deagent.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deagent.testkit.FakeGitHubApi;
import io.deagent.testkit.GitRepos;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pull requests on a fake GitHub, pushed to a real bare repository: drafts, labels, recurrences, refusals. */
class PullRequestFlowTest {

    static final String REPO = "acme/pipelines";

    @TempDir
    Path dir;

    FakeGitHubApi github;
    Path bare;

    @BeforeEach
    void start() throws IOException {
        bare = GitRepos.bareWith(
                dir,
                Map.of(
                        ".de-agent.yml",
                        "remediation:\n  labels: [spark]\n",
                        "jobs/transform_orders.py",
                        ChangePublisherTest.JOB));
        github = FakeGitHubApi.start();
        github.addRepository(REPO, "main");
        github.lookUpBranches(REPO, branch -> {
            try {
                return Optional.of(GitRepos.git(dir, "--git-dir", bare.toString(), "rev-parse", "refs/heads/" + branch)
                        .trim());
            } catch (IOException e) {
                return Optional.empty();
            }
        });
    }

    @AfterEach
    void stop() {
        github.close();
    }

    private PublishSettings settings(Map<String, String> extra) {
        Map<String, String> c = new HashMap<>(Map.of(
                "DE_AGENT_REPO_URL", bare.toUri().toString(),
                "DE_AGENT_REPO_WORKDIR", dir.resolve("work").toString(),
                "GITHUB_REPOSITORY", REPO,
                "GITHUB_API_URL", github.baseUrl(),
                "GITHUB_TOKEN", github.token()));
        c.putAll(extra);
        return PublishSettings.from(name -> Optional.ofNullable(c.get(name)));
    }

    @Test
    void aLowConfidenceDiagnosisOpensADraftWithThePolicysLabelsThenRecurrencesCommentOnIt() throws Exception {
        ChangePublisher publisher = new ChangePublisher(settings(Map.of("DE_AGENT_PR_DRAFT_BELOW", "0.99")));

        ChangePublisher.Opened opened =
                (ChangePublisher.Opened) publisher.publish(7, Incidents.event(), Incidents.oom());

        assertThat(opened.pull().draft()).isTrue();
        FakeGitHubApi.PullRequest pr = github.pulls(REPO).get(0);
        assertThat(pr.draft()).isTrue();
        assertThat(pr.body()).startsWith("> [!NOTE]\n> Opened as a draft");
        assertThat(github.labels(REPO, pr.number())).containsExactly("de-agent", "automated-fix", "spark");
        assertThat(pr.headSha()).isEqualTo(opened.commit());

        ChangePublisher.Outcome again = publisher.publish(8, Incidents.event(), Incidents.oom());
        assertThat(again).isInstanceOf(ChangePublisher.Commented.class);
        assertThat(github.pulls(REPO)).hasSize(1);
        assertThat(github.comments(REPO, pr.number()))
                .singleElement()
                .satisfies(c -> assertThat(c.body()).contains("happened again").contains("#8"));
    }

    @Test
    void aPullRequestClosedWithoutMergingIsNotProposedAgain() throws Exception {
        ChangePublisher publisher = new ChangePublisher(settings(Map.of()));
        ChangePublisher.Opened opened =
                (ChangePublisher.Opened) publisher.publish(1, Incidents.event(), Incidents.oom());
        assertThat(opened.pull().draft()).isFalse();
        github.closePull(REPO, opened.pull().number(), false);

        ChangePublisher.Outcome o = publisher.publish(2, Incidents.event(), Incidents.oom());

        assertThat(o).isInstanceOf(ChangePublisher.Skipped.class);
        assertThat(o.summary()).contains("closed without merging");
        assertThat(github.pulls(REPO)).hasSize(1);
    }

    @Test
    void whenAnotherReplicaOpenedItFirstThe422AlreadyExistsAnswerGivesThatPullRequest() throws Exception {
        PublishSettings s = settings(Map.of());
        String branch = "de-agent/out_of_memory_executor/abc";
        GitRepos.git(dir, "--git-dir", bare.toString(), "branch", branch, "main");
        GitHubPulls pulls = new GitHubPulls(s);
        GitHubPulls.Pull first = pulls.open("t", branch, "main", "b", false, List.of());

        GitHubPulls.Pull second = pulls.open("t", branch, "main", "b", false, List.of());

        assertThat(second.number()).isEqualTo(first.number());
        assertThat(github.pulls(REPO)).hasSize(1);
        assertThat(pulls.whoAmI()).isEqualTo(FakeGitHubApi.DEFAULT_LOGIN);
        assertThat(pulls.defaultBranch()).isEqualTo("main");
    }

    @Test
    void gitHubTroubleSaysWhetherToRetry() throws Exception {
        ChangePublisher badToken = new ChangePublisher(settings(Map.of("GITHUB_TOKEN", "ghp_wrong")));
        assertThatThrownBy(() -> badToken.publish(1, Incidents.event(), Incidents.oom()))
                .isInstanceOf(ChangePublisher.PublishException.class)
                .hasMessageContaining("GITHUB_TOKEN")
                .matches(e -> !((ChangePublisher.PublishException) e).retriable());

        github.failAlways(FakeGitHubApi.Trouble.serverError());
        ChangePublisher down = new ChangePublisher(settings(Map.of()));
        assertThatThrownBy(() -> down.publish(1, Incidents.event(), Incidents.oom()))
                .isInstanceOf(ChangePublisher.PublishException.class)
                .matches(e -> ((ChangePublisher.PublishException) e).retriable());
        assertThat(GitRepos.git(dir, "--git-dir", bare.toString(), "for-each-ref", "--format=%(refname)")
                        .trim())
                .isEqualTo("refs/heads/main");
    }
}
