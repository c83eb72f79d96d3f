package io.deagent.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.deagent.core.log.LogReader;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SignatureTest {

    private static String signatureOf(String log) {
        return LogDiagnoser.builtIn()
                .diagnose(new LogReader().read(log), Optional.empty(), List.of())
                .signature();
    }

    @Test
    void sameFailureOnAnotherDayHasTheSameSignature() {
        String monday = "[2026-11-02, 03:00:01 UTC] {taskinstance.py:2698} ERROR - Task failed with exception\n"
                + "Traceback (most recent call last):\n  File \"/opt/airflow/dags/x.py\", line 3, in f\n    run()\n"
                + "botocore.errorfactory.NoSuchKey: An error occurred (NoSuchKey) when calling the GetObject operation:"
                + " The specified key does not exist. Key: exports/dt=2026-11-02/part-0001.csv request 8f14e45f-ea0b\n";
        String friday = monday.replace("2026-11-02", "2026-11-06")
                .replace("part-0001", "part-0007")
                .replace("03:00:01", "03:00:09")
                .replace("8f14e45f-ea0b", "c9f0f895-fb98");
        assertThat(signatureOf(monday)).isEqualTo(signatureOf(friday));
    }

    @Test
    void anotherRootCauseHasAnotherSignature() {
        String a = "psycopg2.errors.UndefinedColumn: column \"customer_idd\" does not exist\n";
        String b = "psycopg2.errors.UndefinedColumn: column \"order_ts\" does not exist\n";
        String c = "psycopg2.errors.UndefinedTable: relation \"customer_idd\" does not exist\n";
        assertThat(signatureOf(a)).isNotEqualTo(signatureOf(b)).isNotEqualTo(signatureOf(c));
    }

    @Test
    void templateMasksWhatChangesAndKeepsNames() {
        assertThat(Signature.template(
                        "Lost task 3.0 in stage 12.0 (TID 812) on ip-10-0-3-17.ec2.internal: 10.0.3.17:7337"))
                .isEqualTo("Lost task #.# in stage #.# (TID #) on #: #");
        assertThat(Signature.template("column \"customer_idd\" does not exist")).contains("customer_idd");
        assertThat(Signature.of("x", "A", "m")).hasSize(16).isNotEqualTo(Signature.of("x", "B", "m"));
    }
}
