package io.deagent.lambda;

import io.deagent.runtime.AwsClients;
import io.deagent.runtime.Config;
import io.deagent.runtime.ConfigException;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/** The SQS queue from the ack to the worker ({@code DE_AGENT_WORK_QUEUE_URL}). */
public final class WorkQueue {

    private final Supplier<SqsClient> client;
    private final String url;
    private volatile SqsClient built;

    WorkQueue(Supplier<SqsClient> client, String url) {
        this.client = client;
        this.url = url;
    }

    public static WorkQueue from(Config config) {
        String url = config.get("DE_AGENT_WORK_QUEUE_URL")
                .orElseThrow(() -> new ConfigException("DE_AGENT_WORK_QUEUE_URL is not set: give the URL of the SQS"
                        + " work queue of the deployment (deploy/template.yaml)"));
        if (!url.matches("https?://\\S+/\\d{12}/[A-Za-z0-9_-]{1,80}(\\.fifo)?")) {
            throw new ConfigException("DE_AGENT_WORK_QUEUE_URL is not an SQS queue URL"
                    + " (https://sqs.<region>.amazonaws.com/<account>/<name>): " + url);
        }
        var builder = AwsClients.configure(SqsClient.builder(), config, "DE_AGENT_WORK_QUEUE_URL (SQS)", "SQS")
                .overrideConfiguration(
                        o -> o.apiCallTimeout(Duration.ofSeconds(5)).retryStrategy(StateTable.retries()));
        return new WorkQueue(builder::build, url);
    }

    /** SQS did not take the message; nothing was queued. */
    public static final class Unavailable extends RuntimeException {
        Unavailable(String message) {
            super(message);
        }
    }

    /** Queues an item; returns SQS's message id. */
    public String send(WorkItem item) {
        try {
            return sqs().sendMessage(b -> b.queueUrl(url)
                            .messageBody(item.toJson())
                            .messageAttributes(Map.of(
                                    "kind", text(item.kind().wire()),
                                    "correlation_id", text(item.correlationId()))))
                    .messageId();
        } catch (SdkException e) {
            String detail = e instanceof software.amazon.awssdk.awscore.exception.AwsServiceException s
                            && s.awsErrorDetails() != null
                    ? s.awsErrorDetails().errorCode()
                    : e.getClass().getSimpleName();
            throw new Unavailable("SQS SendMessage to " + url.substring(url.lastIndexOf('/') + 1) + ": " + detail);
        }
    }

    private static MessageAttributeValue text(String v) {
        return MessageAttributeValue.builder().dataType("String").stringValue(v).build();
    }

    private SqsClient sqs() {
        SqsClient c = built;
        if (c == null) {
            synchronized (this) {
                if (built == null) {
                    built = client.get();
                }
                c = built;
            }
        }
        return c;
    }
}
