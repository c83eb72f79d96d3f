package io.deagent.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RepoPolicyTest {

    @Test
    void readsModeDagFiltersPathsAndLabels() {
        RepoPolicy p = RepoPolicy.parse("""
                remediation:
                  mode: dry-run
                  dags:
                    tags: [autofix, Spark]
                    owners: data-platform
                  paths:
                    /opt/airflow/dags/: dags/
                  labels: [spark]
                """, ".de-agent.yml");
        assertThat(p.mode()).isEqualTo(PublishSettings.Mode.DRY_RUN);
        assertThat(p.paths()).containsExactly(new RepoPaths.Mapping("/opt/airflow/dags/", "dags/"));
        assertThat(p.labels()).containsExactly("spark");
        assertThat(p.refuses("daily_orders", Optional.empty(), List.of("spark")))
                .isEmpty();
        assertThat(p.refuses("daily_orders", Optional.of("airflow,data-platform"), List.of()))
                .isEmpty();
        assertThat(p.refuses("daily_orders", Optional.of("finance"), List.of("nightly")))
                .get()
                .asString()
                .contains("daily_orders");
    }

    @Test
    void noFilterMeansEveryDagAndTheModeDefaultsToPullRequests() {
        RepoPolicy p = RepoPolicy.parse("remediation: {}\n", ".de-agent.yml");
        assertThat(p.mode()).isEqualTo(PublishSettings.Mode.PULL_REQUEST);
        assertThat(p.refuses("any", Optional.empty(), List.of())).isEmpty();
    }

    @Test
    void aBrokenFileIsAClearError() {
        assertThatThrownBy(() -> RepoPolicy.parse("remediation: [", ".de-agent.yml"))
                .hasMessageStartingWith(".de-agent.yml in the repository is not valid YAML");
        assertThatThrownBy(() -> RepoPolicy.parse("other: 1\n", ".de-agent.yml"))
                .hasMessageContaining("no 'remediation:' section");
        assertThatThrownBy(() -> RepoPolicy.parse("remediation: {mode: always}\n", ".de-agent.yml"))
                .hasMessageContaining("not one of off, dry-run, pull-request");
    }

    @Test
    void aRepositoryCanAskForLessThanTheDeploymentAllowsNeverMore() {
        assertThat(PublishSettings.Mode.PULL_REQUEST.atMost(PublishSettings.Mode.DRY_RUN))
                .isEqualTo(PublishSettings.Mode.DRY_RUN);
        assertThat(PublishSettings.Mode.DRY_RUN.atMost(PublishSettings.Mode.PULL_REQUEST))
                .isEqualTo(PublishSettings.Mode.DRY_RUN);
        assertThat(PublishSettings.Mode.OFF.atMost(PublishSettings.Mode.PULL_REQUEST))
                .isEqualTo(PublishSettings.Mode.OFF);
    }

    @Test
    void settingsDeriveTheRepositoryFromItsUrl() {
        assertThat(PublishSettings.ownerAndName("https://github.com/acme/pipelines.git"))
                .contains("acme/pipelines");
        assertThat(PublishSettings.ownerAndName("git@github.example.com:acme/pipelines.git"))
                .contains("acme/pipelines");
        assertThat(PublishSettings.ownerAndName("file:///srv/git/pipelines.git"))
                .isEmpty();
        PublishSettings s = PublishSettings.from(name -> Optional.ofNullable(
                switch (name) {
                    case "DE_AGENT_REPO_URL" -> "https://github.com/acme/pipelines.git";
                    default -> null;
                }));
        assertThat(s.mode()).isEqualTo(PublishSettings.Mode.PULL_REQUEST);
        assertThat(s.missingForPullRequests()).containsExactly("GITHUB_TOKEN");
        assertThatThrownBy(() -> PublishSettings.from(
                        name -> Optional.ofNullable(name.equals("DE_AGENT_PR_DRAFT_BELOW") ? "high" : null)))
                .hasMessageContaining("DE_AGENT_PR_DRAFT_BELOW");
    }
}
