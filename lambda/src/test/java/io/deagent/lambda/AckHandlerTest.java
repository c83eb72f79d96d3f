package io.deagent.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deagent.testkit.FakeAwsJsonApi;
import io.deagent.testkit.FakeSqs;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** The ack function in process, with the sample events of deploy/events and fakes behind endpoint overrides. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AckHandlerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final FakeAws aws = new FakeAws();

    @AfterEach
    void stop() {
        aws.close();
    }

    private static JsonNode body(APIGatewayV2HTTPResponse r) throws Exception {
        return JSON.readTree(r.getBody());
    }

    /**
     * First in a fresh JVM (surefire forks one per class): the first invocation loads Bolt, the AWS SDK and
     * Jackson and builds the wiring, as a cold container without SnapStart would. That time is printed, not
     * asserted (it depends on the machine; PrimingTest asserts the SnapStart case); a new alert on the running
     * function must be acknowledged, its work queued, well inside Slack's 3 seconds.
     */
    @Test
    @Order(1)
    void slackAlertIsAcknowledgedWellUnderThreeSecondsWithItsWorkQueued() throws Exception {
        AckHandler ack = aws.ack();

        long start = System.nanoTime();
        APIGatewayV2HTTPResponse r =
                ack.handleRequest(Samples.signed("slack-alert-message.json", Samples.SLACK_SIGNING_SECRET), null);
        long coldMs = (System.nanoTime() - start) / 1_000_000;

        assertThat(r.getStatusCode()).isEqualTo(200);
        FakeSqs.Message queued =
                aws.sqs.awaitMessages(aws.queueUrl, 1, Duration.ofSeconds(1)).get(0);
        assertThat(queued.attributes()).containsEntry("kind", "slack_alert").containsKey("correlation_id");
        JsonNode work = JSON.readTree(queued.body());
        assertThat(work.path("schema").asText()).isEqualTo(WorkItem.SCHEMA);
        assertThat(work.path("event").path("dag_id").asText()).isEqualTo("daily_orders");
        assertThat(work.path("event").path("task_id").asText()).isEqualTo("transform");
        assertThat(work.path("slack").path("channel").asText()).isEqualTo("C0ALERTS1");
        assertThat(work.path("slack").path("thread_ts").asText()).isEqualTo("1763700001.000200");
        assertThat(aws.dynamo.item(FakeAws.TABLE, "slack-event#Ev0LAMBDA0001")).isPresent();
        assertThat(aws.dynamo.item(FakeAws.TABLE, "slack-alert#C0ALERTS1#1763700001.000200"))
                .get()
                .satisfies(i -> assertThat(i.path("status").path("S").asText()).isEqualTo("queued"))
                .satisfies(
                        i -> assertThat(i.path("expires_at").path("N").asLong()).isPositive());

        // the next alert (another failure, another message) on the running function
        String next = JSON.readTree(Samples.text("slack-alert-message.json"))
                .path("body")
                .asText()
                .replace("Ev0LAMBDA0001", "Ev0LAMBDA0009")
                .replace("1763700001.000200", "1763700077.000900")
                .replace("*Task*: transform", "*Task*: load");
        APIGatewayV2HTTPEvent second = Samples.withBody("slack-alert-message.json", next, Samples.SLACK_SIGNING_SECRET);
        start = System.nanoTime();
        APIGatewayV2HTTPResponse r2 = ack.handleRequest(second, null);
        long secondMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(r2.getStatusCode()).isEqualTo(200);
        assertThat(secondMs).isLessThan(3_000);
        assertThat(aws.sqs.messages(aws.queueUrl)).hasSize(2);

        // Slack retries the same event (our answer was late, say): nothing more is queued
        long[] warm = new long[20];
        for (int i = 0; i < warm.length; i++) {
            APIGatewayV2HTTPEvent again = Samples.signed("slack-alert-message.json", Samples.SLACK_SIGNING_SECRET);
            long t = System.nanoTime();
            assertThat(ack.handleRequest(again, null).getStatusCode()).isEqualTo(200);
            warm[i] = (System.nanoTime() - t) / 1_000;
        }
        assertThat(aws.sqs.messages(aws.queueUrl)).hasSize(2);
        java.util.Arrays.sort(warm);
        System.out.printf(
                "ack of a Slack alert: cold first invocation %d ms (class loading and wiring included), next alert"
                        + " %d ms, median %.1f ms of 20 duplicate deliveries%n",
                coldMs, secondMs, warm[10] / 1000.0);
    }

    @Test
    void urlVerificationIsAnsweredWithTheChallenge() throws Exception {
        APIGatewayV2HTTPResponse r = aws.ack()
                .handleRequest(Samples.signed("slack-url-verification.json", Samples.SLACK_SIGNING_SECRET), null);

        assertThat(r.getStatusCode()).isEqualTo(200);
        assertThat(r.getBody()).contains("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P");
        assertThat(aws.sqs.messages(aws.queueUrl)).isEmpty();
    }

    @Test
    void webhookEventIsQueuedOnceAndItsRedeliveryIsADuplicate() throws Exception {
        AckHandler ack = aws.ack();

        APIGatewayV2HTTPResponse r =
                ack.handleRequest(Samples.signed("airflow-webhook.json", Samples.WEBHOOK_SECRET), null);

        assertThat(r.getStatusCode()).isEqualTo(202);
        assertThat(body(r).path("status").asText()).isEqualTo("queued");
        assertThat(body(r).path("duplicate").asBoolean()).isFalse();
        String cid = body(r).path("correlation_id").asText();
        FakeSqs.Message m = aws.sqs.messages(aws.queueUrl).get(0);
        assertThat(m.attributes()).containsEntry("kind", "failure").containsEntry("correlation_id", cid);
        assertThat(JSON.readTree(m.body()).path("event").path("log").asText()).contains("OutOfMemoryError");

        APIGatewayV2HTTPResponse again =
                ack.handleRequest(Samples.signed("airflow-webhook.json", Samples.WEBHOOK_SECRET), null);
        assertThat(again.getStatusCode()).isEqualTo(200);
        assertThat(body(again).path("duplicate").asBoolean()).isTrue();
        assertThat(aws.sqs.messages(aws.queueUrl)).hasSize(1);
    }

    @Test
    void aBase64BodyIsDecodedBeforeItsSignatureIsChecked() throws Exception {
        String json = Samples.text("airflow-webhook.json");
        JsonNode event = JSON.readTree(json);
        String encoded =
                Base64.getEncoder().encodeToString(event.path("body").asText().getBytes(StandardCharsets.UTF_8));
        String b64 = ((com.fasterxml.jackson.databind.node.ObjectNode) event)
                .put("body", encoded)
                .put("isBase64Encoded", true)
                .toString();

        APIGatewayV2HTTPResponse r = aws.ack()
                .handleRequest(
                        Samples.resigned(
                                b64,
                                Samples.WEBHOOK_SECRET,
                                java.time.Instant.now().getEpochSecond()),
                        null);

        assertThat(r.getStatusCode()).isEqualTo(202);
    }

    @Test
    void forgedOrStaleRequestsGet401AndNothingIsQueued() {
        AckHandler ack = aws.ack();

        assertThat(ack.handleRequest(Samples.signed("slack-alert-message.json", "not-the-secret"), null)
                        .getStatusCode())
                .isEqualTo(401);
        assertThat(ack.handleRequest(Samples.signed("airflow-webhook.json", "not-the-secret"), null)
                        .getStatusCode())
                .isEqualTo(401);
        // the samples as they are: signed correctly, but long ago
        assertThat(ack.handleRequest(Samples.apiGateway(Samples.text("airflow-webhook.json")), null)
                        .getStatusCode())
                .isEqualTo(401);
        assertThat(ack.handleRequest(Samples.apiGateway(Samples.text("slack-alert-message.json")), null)
                        .getStatusCode())
                .isEqualTo(401);
        assertThat(aws.sqs.messages(aws.queueUrl)).isEmpty();
        assertThat(aws.dynamo.items(FakeAws.TABLE)).isEmpty();
    }

    @Test
    void malformedRequestsGet400WithTheReason() throws Exception {
        AckHandler ack = aws.ack();

        APIGatewayV2HTTPResponse noDag = ack.handleRequest(
                Samples.withBody("airflow-webhook.json", "{\"task_id\":\"load\"}", Samples.WEBHOOK_SECRET), null);
        APIGatewayV2HTTPResponse notJson = ack.handleRequest(
                Samples.withBody("airflow-webhook.json", "{\"dag_id\":", Samples.WEBHOOK_SECRET), null);
        APIGatewayV2HTTPResponse slackGarbage = ack.handleRequest(
                Samples.withBody("slack-alert-message.json", "{not json", Samples.SLACK_SIGNING_SECRET), null);

        assertThat(noDag.getStatusCode()).isEqualTo(400);
        assertThat(body(noDag).path("error").asText()).isEqualTo("missing \"dag_id\"");
        assertThat(notJson.getStatusCode()).isEqualTo(400);
        assertThat(body(notJson).path("error").asText()).startsWith("malformed JSON at line 1");
        assertThat(slackGarbage.getStatusCode()).isEqualTo(400);
        assertThat(aws.sqs.messages(aws.queueUrl)).isEmpty();
    }

    @Test
    void whenSqsIsDownTheAnswerIs503AndTheSendersRetryIsTakenAsNew() throws Exception {
        AckHandler ack = aws.ack();
        // two requests, each tried three times by the SDK (StateTable.ATTEMPTS)
        aws.sqs.api().failNext("AmazonSQS.SendMessage", 6, FakeAwsJsonApi.AwsError.internalServerError());

        APIGatewayV2HTTPResponse down =
                ack.handleRequest(Samples.signed("airflow-webhook.json", Samples.WEBHOOK_SECRET), null);
        APIGatewayV2HTTPResponse slackDown =
                ack.handleRequest(Samples.signed("slack-alert-message.json", Samples.SLACK_SIGNING_SECRET), null);

        assertThat(down.getStatusCode()).isEqualTo(503);
        assertThat(slackDown.getStatusCode()).isEqualTo(503);
        assertThat(aws.dynamo.items(FakeAws.TABLE)).isEmpty(); // nothing half-recorded
        assertThat(aws.printedJson())
                .anySatisfy(l -> assertThat(l.path("service").asText()).isEqualTo("sqs"));

        APIGatewayV2HTTPResponse retry =
                ack.handleRequest(Samples.signed("airflow-webhook.json", Samples.WEBHOOK_SECRET), null);
        assertThat(retry.getStatusCode()).isEqualTo(202);
        APIGatewayV2HTTPResponse slackRetry =
                ack.handleRequest(Samples.signed("slack-alert-message.json", Samples.SLACK_SIGNING_SECRET), null);
        assertThat(slackRetry.getStatusCode()).isEqualTo(200);
        assertThat(aws.sqs.messages(aws.queueUrl)).hasSize(2);
    }

    @Test
    void whenDynamoDbIsDownTheAnswerIs503() {
        aws.dynamo.api().failNext("DynamoDB_20120810.PutItem", 3, FakeAwsJsonApi.AwsError.serviceUnavailable());

        APIGatewayV2HTTPResponse r =
                aws.ack().handleRequest(Samples.signed("airflow-webhook.json", Samples.WEBHOOK_SECRET), null);

        assertThat(r.getStatusCode()).isEqualTo(503);
        assertThat(aws.sqs.messages(aws.queueUrl)).isEmpty();
    }

    @Test
    void unknownRoutesAndMisconfigurationAreAnsweredWithoutAStackTrace() throws Exception {
        APIGatewayV2HTTPEvent other = Samples.apiGateway(Samples.text("airflow-webhook.json")
                .replace("POST /webhooks/airflow", "POST /admin")
                .replace("\"/webhooks/airflow\"", "\"/admin\""));
        assertThat(aws.ack().handleRequest(other, null).getStatusCode()).isEqualTo(404);

        Map<String, String> broken = new java.util.HashMap<>(aws.settings());
        broken.remove("DE_AGENT_STATE_TABLE");
        APIGatewayV2HTTPResponse r =
                aws.ack(broken).handleRequest(Samples.signed("airflow-webhook.json", Samples.WEBHOOK_SECRET), null);
        assertThat(r.getStatusCode()).isEqualTo(500);
        assertThat(body(r).path("error").asText()).isEqualTo("de-agent is misconfigured; its log says what to fix");
    }

    @Test
    void theSecretsComeFromSecretsManagerOnTheFirstInvocation() throws Exception {
        io.deagent.runtime.AwsSecrets.forget();
        try (FakeAwsJsonApi secrets = FakeAwsJsonApi.start()) {
            secrets.on("secretsmanager.GetSecretValue", call -> {
                String id = call.text("SecretId").orElse("");
                String value =
                        switch (id) {
                            case "de-agent/slack" ->
                                "{\"SLACK_BOT_TOKEN\":\"" + aws.slack.token() + "\",\"SLACK_SIGNING_SECRET\":\""
                                        + Samples.SLACK_SIGNING_SECRET + "\"}";
                            case "de-agent/mwaa" -> "{\"DE_AGENT_WEBHOOK_SECRET\":\"" + Samples.WEBHOOK_SECRET + "\"}";
                            default -> throw FakeAwsJsonApi.AwsError.resourceNotFound("no " + id);
                        };
                return Map.of("Name", id, "SecretString", value);
            });
            Map<String, String> env = new java.util.HashMap<>(aws.settings());
            env.remove("SLACK_BOT_TOKEN");
            env.remove("SLACK_SIGNING_SECRET");
            env.remove("DE_AGENT_WEBHOOK_SECRET");
            env.put("DE_AGENT_SECRETS", "aws:de-agent/");
            env.put("DE_AGENT_SECRET_NAMES", "slack,mwaa"); // the ack's role may read these two only
            env.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", secrets.endpoint().toString());
            AckHandler ack = new AckHandler(
                    () -> io.deagent.runtime.Config.from(env, Map.of()), java.time.Clock.systemUTC(), aws.out);

            assertThat(secrets.calls()).isEmpty(); // nothing read before the first request
            assertThat(ack.handleRequest(Samples.signed("airflow-webhook.json", Samples.WEBHOOK_SECRET), null)
                            .getStatusCode())
                    .isEqualTo(202);
            assertThat(ack.handleRequest(
                                    Samples.signed("slack-url-verification.json", Samples.SLACK_SIGNING_SECRET), null)
                            .getStatusCode())
                    .isEqualTo(200);
            assertThat(secrets.calls()).hasSize(2);
        } finally {
            io.deagent.runtime.AwsSecrets.forget();
        }
    }
}
