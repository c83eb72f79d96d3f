package io.deagent.app.serve;

import io.deagent.core.investigate.Evidence;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The service's Prometheus metrics: {@code de_agent_diagnostic_seconds}, {@code de_agent_incidents_total}
 * by category, {@code de_agent_source_failures_total} by source, {@code de_agent_queue_depth}, and the
 * webhook's answers by outcome.
 */
public final class ServiceMetrics {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Timer diagnostic;

    public ServiceMetrics(LongSupplier queueDepth) {
        diagnostic = Timer.builder("de_agent.diagnostic")
                .description("time to investigate one incident, from claim to recorded outcome")
                .serviceLevelObjectives(
                        Duration.ofMillis(50),
                        Duration.ofMillis(250),
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(5),
                        Duration.ofSeconds(25))
                .register(registry);
        Gauge.builder("de_agent.queue.depth", () -> safely(queueDepth))
                .description("incidents queued or being investigated")
                .register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    private static double safely(LongSupplier s) {
        try {
            return s.getAsLong();
        } catch (RuntimeException databaseDown) {
            return Double.NaN;
        }
    }

    public void diagnosed(String category, Duration took, List<Evidence> evidence) {
        diagnostic.record(took);
        Counter.builder("de_agent.incidents")
                .description("incidents diagnosed, by category")
                .tag("category", category)
                .register(registry)
                .increment();
        for (Evidence e : evidence) {
            if (e.status() == Evidence.Status.ERROR || e.status() == Evidence.Status.TIMED_OUT) {
                Counter.builder("de_agent.source.failures")
                        .description("evidence sources that failed or timed out")
                        .tag("source", e.sourceId())
                        .tag("status", e.status().name().toLowerCase(java.util.Locale.ROOT))
                        .register(registry)
                        .increment();
            }
        }
    }

    /** Tokens spent per explainer, cache hits, and fallbacks to the rules. */
    public void explained(String explainedBy, io.deagent.core.investigate.Explainer.Explanation e) {
        if (e.tokensIn() > 0 || e.tokensOut() > 0) {
            Counter.builder("de_agent.llm.tokens")
                    .description("LLM tokens spent, by direction")
                    .tag("direction", "in")
                    .register(registry)
                    .increment(e.tokensIn());
            Counter.builder("de_agent.llm.tokens")
                    .description("LLM tokens spent, by direction")
                    .tag("direction", "out")
                    .register(registry)
                    .increment(e.tokensOut());
        }
        if (e.costUsd() > 0) {
            Counter.builder("de_agent.llm.cost.usd")
                    .description("estimated LLM cost in USD (list or configured prices); increase() over 1d for a day")
                    .register(registry)
                    .increment(e.costUsd());
        }
        String outcome = e.cached()
                ? "cached"
                : e.fallbackReason().isPresent() ? "fallback" : explainedBy.equals("rules") ? "rules" : "answered";
        Counter.builder("de_agent.explanations")
                .description("explanations by outcome: rules only, answered by the LLM, from the cache, or fallback")
                .tag("outcome", outcome)
                .register(registry)
                .increment();
    }

    public void investigationFailed() {
        Counter.builder("de_agent.investigation.errors")
                .description("investigations that threw and were retried or given up")
                .register(registry)
                .increment();
    }

    public void webhook(String outcome) {
        Counter.builder("de_agent.webhook.requests")
                .description("Airflow webhook requests by outcome")
                .tag("outcome", outcome)
                .register(registry)
                .increment();
    }

    /** Messages from the queue doors (sqs, kafka) by outcome: accepted, duplicate, invalid. */
    public void intake(String door, String outcome) {
        Counter.builder("de_agent.intake.messages")
                .description("failure events read from SQS or Kafka, by door and outcome")
                .tag("door", door)
                .tag("outcome", outcome)
                .register(registry)
                .increment();
    }

    public void slackEvent(String type, String outcome) {
        Counter.builder("de_agent.slack.events")
                .description("Slack events by type and what was done with them")
                .tag("type", type)
                .tag("outcome", outcome)
                .register(registry)
                .increment();
    }

    public void slackReply(String outcome) {
        Counter.builder("de_agent.slack.replies")
                .description("Slack replies sent, by outcome (posted, updated, rate_limited, unavailable, rejected)")
                .tag("outcome", outcome)
                .register(registry)
                .increment();
    }

    public void feedback(String category, String verdict) {
        Counter.builder("de_agent.feedback")
                .description("reactions on de-agent's replies, by category and verdict")
                .tag("category", category)
                .tag("verdict", verdict)
                .register(registry)
                .increment();
    }

    /** The Prometheus text exposition. */
    public String scrape() {
        return registry.scrape();
    }
}
