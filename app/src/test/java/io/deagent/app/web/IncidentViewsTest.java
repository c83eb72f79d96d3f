package io.deagent.app.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deagent.app.store.IncidentStore;
import java.net.URI;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What the page makes of an incident's JSON, rendered through the real templates. */
class IncidentViewsTest {

    static final ObjectMapper JSON = new ObjectMapper();
    final PageRenderer renderer = new PageRenderer();
    final IncidentViews views = new IncidentViews(Optional.of(URI.create("https://acme.slack.com")));
    final IncidentsPage.Chrome chrome = new IncidentsPage.Chrome("t", "", true, false);

    /** An incident as {@code /api/incidents/{id}} serves it. */
    static ObjectNode incident() throws Exception {
        return (ObjectNode) JSON.readTree("""
                {"id": 7, "status": "done", "received_at": "2026-11-20T03:12:00Z", "deliveries": 1,
                 "event": {"dag_id": "daily_orders", "task_id": "transform", "run_id": "r1",
                           "log_url": "https://airflow.example/log?x=1", "log": "line one\\nline two"},
                 "diagnosis": {"category": "out_of_memory_executor", "title": "Executor ran out of heap",
                    "summary": "A Spark task exhausted its JVM heap.", "confidence": 0.97,
                    "layer": "spark", "transience": "permanent", "signature": "10595b3a8da247c5",
                    "evidence": [{"source": "log", "line": 9, "text": "java.lang.OutOfMemoryError: Java heap space"},
                                 {"source": "spark_history", "line": 0, "text": "spark.stage.spill.diskBytes = 9 GB"}],
                    "fix": {"class": "increase_executor_memory", "summary": "More heap.", "steps": ["Raise it."],
                            "codemod": null},
                    "missing_evidence": ["airflow: TIMED_OUT (after 10 s)"], "explained_by": "openai/gpt-4o-mini",
                    "recurrence": {"seen": 2, "first_seen": "2026-11-18T03:00:00Z"}},
                 "timings": {"started_at": "2026-11-20T03:12:00.250Z", "finished_at": "2026-11-20T03:12:01Z",
                             "diagnostic_ms": 750},
                 "investigation": {"log_source": "event",
                    "sources": [{"source": "airflow", "status": "TIMED_OUT", "elapsed_ms": 10000,
                                 "error": "GET /api/v1/dags/daily_orders: no answer in 10 s"}],
                    "explanation": {"tokens_in": 1200, "tokens_out": 300, "cost_usd": 0.0004, "cached": false}},
                 "signature_seen": 3, "feedback": {"correct": 2, "wrong": 1},
                 "replies": [{"channel": "slack", "target": "C0ALERTS/1763608500.000100", "status": "sent",
                              "sent_at": "2026-11-20T03:12:02Z", "message_ts": "1763608502.000200"}]}
                """);
    }

    @Test
    void a_remediation_is_shown_when_the_incident_has_one() throws Exception {
        ObjectNode i = incident();
        i.putObject("remediation")
                .put("state", "opened")
                .put("pr_url", "https://github.example/acme/jobs/pull/42")
                .put("branch", "de-agent/oom-transform")
                .put("codemod", "spark_executor_memory")
                .put("dry_run", false);
        String page = renderer.render("incident", new IncidentsPage.DetailPage(chrome, views.detail(i)));
        assertThat(page)
                .contains(
                        "<a href=\"https://github.example/acme/jobs/pull/42\" rel=\"noopener noreferrer\">Pull request</a>")
                .contains("<dd class=\"mono\">de-agent/oom-transform</dd>")
                .contains("<dd class=\"mono\">spark_executor_memory</dd>")
                .doesNotContain("No automatic fix was proposed");
        String list = renderer.render(
                "incidents",
                new IncidentsPage.ListPage(chrome, null, List.of(views.row(i)), "1 incident", "", "", "", false));
        assertThat(list).contains("Pull request (opened)");

        ((ObjectNode) i.get("remediation"))
                .put("pr_url", "javascript:alert(1)")
                .put("dry_run", true)
                .put("state", "dry_run");
        String dry = renderer.render("incident", new IncidentsPage.DetailPage(chrome, views.detail(i)));
        assertThat(dry).doesNotContain("javascript:").contains("dry_run (dry run: nothing was pushed)");
    }

    @Test
    void without_a_remediation_and_with_everything_else_the_incident_reads_in_full() throws Exception {
        IncidentViews.Detail d = views.detail(incident());
        assertThat(d.remediation()).isNull();
        assertThat(d.links().slackUrl()).isEqualTo("https://acme.slack.com/archives/C0ALERTS/p1763608500000100");
        assertThat(d.proof()).extracting(IncidentViews.ProofGroup::source).containsExactly("log", "spark_history");
        assertThat(d.sources().get(0).statusClass()).isEqualTo("missing");
        assertThat(d.timings())
                .extracting(IncidentViews.Step::name)
                .containsExactly(
                        "Received",
                        "Waited in the queue",
                        "Asked airflow",
                        "Investigated: evidence, log, rules and explanation",
                        "Diagnosed",
                        "Answered in Slack");
        assertThat(d.timings().get(1).took()).isEqualTo("250 ms");
        assertThat(d.timings().get(2).took()).isEqualTo("10.0 s");

        String page = renderer.render("incident", new IncidentsPage.DetailPage(chrome, d));
        assertThat(page)
                .contains("No automatic fix was proposed")
                .contains("the model openai/gpt-4o-mini")
                .contains("1200 in, 300 out")
                .contains("<li class=\"mono\">airflow: TIMED_OUT (after 10 s)</li>")
                .contains("<span class=\"seen\">3×</span> on this DAG and task")
                .contains("2 marked it right")
                .contains("line one\nline two");
    }

