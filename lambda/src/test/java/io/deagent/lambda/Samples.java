package io.deagent.lambda;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deagent.runtime.WebhookSignature;
import io.deagent.testkit.SlackRequests;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * The sample events of {@code deploy/events/}, read the way the Lambda Java runtime reads events (its own
 * serializers for the aws-lambda-java-events types), and re-signed at run time: the samples' signatures were
 * made with the test secrets below at a fixed time, which Bolt and the webhook refuse as stale.
 */
final class Samples {

    /** Slack's documentation example secret, which the samples are signed with. */
    static final String SLACK_SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";

    static final String WEBHOOK_SECRET = "test-webhook-secret";

    private static final ObjectMapper JSON = new ObjectMapper();

    private Samples() {}

    static Path dir() {
        return Path.of(System.getProperty("deagent.root", "..")).resolve("deploy/events");
    }

    static String text(String name) {
        try {
            return Files.readString(dir().resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The sample, its signature made again now with {@code secret}. */
    static APIGatewayV2HTTPEvent signed(String name, String secret) {
        return resigned(text(name), secret, Instant.now().getEpochSecond());
    }

    /** An API Gateway event JSON with its body replaced (and re-signed with {@code secret}). */
    static APIGatewayV2HTTPEvent withBody(String name, String body, String secret) {
        try {
            ObjectNode event = (ObjectNode) JSON.readTree(text(name));
            event.put("body", body);
            return resigned(event.toString(), secret, Instant.now().getEpochSecond());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static APIGatewayV2HTTPEvent resigned(String eventJson, String secret, long timestamp) {
        try {
            ObjectNode event = (ObjectNode) JSON.readTree(eventJson);
            ObjectNode headers = (ObjectNode) event.get("headers");
            String body = event.path("body").asText();
            byte[] raw = event.path("isBase64Encoded").asBoolean()
                    ? java.util.Base64.getDecoder().decode(body)
                    : body.getBytes(StandardCharsets.UTF_8);
            String ts = String.valueOf(timestamp);
            if (headers.has("x-slack-signature")) {
                headers.put("x-slack-request-timestamp", ts);
                headers.put(
                        "x-slack-signature",
                        SlackRequests.signature(secret, timestamp, new String(raw, StandardCharsets.UTF_8)));
            } else {
                headers.put("x-de-agent-timestamp", ts);
                headers.put("x-de-agent-signature", new WebhookSignature(secret).sign(ts, raw));
            }
            return apiGateway(event.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static APIGatewayV2HTTPEvent apiGateway(String json) {
        return LambdaEventSerializers.serializerFor(APIGatewayV2HTTPEvent.class, Samples.class.getClassLoader())
                .fromJson(json);
    }

    static SQSEvent sqs(String json) {
        return LambdaEventSerializers.serializerFor(SQSEvent.class, Samples.class.getClassLoader())
                .fromJson(json);
    }
}
