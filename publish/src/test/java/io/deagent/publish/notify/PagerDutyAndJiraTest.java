package io.deagent.publish.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deagent.publish.Incidents;
import io.deagent.testkit.FakeJiraApi;
import io.deagent.testkit.FakePagerDutyApi;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PagerDutyAndJiraTest {

    static final String KEY = "R0UT1NGKEY0123456789ABCDEFGHIJKL";

    static Notice notice() {
        return new Notice(
                42,
                Incidents.event(),
                Incidents.oom(),
                Optional.of("Pull request #3"),
                Optional.of("https://github.example/acme/pipelines/pull/3"),
                Optional.empty());
    }

    @Test
    void aTriggerWithTheTasksDedupKeyIsResolvedByTheSameKey() throws Exception {
        try (FakePagerDutyApi pd = FakePagerDutyApi.start()) {
            PagerDutyNotifier n = PagerDutyNotifier.from(name -> Optional.ofNullable(
                            Map.of("PAGERDUTY_ROUTING_KEY", KEY, "PAGERDUTY_EVENTS_URL", pd.enqueueUrl())
                                    .get(name)))
                    .orElseThrow();
            String key = n.send(notice());
            assertThat(key).isEqualTo(notice().alertKey()).startsWith("de-agent:daily_orders.transform_orders:");
            assertThat(n.send(notice())).isEqualTo(key); // a recurrence joins the open alert
            assertThat(pd.incidents()).hasSize(1);
            FakePagerDutyApi.Incident open = pd.incident(key).orElseThrow();
            assertThat(open.isOpen()).isTrue();
            assertThat(open.severity()).isEqualTo("error");
            assertThat(open.source()).isEqualTo("daily_orders.transform_orders");
            assertThat(open.payload().path("custom_details").path("category").asText())
                    .isEqualTo("out_of_memory_executor");

            n.resolve(key);
            assertThat(pd.incident(key).orElseThrow().isOpen()).isFalse();
        }
    }

    @Test
    void pagerDutyErrorsSayWhetherToRetry() throws Exception {
        try (FakePagerDutyApi pd = FakePagerDutyApi.start()) {
            PagerDutyNotifier n = new PagerDutyNotifier(KEY, java.net.URI.create(pd.enqueueUrl()));
            pd.failNext(1, new FakePagerDutyApi.Trouble.Throttled());
            assertThatThrownBy(() -> n.send(notice()))
                    .isInstanceOf(Notifier.NotifyException.class)
                    .matches(e -> ((Notifier.NotifyException) e).retriable());
            PagerDutyNotifier wrongKey = new PagerDutyNotifier("short", java.net.URI.create(pd.enqueueUrl()));
            assertThatThrownBy(() -> wrongKey.send(notice()))
                    .hasMessageContaining("PagerDuty answered 400")
                    .matches(e -> !((Notifier.NotifyException) e).retriable());
        }
        assertThatThrownBy(() -> PagerDutyNotifier.from(
                        name -> Optional.ofNullable(name.equals("PAGERDUTY_ROUTING_KEY") ? "not-a-key" : null)))
                .hasMessageContaining("32-character");
    }

    @Test
    void aJiraIssueInAtlassianDocumentFormatAndAClearRefusal() throws Exception {
        try (FakeJiraApi jira = FakeJiraApi.start()) {
            jira.addProject("DT", "Data team");
            Map<String, String> c = Map.of(
                    "JIRA_BASE_URL",
                    jira.baseUrl(),
                    "JIRA_EMAIL",
                    FakeJiraApi.DEFAULT_EMAIL,
                    "JIRA_API_TOKEN",
                    FakeJiraApi.DEFAULT_API_TOKEN,
                    "JIRA_PROJECT",
                    "DT");
            JiraNotifier n =
                    JiraNotifier.from(name -> Optional.ofNullable(c.get(name))).orElseThrow();
            assertThat(n.check()).contains("issues go to project DT");
            assertThat(n.send(notice())).isEqualTo("DT-1");
            FakeJiraApi.Issue issue = jira.issues().get(0);
            assertThat(issue.summary()).startsWith("daily_orders.transform_orders failed:");
            assertThat(issue.labels()).containsExactly("de-agent", "out_of_memory_executor");
            assertThat(issue.description().path("type").asText()).isEqualTo("doc");
            assertThat(issue.description().toString())
                    .contains("https://github.example/acme/pipelines/pull/3")
                    .contains("java.lang.OutOfMemoryError: Java heap space");

            JiraNotifier badToken = new JiraNotifier(
                    java.net.URI.create(jira.baseUrl()), FakeJiraApi.DEFAULT_EMAIL, "wrong", "DT", "Task");
            assertThatThrownBy(() -> badToken.send(notice()))
                    .hasMessageContaining("Jira answered 401")
                    .matches(e -> !((Notifier.NotifyException) e).retriable());
            JiraNotifier unknownProject = new JiraNotifier(
                    java.net.URI.create(jira.baseUrl()),
                    FakeJiraApi.DEFAULT_EMAIL,
                    FakeJiraApi.DEFAULT_API_TOKEN,
                    "NOPE",
                    "Task");
            assertThatThrownBy(() -> unknownProject.send(notice())).hasMessageContaining("check JIRA_PROJECT");
        }
        assertThatThrownBy(() -> JiraNotifier.from(name ->
                        Optional.ofNullable(name.equals("JIRA_BASE_URL") ? "https://acme.atlassian.net" : null)))
                .hasMessageContaining("JIRA_EMAIL, JIRA_API_TOKEN, JIRA_PROJECT");
    }
}
