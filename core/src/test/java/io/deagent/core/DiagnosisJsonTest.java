package io.deagent.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.deagent.core.log.LogReader;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DiagnosisJsonTest {

    @Test
    void what_is_written_reads_back_equal() {
        FailureEvent e = FailureEvents.parse(
                "{\"dag_id\":\"d\",\"task_id\":\"t\",\"run_id\":\"r\",\"try_number\":2}", FailureEvent.Origin.CLI);
        Diagnosis d = LogDiagnoser.builtIn()
                .diagnose(
                        new LogReader()
                                .read("psycopg2.errors.UndefinedColumn: column \"customer_idd\" does not exist\n"),
                        Optional.of(e),
                        List.of("airflow: TIMED_OUT (no answer after 10 s)"))
                .withRecurrence(new Diagnosis.Recurrence(3, Optional.of("2026-11-02T03:00:00Z"), Optional.empty()));

        Diagnosis back = DiagnosisJson.read(DiagnosisJson.write(d));

        assertThat(back).isEqualTo(d);
        assertThat(back.fix().fixClass()).isEqualTo("fix_column_reference");
    }
}
