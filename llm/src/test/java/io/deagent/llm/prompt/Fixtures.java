package io.deagent.llm.prompt;

import io.deagent.core.Diagnosis;
import io.deagent.core.FailureEvent;
import io.deagent.core.LogDiagnoser;
import io.deagent.core.log.LogDocument;
import io.deagent.core.log.LogReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/** Logs, events and real rule-based diagnoses for the prompt tests. */
final class Fixtures {

    private Fixtures() {}

    /** A failure as the tests see it: the event, what the reader found, and the rules' diagnosis. */
    record Case(FailureEvent event, LogDocument doc, Diagnosis rules) {}

    static Case of(String logText, FailureEvent event) {
        LogDocument doc = new LogReader().read(logText);
        Diagnosis rules = LogDiagnoser.builtIn().diagnose(doc, Optional.of(event), List.of());
        return new Case(event, doc, rules);
    }

    static Case resource(String name, FailureEvent event) {
        return of(text(name), event);
    }

    static String text(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/prompt/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource /prompt/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static FailureEvent event(String dag, String task, String exception) {
        return new FailureEvent(
                FailureEvent.Origin.AIRFLOW_WEBHOOK,
                dag,
                task,
                Optional.of("scheduled__2026-11-20T03:00:00+00:00"),
                Optional.of(2),
                Optional.empty(),
                Optional.empty(),
                Optional.ofNullable(exception),
                Optional.empty(),
                Optional.empty(),
                Optional.of("worker-3"),
                Optional.of("SQLExecuteQueryOperator"),
                Optional.of("data-platform"),
                List.of("orders"),
                Map.of("dag_id", dag, "task_id", task, "max_tries", 3));
    }

    static Case missingColumn() {
        return resource(
                "postgres-undefined-column.log",
                event(
                        "daily_orders",
                        "load_orders",
                        "psycopg2.errors.UndefinedColumn: column \"customer_idd\" does not exist"));
    }

    static Case executorOom() {
        return resource("spark-task-heap.log", event("daily_orders", "transform", null));
    }

    /** An assembler whose fence nonces are reproducible. */
    static ContextAssembler assembler() {
        return new ContextAssembler(PromptTemplates.load(), new Random(7));
    }

    static Prompt prompt(Case c) {
        return assembler().assemble(c.event(), c.rules(), c.doc(), List.of(), TokenBudget.defaults());
    }
}
