package io.deagent.app.serve;

import io.deagent.core.FailureEvent;
import io.deagent.runtime.AwsClients;
import io.deagent.runtime.Config;
import io.deagent.runtime.ConfigException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Failure events from an SQS queue ({@code DE_AGENT_SQS_QUEUE_URL}), for teams whose Airflow publishes there:
 * long polling, up to 10 messages at a time; each message is deleted only once it is recorded in the store
 * (or is not a failure event at all). A message the store could not take comes back after the queue's
 * visibility timeout; the same failure delivered twice is one incident. Several replicas may read one queue.
 */
final class SqsIntake implements AutoCloseable {

    private final SqsClient sqs;
    private final String queueUrl;
    private final QueuedEvents events;
    private final int waitSeconds;
    private final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SqsIntake.class);
    private volatile boolean running;
    private Thread loop;

    SqsIntake(SqsClient sqs, String queueUrl, QueuedEvents events, int waitSeconds) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.events = events;
        this.waitSeconds = waitSeconds;
    }

    /** Configured when {@code DE_AGENT_SQS_QUEUE_URL} is set (with {@code AWS_REGION}). */
    static Optional<SqsIntake> from(Config config, QueuedEvents events) {
        Optional<String> url = config.get("DE_AGENT_SQS_QUEUE_URL");
        if (url.isEmpty()) {
            return Optional.empty();
        }
        if (!url.get().matches("https?://\\S+/\\d{12}/[A-Za-z0-9_-]{1,80}(\\.fifo)?")) {
            throw new ConfigException("DE_AGENT_SQS_QUEUE_URL is not an SQS queue URL"
                    + " (https://sqs.<region>.amazonaws.com/<account>/<name>): " + url.get());
        }
        int wait = config.integer("DE_AGENT_SQS_WAIT_SECONDS", 20, 0, 20);
        SqsClient client = AwsClients.configure(SqsClient.builder(), config, "DE_AGENT_SQS_QUEUE_URL (SQS)", "SQS")
                .overrideConfiguration(o -> o.apiCallTimeout(Duration.ofSeconds(wait + 10L)))
                .build();
        return Optional.of(new SqsIntake(client, url.get(), events, wait));
    }

    void start() {
        running = true;
        loop = Thread.ofPlatform().name("de-agent-sqs-intake").daemon().start(this::run);
        log.info("reading failure events from SQS queue {}", queueUrl.substring(queueUrl.lastIndexOf('/') + 1));
    }

    private void run() {
        int failures = 0;
        while (running) {
            List<Message> messages;
            try {
                messages = sqs.receiveMessage(b -> b.queueUrl(queueUrl)
                                .maxNumberOfMessages(10)
                                .waitTimeSeconds(waitSeconds)
                                .visibilityTimeout(60))
                        .messages();
                failures = 0;
            } catch (SdkException e) {
                if (!running) {
                    return;
                }
                failures++;
                long wait = Math.min(30_000, 500L << Math.min(failures, 6));
                log.warn("cannot read SQS queue {}: {}; trying again in {} ms", queueUrl, firstLine(e), wait);
                sleep(wait);
                continue;
            }
            for (Message m : messages) {
                handle(m);
            }
        }
    }

    private void handle(Message m) {
        try {
            events.accept(m.body().getBytes(StandardCharsets.UTF_8), FailureEvent.Origin.SQS, m.messageId());
        } catch (RuntimeException storeDown) {
            // not deleted: SQS delivers it again after its visibility timeout
            log.warn("cannot record SQS message {}: {}; it comes back later", m.messageId(), storeDown.getMessage());
            return;
        }
        try {
            sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(m.receiptHandle()));
        } catch (SdkException e) {
            // recorded already: a redelivery is a duplicate of the same incident
            log.warn("cannot delete SQS message {}: {}", m.messageId(), firstLine(e));
        }
    }

    private static String firstLine(Exception e) {
        String s = String.valueOf(e.getMessage());
        int nl = s.indexOf('\n');
        return nl > 0 ? s.substring(0, nl) : s;
    }

    private void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /** Stops polling; a long poll in flight ends with the client. */
    @Override
    public void close() {
        running = false;
        if (loop != null) {
            loop.interrupt();
            try {
                loop.join(Duration.ofSeconds(waitSeconds + 5L).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        sqs.close();
    }
}
