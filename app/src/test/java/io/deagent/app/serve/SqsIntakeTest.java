package io.deagent.app.serve;

import static org.assertj.core.api.Assertions.assertThat;

import io.deagent.app.store.Database;
import io.deagent.app.store.IncidentStore;
import io.deagent.runtime.Config;
import io.deagent.testkit.FakeSqs;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Failure events from an SQS queue (faked at the wire), through the store's durable intake and dedupe. */
class SqsIntakeTest {

    @TempDir
    Path dir;

    private static String event(String run) {
        return "{\"dag_id\":\"daily_orders\",\"task_id\":\"load\",\"run_id\":\"" + run
                + "\",\"try_number\":1,\"exception\":\"java.lang.OutOfMemoryError: Java heap space\","
                + "\"log\":\"connecting with password=hunter2hunter2\"}";
    }

    @Test
    void eventsAreRecordedOnceRedactedAndDeletedOnlyOnceRecorded() throws Exception {
        try (FakeSqs sqs = FakeSqs.start();
                Database db =
                        Database.open("jdbc:h2:file:" + dir.resolve("store"), Optional.empty(), Optional.empty(), 4)) {
            String url = sqs.createQueue("airflow-failures");
            sqs.put(url, event("r1"));
            sqs.put(url, event("r2"));
            sqs.put(url, event("r1")); // a producer's retry
            sqs.put(url, "{\"task_id\":\"no dag\"}");
            IncidentStore store = new IncidentStore(db);
            ServiceMetrics metrics = new ServiceMetrics(store::queueDepth);
            AtomicInteger woken = new AtomicInteger();
            Config config = Config.of(Map.of(
                    "DE_AGENT_SQS_QUEUE_URL",
                    url,
                    "DE_AGENT_SQS_WAIT_SECONDS",
                    "1",
                    "AWS_REGION",
                    "us-east-1",
                    "AWS_ENDPOINT_URL",
                    sqs.endpoint().toString()));
            try (SqsIntake intake = SqsIntake.from(
                            config, new QueuedEvents(store, woken::incrementAndGet, metrics, Clock.systemUTC()))
                    .orElseThrow()) {
                intake.start();
                long deadline = System.nanoTime() + 20_000_000_000L;
                while (!sqs.messages(url).isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
            }

            assertThat(sqs.messages(url)).isEmpty();
            List<IncidentStore.Incident> incidents =
                    store.list(10, Optional.empty(), Optional.empty()).incidents();
            assertThat(incidents).hasSize(2);
            assertThat(incidents).allSatisfy(i -> {
                assertThat(i.eventJson())
                        .contains("\"dag_id\":\"daily_orders\"")
                        .doesNotContain("hunter2");
            });
            assertThat(incidents.stream()
                            .mapToInt(IncidentStore.Incident::deliveries)
                            .sum())
                    .isEqualTo(3);
            assertThat(woken.get()).isEqualTo(2);
            assertThat(sqs.api().calls("AmazonSQS.DeleteMessage")).hasSize(4);
            assertThat(metrics.scrape())
                    .contains("de_agent_intake_messages_total{door=\"sqs\",outcome=\"duplicate\"} 1.0")
                    .contains("de_agent_intake_messages_total{door=\"sqs\",outcome=\"invalid\"} 1.0");
        }
    }

    @Test
    void aMessageTheStoreCannotTakeStaysOnTheQueue() throws Exception {
        try (FakeSqs sqs = FakeSqs.start()) {
            String url = sqs.createQueue("airflow-failures");
            sqs.put(url, event("r1"));
            AtomicInteger tries = new AtomicInteger();
            QueuedEvents down = new QueuedEvents(null, () -> {}, new ServiceMetrics(() -> 0), Clock.systemUTC()) {
                @Override
                Outcome accept(byte[] body, io.deagent.core.FailureEvent.Origin origin, String where) {
                    tries.incrementAndGet();
                    throw new IllegalStateException("the incident store is unavailable");
                }
            };
            Config config = Config.of(Map.of(
                    "DE_AGENT_SQS_QUEUE_URL",
                    url,
                    "DE_AGENT_SQS_WAIT_SECONDS",
                    "1",
                    "AWS_REGION",
                    "us-east-1",
                    "AWS_ENDPOINT_URL",
                    sqs.endpoint().toString()));
            try (SqsIntake intake = SqsIntake.from(config, down).orElseThrow()) {
                intake.start();
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (tries.get() == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
            }
            assertThat(tries.get()).isPositive();
            assertThat(sqs.messages(url)).hasSize(1);
            assertThat(sqs.api().calls("AmazonSQS.DeleteMessage")).isEmpty();
        }
    }
}
