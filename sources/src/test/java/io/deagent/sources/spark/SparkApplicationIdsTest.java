package io.deagent.sources.spark;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.deagent.core.FailureEvent;
import io.deagent.core.FailureEvents;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SparkApplicationIdsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static FailureEvent event(Map<String, Object> fields) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("dag_id", "daily_orders");
        payload.put("task_id", "transform");
        payload.putAll(fields);
        try {
            return FailureEvents.parse(JSON.writeValueAsString(payload), FailureEvent.Origin.CLI);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Test
    void findsEachKindOfId() {
        assertThat(SparkApplicationIds.last("Submitted application application_1523494505172_1552404"))
                .contains("application_1523494505172_1552404");
        assertThat(SparkApplicationIds.last("Connected to Spark cluster with app ID app-20150203164240-0000"))
                .contains("app-20150203164240-0000");
        assertThat(SparkApplicationIds.last("INFO SparkContext: app id local-1766844910796."))
                .contains("local-1766844910796");
        assertThat(SparkApplicationIds.last("spark-app-selector=spark-0a1b2c3d4e5f60718293a4b5c6d7e8f9 "))
                .contains("spark-0a1b2c3d4e5f60718293a4b5c6d7e8f9");
        assertThat(SparkApplicationIds.last("eventlog_v2_local-1766844910796/events_1_local-1766844910796"))
                .contains("local-1766844910796");
        assertThat(SparkApplicationIds.last(
                        "http://rm:8088/proxy/application_1_2/ and /history/application_3_4/1/jobs"))
                .contains("application_3_4");
    }

    @Test
    void theLastIdInTheLogWinsBecauseTheFailingRunIsWhatTheLogEndsWith() {
        String log = String.join(
                "\n",
                "[2026-11-20 03:00:04] INFO - Submitted application application_1700000000000_0007",
                "[2026-11-20 03:12:44] INFO - Application application_1700000000000_0007 finished with status FAILED",
                "[2026-11-20 03:12:45] INFO - retrying with more memory",
                "[2026-11-20 03:12:49] INFO - Submitted application application_1700000000000_0008",
                "[2026-11-20 03:30:01] ERROR - Application application_1700000000000_0008 finished with failed status");

        assertThat(SparkApplicationIds.of(event(Map.of("log", log)))).contains("application_1700000000000_0008");
    }

    @Test
    void theLogComesBeforeTheExceptionAndTheExceptionBeforeOtherFields() {
        assertThat(SparkApplicationIds.of(event(Map.of(
                        "log", "app local-1766844910796 started",
                        "exception", "failed: local-1766844999999"))))
                .contains("local-1766844910796");
        assertThat(SparkApplicationIds.of(event(Map.of("exception", "SparkException in app-20150203164240-0001"))))
                .contains("app-20150203164240-0001");
        assertThat(SparkApplicationIds.of(event(
                        Map.of("extra", Map.of("spark", List.of("ui at http://driver:4040", "id application_9_10"))))))
                .contains("application_9_10");
    }

    @Test
    void wordsThatOnlyLookLikeIdsAreNotTaken() {
        assertThat(SparkApplicationIds.last("local-1 local-2024 container_e05_1523494505172_1552404_01_000007"))
                .isEmpty();
        assertThat(SparkApplicationIds.last("myapplication_1_2 app-20150203164240-00001 xlocal-1766844910796"))
                .isEmpty();
        assertThat(SparkApplicationIds.of(event(Map.of("log", "no spark here", "exception", "ValueError: x"))))
                .isEmpty();
    }

    @Test
    void aLongLogIsScannedOnce() {
        StringBuilder log = new StringBuilder("Submitted application application_1_1\n");
        String line = "INFO TaskSetManager: Finished task 0.0 in stage 3.0 (TID 41) in 12 ms on localhost\n";
        while (log.length() < 8_000_000) {
            log.append(line);
        }
        log.append("ERROR application_1_2 failed\n");

        assertThat(SparkApplicationIds.last(log)).contains("application_1_2");
    }
}
