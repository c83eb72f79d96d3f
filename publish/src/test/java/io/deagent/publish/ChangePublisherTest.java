package io.deagent.publish;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The decisions before any pull request: consent, the DAG filter, finding the file, and dry runs. */
class ChangePublisherTest {

    static final String JOB = """
            from pyspark.sql import SparkSession

            # Größe der Executors
            spark = (
                SparkSession.builder.appName("transform_orders")
                .config("spark.executor.memory", "4g")
                .getOrCreate()
            )
            """;

    @TempDir
    Path dir;

    private ChangePublisher publisher(Path bare, Map<String, String> extra) {
        Map<String, String> c = new HashMap<>(Map.of(
                "DE_AGENT_REPO_URL", bare.toUri().toString(),
                "DE_AGENT_REPO_WORKDIR", dir.resolve("work").toString(),
                "DE_AGENT_REMEDIATION", "dry-run"));
        c.putAll(extra);
        return new ChangePublisher(PublishSettings.from(name -> Optional.ofNullable(c.get(name))));
    }

    @Test
    void aDryRunFindsTheJobFromTheCallSiteAndReturnsTheDiffWithoutPushing() throws Exception {
        Path bare = GitRepos.bareWith(
                dir, Map.of(".de-agent.yml", "remediation: {mode: pull-request}\n", "jobs/transform_orders.py", JOB));
        ChangePublisher.Outcome o = publisher(bare, Map.of()).publish(1, Incidents.event(), Incidents.oom());
        assertThat(o).isInstanceOf(ChangePublisher.DryRun.class);
        ChangePublisher.DryRun dry = (ChangePublisher.DryRun) o;
        assertThat(dry.proposal().file()).isEqualTo("jobs/transform_orders.py");
        assertThat(dry.proposal().unifiedDiff()).contains("+    .config(\"spark.executor.memory\", \"8g\")");
        assertThat(dry.branch()).startsWith("de-agent/out_of_memory_executor/");
        assertThat(GitRepos.git(dir, "--git-dir", bare.toString(), "for-each-ref", "--format=%(refname)")
                        .trim())
                .isEqualTo("refs/heads/main");
    }

    @Test
    void withoutTheRepositorysConsentNothingIsProposed() throws Exception {
        Path bare = GitRepos.bareWith(dir, Map.of("jobs/transform_orders.py", JOB));
        ChangePublisher.Outcome o = publisher(bare, Map.of()).publish(1, Incidents.event(), Incidents.oom());
        assertThat(o).isInstanceOf(ChangePublisher.Skipped.class);
        assertThat(o.summary()).contains("has not opted in").contains(".de-agent.yml");
    }

    @Test
    void aDagOutsideThePolicyIsSkippedAndAnUnknownFileDeclinedCalmly() throws Exception {
        Path bare = GitRepos.bareWith(
                dir, Map.of(".de-agent.yml", "remediation:\n  dags:\n    tags: [finance]\n", "jobs/other.py", JOB));
        ChangePublisher.Outcome skipped = publisher(bare, Map.of()).publish(1, Incidents.event(), Incidents.oom());
        assertThat(skipped.summary()).contains("daily_orders is not among the DAGs");

        Path bare2 = GitRepos.bareWith(
                dir.resolve("two"),
                Map.of(".de-agent.yml", "remediation: {mode: pull-request}\n", "jobs/other.py", JOB));
        ChangePublisher.Outcome declined = new ChangePublisher(PublishSettings.from(name -> Optional.ofNullable(Map.of(
                                "DE_AGENT_REPO_URL", bare2.toUri().toString(),
                                "DE_AGENT_REPO_WORKDIR", dir.resolve("work2").toString(),
                                "DE_AGENT_REMEDIATION", "dry-run")
                        .get(name))))
                .publish(1, Incidents.event(), Incidents.oom());
        assertThat(declined).isInstanceOf(ChangePublisher.Declined.class);
        assertThat(declined.summary())
                .startsWith("No safe automatic fix: ")
                .contains("no file named transform_orders.py");
        assertThat(((ChangePublisher.Declined) declined).manualSteps()).isNotEmpty();
    }

    @Test
    void pullRequestsWithoutAGitHubTokenAreSkippedWithWhatIsMissing() throws Exception {
        Path bare = GitRepos.bareWith(
                dir, Map.of(".de-agent.yml", "remediation: {mode: pull-request}\n", "jobs/transform_orders.py", JOB));
        ChangePublisher.Outcome o = publisher(
                        bare, Map.of("DE_AGENT_REMEDIATION", "pull-request", "GITHUB_REPOSITORY", "acme/pipelines"))
                .publish(1, Incidents.event(), Incidents.oom());
        assertThat(o.summary()).contains("GITHUB_TOKEN");
    }

    @Test
    void remediationOffSaysHowToTurnItOn() throws Exception {
        ChangePublisher p = new ChangePublisher(PublishSettings.from(name -> Optional.empty()));
        assertThat(p.publish(1, Incidents.event(), Incidents.oom()).summary()).contains("DE_AGENT_REPO_URL");
    }
}
