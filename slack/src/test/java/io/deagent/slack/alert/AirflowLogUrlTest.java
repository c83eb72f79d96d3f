package io.deagent.slack.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.deagent.slack.alert.AirflowLogUrl.Platform;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AirflowLogUrlTest {

    private static final String RUN = "scheduled__2026-11-20T03:00:00+00:00";
    private static final String RUN_ENCODED = "scheduled__2026-11-20T03%3A00%3A00%2B00%3A00";

    @Test
    void airflow2LogViewWithAnEncodedExecutionDate() {
        AirflowLogUrl u =
                parse("http://host:8080/log?dag_id=d&task_id=t&execution_date=2026-11-20T03%3A00%3A00%2B00%3A00");

        assertThat(u.baseUrl()).isEqualTo("http://host:8080");
        assertThat(u.dagId()).isEqualTo("d");
        assertThat(u.taskId()).contains("t");
        assertThat(u.executionDate()).contains("2026-11-20T03:00:00+00:00");
        assertThat(u.runId()).isEmpty();
        assertThat(u.tryNumber()).isEmpty();
        assertThat(u.mapIndex()).isEmpty();
        assertThat(u.platform()).isEqualTo(Platform.SELF_MANAGED);
    }

    @Test
    void anUnencodedPlusThatFormDecodingTurnedIntoASpaceIsRestored() {
        AirflowLogUrl u = parse("http://host/log?dag_id=d&task_id=t&execution_date=2026-11-20T03:00:00+00:00");

        assertThat(u.executionDate()).contains("2026-11-20T03:00:00+00:00");
    }

    @Test
    void notMappedIsMinusOneAndIsLeftOut() {
        AirflowLogUrl u = parse(
                "https://host/log?execution_date=2024-04-14T00%3A00%3A00%2B00%3A00&task_id=t&dag_id=d&map_index=-1");

        assertThat(u.mapIndex()).isEmpty();
    }

    @Test
    void airflow29GridUrlWithMappedTaskAndTryNumber() {
        AirflowLogUrl u = parse("https://airflow.example.com/dags/orders_daily/grid?dag_run_id=" + RUN_ENCODED
                + "&task_id=load_orders&tab=mapped_tasks&map_index=65&try_number=2&base_date=2026-11-20");

        assertThat(u.baseUrl()).isEqualTo("https://airflow.example.com");
        assertThat(u.dagId()).isEqualTo("orders_daily");
        assertThat(u.taskId()).contains("load_orders");
        assertThat(u.runId()).contains(RUN);
        assertThat(u.mapIndex()).contains(65);
        assertThat(u.tryNumber()).contains(2);
    }

    @Test
    void aDagLevelGridUrlHasNoTask() {
        AirflowLogUrl u = parse("https://airflow.example.com/dags/orders_daily/grid?dag_run_id=" + RUN_ENCODED);

        assertThat(u.taskId()).isEmpty();
        assertThat(u.runId()).contains(RUN);
    }

    @Test
    void airflow3TaskInstanceUrl() {
        AirflowLogUrl u = parse("https://airflow.example.com/dags/orders_daily/runs/" + RUN_ENCODED
                + "/tasks/load_orders?try_number=2");

        assertThat(u.dagId()).isEqualTo("orders_daily");
        assertThat(u.runId()).contains(RUN);
        assertThat(u.taskId()).contains("load_orders");
        assertThat(u.tryNumber()).contains(2);
        assertThat(u.mapIndex()).isEmpty();
    }

    @Test
    void airflow3MappedTaskUrlWithATab() {
        AirflowLogUrl u = parse("https://airflow.example.com/dags/d/runs/manual__2026-11-20T10%3A00%3A00%2B00%3A00"
                + "/tasks/group.t/mapped/7/xcom");

        assertThat(u.taskId()).contains("group.t");
        assertThat(u.runId()).contains("manual__2026-11-20T10:00:00+00:00");
        assertThat(u.mapIndex()).contains(7);
    }

    @Test
    void aPlusInAPathSegmentIsAPlus() {
        AirflowLogUrl u = parse("https://airflow.example.com/dags/d/runs/manual__2026-11-20T10:00:00+00:00/tasks/t");

        assertThat(u.runId()).contains("manual__2026-11-20T10:00:00+00:00");
    }

    @Test
    void airflow303MissingSlashIsRepaired() {
        AirflowLogUrl u = parse("http://localhost:8080dags/d/runs/" + RUN_ENCODED + "/tasks/t?try_number=1");

        assertThat(u.url()).isEqualTo("http://localhost:8080/dags/d/runs/" + RUN_ENCODED + "/tasks/t?try_number=1");
        assertThat(u.baseUrl()).isEqualTo("http://localhost:8080");
        assertThat(u.dagId()).isEqualTo("d");
        assertThat(u.tryNumber()).contains(1);
    }

    @Test
    void airflow1AdminLogUrl() {
        AirflowLogUrl u =
                parse("http://legacy:8080/admin/airflow/log?task_id=t&dag_id=d&execution_date=2026-11-19T23:00:00");

        assertThat(u.baseUrl()).isEqualTo("http://legacy:8080");
        assertThat(u.taskId()).contains("t");
        assertThat(u.executionDate()).contains("2026-11-19T23:00:00");
    }

    @Test
    void restApiLogUrl() {
        AirflowLogUrl u = parse("https://airflow.example.com/api/v2/dags/d/dagRuns/" + RUN_ENCODED
                + "/taskInstances/t/logs/3?full_content=true");

        assertThat(u.baseUrl()).isEqualTo("https://airflow.example.com");
        assertThat(u.runId()).contains(RUN);
        assertThat(u.taskId()).contains("t");
        assertThat(u.tryNumber()).contains(3);
    }

    @Test
    void mwaaHost() {
        AirflowLogUrl u = parse("https://3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b.c2.us-east-1.airflow.amazonaws.com/log?"
                + "dag_id=d&task_id=t&execution_date=2026-11-20T04%3A00%3A00%2B00%3A00");

        assertThat(u.platform()).isEqualTo(Platform.MWAA);
        assertThat(u.baseUrl())
                .isEqualTo("https://3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b.c2.us-east-1.airflow.amazonaws.com");
    }

    @Test
    void astronomerKeepsTheDeploymentInTheBase() {
        AirflowLogUrl u = parse("https://clx1a2b3c4d5e.astronomer.run/d8k2m4n6/dags/d/grid?dag_run_id=" + RUN_ENCODED
                + "&task_id=t&tab=logs");

        assertThat(u.platform()).isEqualTo(Platform.ASTRONOMER);
        assertThat(u.baseUrl()).isEqualTo("https://clx1a2b3c4d5e.astronomer.run/d8k2m4n6");
        assertThat(u.taskId()).contains("t");
    }

    @Test
    void astronomerOldLogView() {
        AirflowLogUrl u =
                parse("https://clx1a2b3c4d5e.astronomer.run/d8k2m4n6/log?dag_id=d&task_id=t&execution_date=x");

        assertThat(u.baseUrl()).isEqualTo("https://clx1a2b3c4d5e.astronomer.run/d8k2m4n6");
    }

    @Test
    void cloudComposerHost() {
        AirflowLogUrl u = parse("https://a1b2c3d4e5f6g7h-dot-europe-west1.composer.googleusercontent.com/dags/d/grid?"
                + "dag_run_id=" + RUN_ENCODED + "&task_id=t");

        assertThat(u.platform()).isEqualTo(Platform.CLOUD_COMPOSER);
        assertThat(u.baseUrl()).isEqualTo("https://a1b2c3d4e5f6g7h-dot-europe-west1.composer.googleusercontent.com");
    }

    @Test
    void slackEscapedAndBracketedUrlsAreAccepted() {
        AirflowLogUrl u =
                parse("<https://host/dags/d/grid?dag_run_id=" + RUN_ENCODED + "&amp;task_id=t&amp;tab=logs|see log>");

        assertThat(u.url()).isEqualTo("https://host/dags/d/grid?dag_run_id=" + RUN_ENCODED + "&task_id=t&tab=logs");
        assertThat(u.taskId()).contains("t");
        assertThat(u.runId()).contains(RUN);
    }

    @Test
    void aBaseUrlPathIsPartOfTheBase() {
        assertThat(parse("https://tools.example.com/airflow/dags/d/grid").baseUrl())
                .isEqualTo("https://tools.example.com/airflow");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "not a url",
                "https://github.com/acme/data-pipelines/blob/main/dags/orders_daily.py",
                "https://github.com/acme/dags/tree/main",
                "https://gitlab.example.com/acme/pipelines/-/blob/main/dags/orders_daily.py",
                "https://docs.example.com/a/b/c/dags/orders_daily/grid",
                "https://airflow.example.com/dags/orders_daily/bogus",
                "https://airflow.example.com/log?task_id=t",
                "https://airflow.example.com/confirm?task_id=t&dag_id=d&state=success",
                "https://airflow.example.com/home",
                "https://acme.pagerduty.com/incidents/Q1ABCDEF",
                "ftp://airflow.example.com/log?dag_id=d&task_id=t",
                "https://airflow.example.com/dags/bad%20id/grid",
            })
    void otherUrlsAreNotAirflowTaskUrls(String url) {
        assertThat(AirflowLogUrl.parse(url)).isEmpty();
    }

    @Test
    void idsLongerThanAirflowAllowsAreNotParsed() {
        String longId = "d".repeat(251);

        assertThat(AirflowLogUrl.parse("https://host/log?dag_id=" + longId + "&task_id=t"))
                .isEmpty();
        assertThat(AirflowLogUrl.parse("https://host/dags/d/runs/" + "r".repeat(251) + "/tasks/t"))
                .isEmpty();
        assertThat(AirflowLogUrl.parse("https://host/log?dag_id=" + "d".repeat(250) + "&task_id=t"))
                .isPresent();
        assertThat(AirflowLogUrl.parse(null)).isEmpty();
    }

    private static AirflowLogUrl parse(String url) {
        Optional<AirflowLogUrl> parsed = AirflowLogUrl.parse(url);
        assertThat(parsed).as(url).isPresent();
        return parsed.get();
    }
}
