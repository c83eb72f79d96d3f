package io.deagent.sources.cloudwatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.deagent.core.FailureEvent;
import io.deagent.core.FailureEvents;
import io.deagent.sources.cloudwatch.TaskLogStreams.Candidate;
import io.deagent.sources.cloudwatch.TaskLogStreams.Naming;
import org.junit.jupiter.api.Test;

class TaskLogStreamsTest {

    private static FailureEvent event(String json) {
        return FailureEvents.parse(json, FailureEvent.Origin.AIRFLOW_WEBHOOK);
    }

    @Test
    void aManualRunWithMicrosecondsFollowsBothTemplatesAndThePreviousTry() {
        FailureEvent e = event("{\"dag_id\":\"d\",\"task_id\":\"t\","
                + "\"run_id\":\"manual__2025-12-18T09:27:20.621130+00:00\",\"try_number\":5}");

        assertThat(TaskLogStreams.candidates(e))
                .containsExactly(
                        new Candidate(
                                "dag_id=d/run_id=manual__2025-12-18T09_27_20.621130+00_00/task_id=t/attempt=5.log",
                                Naming.CURRENT,
                                5),
                        new Candidate("d/t/2025-12-18T09_27_20.621130+00_00/5.log", Naming.LEGACY, 5),
                        new Candidate(
                                "dag_id=d/run_id=manual__2025-12-18T09_27_20.621130+00_00/task_id=t/attempt=4.log",
                                Naming.CURRENT,
                                4),
                        new Candidate("d/t/2025-12-18T09_27_20.621130+00_00/4.log", Naming.LEGACY, 4));
    }

    @Test
    void theFirstTryHasNoPreviousOneAndAMissingTryIsTheFirst() {
        FailureEvent e = event("{\"dag_id\":\"d\",\"task_id\":\"t\",\"run_id\":\"my_custom_run\"}");

        assertThat(TaskLogStreams.candidates(e))
                .extracting(Candidate::name)
                .containsExactly("dag_id=d/run_id=my_custom_run/task_id=t/attempt=1.log");
    }

    @Test
    void theLogicalDateOfThePayloadIsRenderedAsAirflowsTs() {
        FailureEvent e = event(
                "{\"dag_id\":\"d\",\"task_id\":\"t\",\"logical_date\":\"2023-01-14T06:00:00Z\"," + "\"try_number\":1}");

        assertThat(TaskLogStreams.candidates(e))
                .extracting(Candidate::name)
                .containsExactly("d/t/2023-01-14T06_00_00+00_00/1.log");
    }

    @Test
    void theMapIndexOfAMappedTaskGoesBeforeTheAttempt() {
        FailureEvent mapped = event("{\"dag_id\":\"d\",\"task_id\":\"t\",\"run_id\":\"r\",\"map_index\":\"2\"}");
        FailureEvent unmapped = event("{\"dag_id\":\"d\",\"task_id\":\"t\",\"run_id\":\"r\",\"map_index\":-1}");

        assertThat(TaskLogStreams.candidates(mapped).get(0).name())
                .isEqualTo("dag_id=d/run_id=r/task_id=t/map_index=2/attempt=1.log");
        assertThat(TaskLogStreams.candidates(unmapped).get(0).name())
                .isEqualTo("dag_id=d/run_id=r/task_id=t/attempt=1.log");
    }

    @Test
    void pythonIsoKeepsOffsetsAndDropsZeroMicroseconds() {
        assertThat(TaskLogStreams.pythonIso("2026-11-20 03:00:00+02:00")).contains("2026-11-20T03:00:00+02:00");
        assertThat(TaskLogStreams.pythonIso("2026-11-20T03:00:00.5Z")).contains("2026-11-20T03:00:00.500000+00:00");
        assertThat(TaskLogStreams.pythonIso("yesterday")).isEmpty();
    }
}
