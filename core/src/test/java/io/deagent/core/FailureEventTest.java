package io.deagent.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FailureEventTest {

    static FailureEvent parse(String json) {
        return FailureEvents.parse(json, FailureEvent.Origin.AIRFLOW_WEBHOOK);
    }

    @Test
    void one_failure_from_two_doors_has_one_key_whatever_else_they_carry() {
        FailureEvent webhook = parse("{\"dag_id\":\"d\",\"task_id\":\"t\",\"run_id\":\"r\",\"try_number\":2,"
                + "\"exception\":\"boom\",\"log\":\"...\"}");
        FailureEvent slack = parse("{\"task_id\":\"t\",\"dag_id\":\"d\",\"run_id\":\"r\",\"try_number\":\"2\"}");
        FailureEvent nextTry = parse("{\"dag_id\":\"d\",\"task_id\":\"t\",\"run_id\":\"r\",\"try_number\":3}");

        assertThat(webhook.dedupeKey()).isEqualTo(slack.dedupeKey()).isEqualTo("d|t|r|2");
        assertThat(nextTry.dedupeKey()).isNotEqualTo(webhook.dedupeKey());
    }

    @Test
    void without_a_run_id_only_the_same_payload_is_the_same_failure() {
        FailureEvent a = parse("{\"dag_id\":\"d\",\"task_id\":\"t\",\"exception\":\"disk full\"}");
        FailureEvent aAgain = parse("{\"exception\":\"disk full\",\"task_id\":\"t\",\"dag_id\":\"d\"}");
        FailureEvent b = parse("{\"dag_id\":\"d\",\"task_id\":\"t\",\"exception\":\"connection reset\"}");

        assertThat(a.dedupeKey()).isEqualTo(aAgain.dedupeKey()).startsWith("d|t|||payload:");
        assertThat(b.dedupeKey()).isNotEqualTo(a.dedupeKey());
    }

    @Test
    void ids_longer_than_airflow_allows_are_refused_with_the_field_named() {
        String longId = "x".repeat(251);
        assertThatThrownBy(() -> parse("{\"dag_id\":\"" + longId + "\",\"task_id\":\"t\"}"))
                .isInstanceOf(FailureEvents.InvalidEventException.class)
                .hasMessage("\"dag_id\" is longer than Airflow's limit of 250 characters");
        assertThat(parse("{\"dag_id\":\"" + "x".repeat(250) + "\",\"task_id\":\"t\"}")
                        .dagId())
                .hasSize(250);
    }
}
