package io.deagent.lambda;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deagent.core.Diagnosis;
import io.deagent.core.FailureEvent;
import io.deagent.core.Redactor;
import io.deagent.core.investigate.Evidence;
import io.deagent.core.investigate.Investigator;
import java.io.PrintStream;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;

/**
 * Metrics to CloudWatch in the Embedded Metric Format: one JSON line on stdout per measurement, with an
 * {@code _aws} block that tells CloudWatch Logs which properties are metrics, in namespace {@code DE-Agent}.
 * No API call and no permission is needed (CloudWatch extracts them from the function's log group), and the
 * same line is the structured log of what happened, searchable with Logs Insights.
 *
 * <ul>
 *   <li>{@code DiagnosticTime} (Milliseconds): one investigation, from the first source call to the diagnosis;
 *   <li>{@code ErrorRate} (Percent): 0 for each piece of work done, 100 for each that failed; its average over a
 *       period is the error rate;
 *   <li>{@code LLMTokenUsage} (Count): tokens sent to and received from the LLM for one investigation;
 *   <li>{@code ServiceCallFailures} (Count, dimension {@code service}): an evidence source that failed or timed
 *       out ({@code airflow}, {@code cloudwatch}, …), or Slack, DynamoDB or SQS refusing a call.
 * </ul>
 */
public final class EmfMetrics {

    public static final String NAMESPACE = "DE-Agent";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintStream out;
    private final Clock clock;

    public EmfMetrics(PrintStream out, Clock clock) {
        this.out = out;
        this.clock = clock;
    }

    /** One investigation done: its time, tokens and outcome, and a failure line per source that failed. */
    public void investigated(WorkItem item, FailureEvent event, Investigator.Investigation inv, Diagnosis d) {
        long tokens = inv.explanation().tokensIn() + inv.explanation().tokensOut();
        ObjectNode line =
                line(Map.of("DiagnosticTime", "Milliseconds", "ErrorRate", "Percent", "LLMTokenUsage", "Count"));
        line.put("DiagnosticTime", inv.elapsed().toMillis());
        line.put("ErrorRate", 0);
        line.put("LLMTokenUsage", tokens);
        line.put("event", "diagnostic_complete");
        line.put("kind", item.kind().name().toLowerCase(Locale.ROOT));
        line.put("correlation_id", item.correlationId());
        line.put("dag_id", event.dagId());
        line.put("task_id", event.taskId());
        event.runId().ifPresent(r -> line.put("run_id", r));
        event.tryNumber().ifPresent(t -> line.put("try_number", t));
        line.put("category", d.category());
        line.put("confidence", d.confidence());
        line.put("signature", d.signature());
        d.recurrence().ifPresent(r -> line.put("recurrence_seen", r.seen()));
        ArrayNode sources = line.putArray("sources");
        inv.sourcesCalled().forEach(sources::add);
        line.put("log_source", inv.logSource());
        line.put("explained_by", d.explainedBy());
        line.put("llm_tokens_in", inv.explanation().tokensIn());
        line.put("llm_tokens_out", inv.explanation().tokensOut());
        line.put("llm_cost_usd", inv.explanation().costUsd());
        line.put("llm_cached", inv.explanation().cached());
        inv.explanation().fallbackReason().ifPresent(r -> line.put("llm_fallback", Redactor.redact(r)));
        print(line);
        for (Evidence e : inv.evidence()) {
            if (e.status() == Evidence.Status.ERROR || e.status() == Evidence.Status.TIMED_OUT) {
                serviceFailure(e.sourceId(), item.correlationId(), e.missingLine());
            }
        }
    }

    /** A piece of work done without an investigation (a follow-up answered, a duplicate skipped). */
    public void handled(WorkItem item, String outcome) {
        ObjectNode line = line(Map.of("ErrorRate", "Percent"));
        line.put("ErrorRate", 0);
        line.put("event", outcome);
        line.put("kind", item.kind().name().toLowerCase(Locale.ROOT));
        line.put("correlation_id", item.correlationId());
        print(line);
    }

    /** A piece of work that failed; SQS delivers it again (or moves it to the dead-letter queue). */
    public void failed(String kind, String correlationId, String error) {
        ObjectNode line = line(Map.of("ErrorRate", "Percent"));
        line.put("ErrorRate", 100);
        line.put("event", "work_failed");
        line.put("kind", kind);
        line.put("correlation_id", correlationId);
        line.put("error", Redactor.redact(error));
        print(line);
    }

    /** A call to another service that failed: {@code service} is an evidence source id, slack, dynamodb or sqs. */
    public void serviceFailure(String service, String correlationId, String error) {
        ObjectNode line = JSON.createObjectNode();
        ObjectNode aws = line.putObject("_aws");
        aws.put("Timestamp", clock.millis());
        ObjectNode directive = aws.putArray("CloudWatchMetrics").addObject();
        directive.put("Namespace", NAMESPACE);
        directive.putArray("Dimensions").addArray().add("service");
        directive
                .putArray("Metrics")
                .addObject()
                .put("Name", "ServiceCallFailures")
                .put("Unit", "Count");
        line.put("service", service);
        line.put("ServiceCallFailures", 1);
        line.put("event", "service_call_failed");
        line.put("correlation_id", correlationId);
        line.put("error", Redactor.redact(error));
        print(line);
    }

    /** A line with the metric directive for {@code metrics} (name → unit), with no dimensions. */
    private ObjectNode line(Map<String, String> metrics) {
        ObjectNode line = JSON.createObjectNode();
        ObjectNode aws = line.putObject("_aws");
        aws.put("Timestamp", clock.millis());
        ObjectNode directive = aws.putArray("CloudWatchMetrics").addObject();
        directive.put("Namespace", NAMESPACE);
        directive.putArray("Dimensions").addArray(); // one empty dimension set: the metric on its own
        ArrayNode list = directive.putArray("Metrics");
        metrics.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(m -> list.addObject().put("Name", m.getKey()).put("Unit", m.getValue()));
        return line;
    }

    private void print(ObjectNode line) {
        // one write per line: concurrent investigations of a batch must not interleave their lines
        String text = line.toString() + "\n";
        synchronized (out) {
            out.print(text);
            out.flush();
        }
    }
}