    @Test
    void without_a_workspace_the_thread_is_named_not_linked_and_an_undiagnosed_incident_renders() throws Exception {
        IncidentViews plain = new IncidentViews(Optional.empty());
        ObjectNode i = incident();
        assertThat(plain.row(i).links().slackUrl()).isEmpty();
        assertThat(plain.row(i).links().slackText()).isEqualTo("#C0ALERTS · 1763608500.000100");

        i.putNull("diagnosis");
        i.put("status", "queued");
        i.remove("investigation");
        i.remove("timings");
        String page = renderer.render("incident", new IncidentsPage.DetailPage(chrome, plain.detail(i)));
        assertThat(page).contains("not diagnosed yet").contains("No source was asked");
        IncidentViews.Row row = plain.row(i);
        assertThat(row.diagnosed()).isFalse();
        assertThat(row.category().label()).isEmpty();
    }

    @Test
    void the_chart_stacks_categories_with_their_own_fills_and_a_text_summary() {
        LocalDate first = LocalDate.of(2026, 11, 14);
        Patterns p = new Patterns(
                first,
                7,
                List.of(
                        new IncidentStore.DayCount(first, "missing_column", 2),
                        new IncidentStore.DayCount(first, "timeout", 1),
                        new IncidentStore.DayCount(first.plusDays(6), "missing_column", 1),
                        new IncidentStore.DayCount(first.plusDays(6), "", 1)),
                List.of(),
                List.of(new IncidentStore.CategoryVerdicts("missing_column", 3, 1)));
        PatternsView.Chart chart = PatternsView.chart(p);
        assertThat(chart.series())
                .extracting(PatternsView.Series::label)
                .containsExactly("missing_column", "timeout", "not diagnosed yet");
        assertThat(chart.series()).extracting(PatternsView.Series::id).doesNotHaveDuplicates();
        assertThat(chart.columns().get(0).bars()).hasSize(2);
        assertThat(chart.columns().get(0).total()).isEqualTo(3);
        assertThat(chart.summary())
                .isEqualTo("5 failures from 2026-11-14 to 2026-11-20; the most on 2026-11-14 (3). By category:"
                        + " missing_column 3, timeout 1, not diagnosed yet 1.");
        assertThat(chart.ticks()).extracting(PatternsView.Tick::label).containsExactly("0", "1", "2", "3");
        String page = renderer.render(
                "patterns", PatternsView.page(new IncidentsPage.Chrome("Patterns", "", false, true), p));
        assertThat(page)
                .contains("<pattern id=\"fill-0\"")
                .contains("fill=\"url(#fill-1)\"")
                .contains("<td class=\"num\">75%</td>")
                .contains("Nothing failed twice with the same signature");
        assertThat(PatternsView.niceStep(37)).isEqualTo(10);
        assertThat(PatternsView.niceStep(4)).isEqualTo(1);
    }

    @Test
    void list_queries_read_iso_times_and_dates_and_say_what_is_wrong() {
        ListQuery.Ok q = (ListQuery.Ok) ListQuery.parse(
                Map.of("since", "2026-11-20", "until", "2026-11-20", "dag_id", " daily_orders ", "task_id", "")::get,
                50);
        assertThat(q.filter().since()).contains(Instant.parse("2026-11-20T00:00:00Z"));
        assertThat(q.filter().until())
                .as("a date until includes that day")
                .contains(Instant.parse("2026-11-21T00:00:00Z"));
        assertThat(q.filter().dagId()).contains("daily_orders");
        assertThat(q.filter().taskId()).isEmpty();
        assertThat(ListQuery.time("since", "2026-11-20T03:00:00+02:00", false))
                .isEqualTo(Instant.parse("2026-11-20T01:00:00Z"));
        assertThat(ListQuery.time("since", "2026-11-20T03:00:00 02:00", false))
                .as("an unencoded + arrives as a space")
                .isEqualTo(Instant.parse("2026-11-20T01:00:00Z"));
        assertThat(ListQuery.time("since", "2026-11-20T03:00", false)).isEqualTo(Instant.parse("2026-11-20T03:00:00Z"));
        assertThat(((ListQuery.Bad) ListQuery.parse(Map.of("since", "2026-11-21", "until", "2026-11-20")::get, 50))
                        .message())
                .isEqualTo("since must be before until");
        assertThat(((ListQuery.Bad) ListQuery.parse(Map.of("dag_id", "d".repeat(251))::get, 50)).message())
                .isEqualTo("dag_id is longer than 250 characters");
    }
}
