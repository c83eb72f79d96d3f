package io.deagent.publish;

import static org.assertj.core.api.Assertions.assertThat;

import io.deagent.testkit.GitRepos;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The decisions before any pull request: consent, the DAG filter, finding the file, and dry runs. */
class ChangePublisherTest {

    public static final String JOB = """
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
    void theExampleRepositoryIsFixedInTheDagWhereSparkSubmitSetsTheMemoryNotInTheJob() throws Exception {
        Path examples = Path.of("..", "examples");
        Map<String, String> files = new HashMap<>();
        for (String f : new String[] {".de-agent.yml", "jobs/transform_orders.py", "dags/daily_orders.py"}) {
            files.put(
                    f,
                    java.nio.file.Files.readString(examples.resolve("pipelines").resolve(f)));
        }
        Path bare = GitRepos.bareWith(dir, files);
        io.deagent.core.FailureEvent event =
                io.deagent.core.FailureEvents.parse("""
                {"dag_id":"daily_orders","task_id":"transform","run_id":"scheduled__2026-11-20T03:00:00+00:00",
                 "tags":["orders","autofix"],"dag_file":"/opt/airflow/dags/daily_orders.py"}
                """, io.deagent.core.FailureEvent.Origin.AIRFLOW_WEBHOOK);
        io.deagent.core.Diagnosis d = io.deagent.core.LogDiagnoser.builtIn()
                .diagnose(
                        new io.deagent.core.log.LogReader()
                                .read(java.nio.file.Files.readString(
                                        examples.resolve("logs").resolve("spark-executor-oom.log"))),
                        Optional.of(event),
                        java.util.List.of());
        assertThat(d.entities()).containsEntry("call_site", "/opt/airflow/jobs/transform_orders.py:61");

        ChangePublisher.Outcome o = publisher(bare, Map.of()).publish(3, event, d);

        ChangePublisher.DryRun dry = (ChangePublisher.DryRun) o;
        assertThat(dry.proposal().file()).isEqualTo("dags/daily_orders.py");
        assertThat(dry.proposal().unifiedDiff())
                .contains("-            \"spark.executor.memory\": \"4g\",  # Größe pro Executor")
                .contains("+            \"spark.executor.memory\": \"8g\",");
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
