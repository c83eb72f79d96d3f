package io.deagent.lambda;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deagent.runtime.Config;
import io.deagent.testkit.FakeDynamoDb;
import io.deagent.testkit.FakeSlackApi;
import io.deagent.testkit.FakeSqs;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The deployment's AWS and Slack, faked at the wire, and the configuration that points the handlers at them. */
final class FakeAws implements AutoCloseable {

    static final String TABLE = "de-agent-state";
    static final String REGION = "us-east-1";
    private static final ObjectMapper JSON = new ObjectMapper();

    final FakeDynamoDb dynamo = FakeDynamoDb.start().createTable(TABLE, "pk");
    final FakeSqs sqs = FakeSqs.start();
    final String queueUrl = sqs.createQueue("de-agent-work");
    final FakeSlackApi slack = FakeSlackApi.start();
    final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

    Map<String, String> settings() {
        Map<String, String> s = new HashMap<>();
        s.put("AWS_REGION", REGION);
        s.put("AWS_ENDPOINT_URL_DYNAMODB", dynamo.endpoint().toString());
        s.put("AWS_ENDPOINT_URL_SQS", sqs.endpoint().toString());
        s.put("DE_AGENT_STATE_TABLE", TABLE);
        s.put("DE_AGENT_WORK_QUEUE_URL", queueUrl);
        s.put("SLACK_BOT_TOKEN", slack.token());
        s.put("SLACK_SIGNING_SECRET", Samples.SLACK_SIGNING_SECRET);
        s.put("SLACK_API_URL", slack.baseUrl());
        s.put("DE_AGENT_WEBHOOK_SECRET", Samples.WEBHOOK_SECRET);
        s.put("DE_AGENT_DEADLINE_SECONDS", "10");
        return s;
    }

    AckHandler ack() {
        return ack(settings());
    }

    AckHandler ack(Map<String, String> settings) {
        return new AckHandler(() -> Config.of(settings), Clock.systemUTC(), out);
    }

    WorkerHandler worker() {
        return new WorkerHandler(() -> Config.of(settings()), Clock.systemUTC(), out);
    }

    /** What the ack queued, as the SQS event source mapping hands it to the worker (and receives it). */
    SQSEvent queued() {
        ArrayNode records = JSON.createArrayNode();
        for (FakeSqs.Message m : sqs.messages(queueUrl)) {
            ObjectNode r = records.addObject();
            r.put("messageId", m.id());
            r.put("receiptHandle", "AQEB" + m.id());
            r.put("body", m.body());
            r.putObject("attributes")
                    .put("ApproximateReceiveCount", String.valueOf(m.receiveCount() + 1))
                    .put("SentTimestamp", m.sentAt());
            ObjectNode attrs = r.putObject("messageAttributes");
            m.attributes()
                    .forEach((k, v) -> attrs.putObject(k).put("stringValue", v).put("dataType", "String"));
            r.put("eventSource", "aws:sqs");
            r.put("eventSourceARN", FakeSqs.arn(queueUrl, REGION));
            r.put("awsRegion", REGION);
        }
        return Samples.sqs(JSON.createObjectNode().set("Records", records).toString());
    }

    /** The JSON lines printed so far (the EMF records). */
    List<JsonNode> printedJson() {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : printed.toString(StandardCharsets.UTF_8).split("\n")) {
            if (line.startsWith("{")) {
                try {
                    lines.add(JSON.readTree(line));
                } catch (java.io.IOException e) {
                    throw new AssertionError("a printed line is not JSON: " + line, e);
                }
            }
        }
        return lines;
    }

    @Override
    public void close() {
        dynamo.close();
        sqs.close();
        slack.close();
    }
}
