package io.deagent.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deagent.testkit.FakeSlackApi;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The worker function in process: the sample SQS batch and work the ack queued, with fakes at the wire. */
class WorkerHandlerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final FakeAws aws = new FakeAws();

    @AfterEach
    void stop() {
        aws.close();
    }

    private static List<String> failedIds(SQSBatchResponse r) {
        return r.getBatchItemFailures().stream()
                .map(SQSBatchResponse.BatchItemFailure::getItemIdentifier)
                .toList();
    }

    @Test
    void aBatchWithOnePoisonedMessageReportsExactlyThatOneAsFailed() throws Exception {
        SQSEvent batch = Samples.sqs(Samples.text("sqs-worker-batch.json"));
        assertThat(batch.getRecords()).hasSize(3);

        long start = System.nanoTime();
        SQSBatchResponse r = aws.worker().handleRequest(batch, null);
        long ms = (System.nanoTime() - start) / 1_000_000;

        assertThat(failedIds(r)).containsExactly("5f1c2a9e-0002-4b7e-9d0a-6c1e2f3a4b02");
        // the Slack alert's thread: "Investigating…" first, then the diagnosis in its place
        FakeSlackApi.Call post = aws.slack.calls("chat.postMessage").get(0);
        assertThat(post.param("channel")).contains("C0ALERTS1");
        assertThat(post.param("thread_ts")).contains("1763700001.000200");
        assertThat(post.param("text").orElse("")).startsWith(":mag: Investigating");
        FakeSlackApi.Call update = aws.slack.awaitCall("chat.update", c -> true, Duration.ofSeconds(5));
        assertThat(update.param("text").orElse("")).contains("daily_orders");
        assertThat(aws.slack.calls("chat.postMessage")).hasSize(1);
        // both good items are done, with their diagnoses; the webhook's log says what failed
        JsonNode webhook =
                aws.dynamo.item(FakeAws.TABLE, "failure#sample-webhook-0001").orElseThrow();
        assertThat(webhook.path("status").path("S").asText()).isEqualTo("done");
        assertThat(webhook.path("category").path("S").asText()).isEqualTo("out_of_memory_executor");
        assertThat(aws.dynamo.item(FakeAws.TABLE, "slack-alert#C0ALERTS1#1763700001.000200"))
                .get()
                .satisfies(i -> assertThat(i.path("status").path("S").asText()).isEqualTo("done"))
                .satisfies(
                        i -> assertThat(i.path("reply_ts").path("S").asText()).isNotBlank());
        assertThat(aws.dynamo.item(FakeAws.TABLE, "failure#sample-poisoned-0002"))
                .isEmpty();
        System.out.printf("worker batch of 3 (1 poisoned): %d ms%n", ms);
    }

    @Test
    void theMetricsAreEmbeddedMetricFormatLinesInTheDeAgentNamespace() throws Exception {
        aws.worker().handleRequest(Samples.sqs(Samples.text("sqs-worker-batch.json")), null);

        List<JsonNode> lines = aws.printedJson();
        List<JsonNode> diagnosed = lines.stream()
                .filter(l -> l.path("event").asText().equals("diagnostic_complete"))
                .toList();
        assertThat(diagnosed).hasSize(2);
        for (JsonNode l : diagnosed) {
            JsonNode directive = l.path("_aws").path("CloudWatchMetrics").get(0);
            assertThat(directive.path("Namespace").asText()).isEqualTo("DE-Agent");
            assertThat(l.path("_aws").path("Timestamp").asLong()).isPositive();
            assertThat(directive.path("Metrics").findValuesAsText("Name"))
                    .containsExactlyInAnyOrder("DiagnosticTime", "ErrorRate", "LLMTokenUsage");
            // every metric named in the directive is a number at the top level
            for (String name : directive.path("Metrics").findValuesAsText("Name")) {
                assertThat(l.path(name).isNumber()).as(name).isTrue();
            }
            assertThat(l.path("DiagnosticTime").asLong()).isNotNegative();
            assertThat(l.path("ErrorRate").asInt()).isZero();
            assertThat(l.path("LLMTokenUsage").asLong()).isZero(); // no LLM configured
        }
        JsonNode failed = lines.stream()
                .filter(l -> l.path("event").asText().equals("work_failed"))
                .findFirst()
                .orElseThrow();
        assertThat(failed.path("ErrorRate").asInt()).isEqualTo(100);
        assertThat(failed.path("correlation_id").asText()).isEqualTo("3b1f6d2e-7c4a-4e0b-9a51-0d2c8e6f1a02");
        assertThat(failed.path("error").asText()).contains("dag_id");
    }

    @Test
    void aSourceThatFailsIsCountedAsAServiceCallFailureOfThatService() throws Exception {
        java.util.Map<String, String> settings = aws.settings();
        // an Airflow that answers nothing: the airflow source fails, the diagnosis comes from the event's log
        settings.put("AIRFLOW_BASE_URL", "http://127.0.0.1:9");
        settings.put("DE_AGENT_SOURCE_TIMEOUT_SECONDS", "2"); // refused connections are retried while time is left
        WorkerHandler worker =
                new WorkerHandler(() -> io.deagent.runtime.Config.of(settings), java.time.Clock.systemUTC(), aws.out);

        worker.handleRequest(Samples.sqs(Samples.text("sqs-worker-batch.json")), null);

        JsonNode line = aws.printedJson().stream()
                .filter(l -> l.path("event").asText().equals("service_call_failed"))
                .findFirst()
                .orElseThrow();
        JsonNode directive = line.path("_aws").path("CloudWatchMetrics").get(0);
        assertThat(directive.path("Namespace").asText()).isEqualTo("DE-Agent");
        assertThat(directive.path("Dimensions").get(0).get(0).asText()).isEqualTo("service");
        assertThat(directive.path("Metrics").get(0).path("Name").asText()).isEqualTo("ServiceCallFailures");
        assertThat(line.path("service").asText()).isEqualTo("airflow");
        assertThat(line.path("ServiceCallFailures").asInt()).isEqualTo(1);
    }

    @Test
    void aRedeliveredBatchNeitherRepliesNorCountsTwice() throws Exception {
        WorkerHandler worker = aws.worker();
        worker.handleRequest(Samples.sqs(Samples.text("sqs-worker-batch.json")), null);
        JsonNode countedOnce = signatureItem();

        SQSBatchResponse again = worker.handleRequest(Samples.sqs(Samples.text("sqs-worker-batch.json")), null);

        assertThat(failedIds(again)).containsExactly("5f1c2a9e-0002-4b7e-9d0a-6c1e2f3a4b02");
        assertThat(aws.slack.calls("chat.postMessage")).hasSize(1);
        assertThat(aws.slack.calls("chat.update")).hasSize(1);
        assertThat(signatureItem()).isEqualTo(countedOnce);
        assertThat(aws.printedJson())
                .filteredOn(l -> l.path("event").asText().equals("duplicate_delivery"))
                .hasSize(2);
    }

    private JsonNode signatureItem() {
        return aws.dynamo.items(FakeAws.TABLE).stream()
                .filter(i -> i.path("pk").path("S").asText().startsWith("sig#"))
                .filter(i -> i.path("dag_id").path("S").asText().equals("daily_orders"))
                .filter(i -> i.path("category").path("S").asText().equals("out_of_memory_executor"))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void slackRateLimitingFailsOnlyThatMessageForARetry() {
        aws.slack.failNext("chat.postMessage", 1, FakeSlackApi.Failure.rateLimited(30));

        SQSBatchResponse r = aws.worker().handleRequest(Samples.sqs(Samples.text("sqs-worker-batch.json")), null);

        assertThat(failedIds(r))
                .containsExactlyInAnyOrder(
                        "5f1c2a9e-0002-4b7e-9d0a-6c1e2f3a4b02", "5f1c2a9e-0003-4b7e-9d0a-6c1e2f3a4b03");
        assertThat(aws.printedJson())
                .anySatisfy(l -> assertThat(l.path("service").asText()).isEqualTo("slack"));
    }

    @Test
    void fromTheAckToTheThreadAnswerThroughTheQueue() throws Exception {
        AckHandler ack = aws.ack();
        assertThat(ack.handleRequest(Samples.signed("slack-alert-message.json", Samples.SLACK_SIGNING_SECRET), null)
                        .getStatusCode())
                .isEqualTo(200);
        assertThat(ack.handleRequest(Samples.signed("airflow-webhook.json", Samples.WEBHOOK_SECRET), null)
                        .getStatusCode())
                .isEqualTo(202);

        SQSBatchResponse r = aws.worker().handleRequest(aws.queued(), null);

        assertThat(r.getBatchItemFailures()).isEmpty();
        FakeSlackApi.Call update = aws.slack.awaitCall("chat.update", c -> true, Duration.ofSeconds(5));
        assertThat(update.param("channel")).contains("C0ALERTS1");
        String blocks = update.param("blocks").orElse("");
        assertThat(blocks).contains("transform");
        // the Slack alert (exception only) and the webhook (with the log) are two reports of one failure; the
        // webhook's diagnosis reads the log
        JsonNode webhook = aws.dynamo.items(FakeAws.TABLE).stream()
                .filter(i -> i.path("pk").path("S").asText().startsWith("failure#"))
                .findFirst()
                .orElseThrow();
        assertThat(webhook.path("category").path("S").asText()).isEqualTo("out_of_memory_executor");

        // a question in the thread is answered from the stored diagnosis
        String mention = JSON.readTree(Samples.text("slack-alert-message.json"))
                .path("body")
                .asText()
                .replace(
                        "\"type\":\"message\",\"subtype\":\"bot_message\"",
                        "\"type\":\"app_mention\",\"user\":\"U0ONCALL\"")
                .replaceAll("\"text\":\"[^\"]*(\\\\\"[^\"]*)*\"", "\"text\":\"<@U0AGENT01> why\"")
                .replace(
                        "\"ts\":\"1763700001.000200\"",
                        "\"ts\":\"1763700090.000300\",\"thread_ts\":\"1763700001.000200\"")
                .replace("Ev0LAMBDA0001", "Ev0LAMBDA0002");
        assertThat(ack.handleRequest(
                                Samples.withBody("slack-alert-message.json", mention, Samples.SLACK_SIGNING_SECRET),
                                null)
                        .getStatusCode())
                .isEqualTo(200);
        aws.sqs.awaitMessages(aws.queueUrl, 3, Duration.ofSeconds(1));
        SQSEvent all = aws.queued();
        SQSEvent followUp = new SQSEvent();
        followUp.setRecords(all.getRecords().stream()
                .filter(m ->
                        m.getMessageAttributes().get("kind").getStringValue().equals("slack_follow_up"))
                .toList());
        assertThat(followUp.getRecords()).hasSize(1);

        assertThat(aws.worker().handleRequest(followUp, null).getBatchItemFailures())
                .isEmpty();
        List<FakeSlackApi.Call> posts = aws.slack.calls("chat.postMessage");
        assertThat(posts).hasSize(2);
        assertThat(posts.get(1).param("thread_ts")).contains("1763700001.000200");
        assertThat(posts.get(1).param("text").orElse("")).startsWith("Why: ");
    }
}
