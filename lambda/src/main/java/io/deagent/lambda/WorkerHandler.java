package io.deagent.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import io.deagent.runtime.Config;
import io.deagent.runtime.ConfigException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker function, fed by the SQS queue (event source mapping with {@code ReportBatchItemFailures}): each
 * message of a batch is investigated and answered, side by side, and the answer lists only the messages that
 * failed, so SQS delivers those again (and, after the queue's {@code maxReceiveCount}, moves them to the
 * dead-letter queue) while the others are deleted.
 *
 * <p>Handler: {@code io.deagent.lambda.WorkerHandler::handleRequest}.
 */
public final class WorkerHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {

    private static final Logger log = LoggerFactory.getLogger(WorkerHandler.class);

    private final Wiring.Lazy<Worker> worker;
    private final EmfMetrics metrics;

    /** The Lambda runtime's constructor: configuration from the environment and Secrets Manager. */
    public WorkerHandler() {
        this(() -> Config.load(Optional.empty()), Clock.systemUTC(), System.out);
        Priming.register();
    }

    /** {@code out} takes the metric lines (EMF); in Lambda it is stdout, which goes to the log group. */
    WorkerHandler(Supplier<Config> config, Clock clock, java.io.PrintStream out) {
        this.metrics = new EmfMetrics(out, clock);
        this.worker = new Wiring.Lazy<>(() -> Wiring.worker(config.get(), clock, out));
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent batch, Context context) {
        List<SQSEvent.SQSMessage> messages =
                batch == null || batch.getRecords() == null ? List.of() : batch.getRecords();
        List<SQSBatchResponse.BatchItemFailure> failed = new ArrayList<>();
        Worker w;
        try {
            w = worker.get();
            if (!w.answersInSlack() && messages.stream().anyMatch(WorkerHandler::forSlack)) {
                // SLACK_BOT_TOKEN filled in after the deploy: read the secrets again rather than answer nowhere
                if (worker.reload()) {
                    w = worker.get();
                }
            }
        } catch (ConfigException e) {
            log.error("de-agent is misconfigured: {}; the batch is left for a retry", e.getMessage());
            messages.forEach(m -> failed.add(new SQSBatchResponse.BatchItemFailure(m.getMessageId())));
            return new SQSBatchResponse(failed);
        }
        Worker ready = w;
        // one thread per message: an investigation mostly waits on its sources and on the LLM
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> running = new ArrayList<>();
            for (SQSEvent.SQSMessage m : messages) {
                running.add(pool.submit(() -> {
                    one(ready, m);
                    return null;
                }));
            }
            for (int i = 0; i < messages.size(); i++) {
                SQSEvent.SQSMessage m = messages.get(i);
                try {
                    running.get(i).get();
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    String kind = kindOf(m);
                    log.error(
                            "message {} ({}) failed: {}",
                            m.getMessageId(),
                            kind,
                            cause.getClass().getSimpleName() + ": " + cause.getMessage());
                    metrics.failed(
                            kind, correlationIdOf(m), cause.getClass().getSimpleName() + ": " + cause.getMessage());
                    failed.add(new SQSBatchResponse.BatchItemFailure(m.getMessageId()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failed.add(new SQSBatchResponse.BatchItemFailure(m.getMessageId()));
                }
            }
        }
        return new SQSBatchResponse(failed);
    }

    private static void one(Worker w, SQSEvent.SQSMessage m) {
        WorkItem item = WorkItem.parse(m.getBody() == null ? "" : m.getBody());
        w.process(item, receiveCount(m));
    }

    private static boolean forSlack(SQSEvent.SQSMessage m) {
        return kindOf(m).startsWith("slack");
    }

    static int receiveCount(SQSEvent.SQSMessage m) {
        try {
            return m.getAttributes() == null
                    ? 1
                    : Integer.parseInt(m.getAttributes().getOrDefault("ApproximateReceiveCount", "1"));
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    private static String kindOf(SQSEvent.SQSMessage m) {
        return attribute(m, "kind").orElse("unknown");
    }

    private static String correlationIdOf(SQSEvent.SQSMessage m) {
        return attribute(m, "correlation_id").orElse("");
    }

    private static Optional<String> attribute(SQSEvent.SQSMessage m, String name) {
        return Optional.ofNullable(m.getMessageAttributes())
                .map(a -> a.get(name))
                .map(SQSEvent.MessageAttribute::getStringValue);
    }
}
