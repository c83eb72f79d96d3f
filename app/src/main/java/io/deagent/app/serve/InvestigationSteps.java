package io.deagent.app.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deagent.core.Redactor;
import io.deagent.core.investigate.Evidence;
import io.deagent.core.investigate.Explainer;
import io.deagent.core.investigate.Investigator;

/**
 * What an investigation did, as the store keeps it beside the diagnosis: each source asked, how it ended
 * and how long it took, where the log came from, and what explaining cost. The API serves it as the
 * incident's {@code investigation}, the page shows it as the incident's evidence and timings. Texts from
 * sources (errors, links, queries) are redacted before they are stored.
 */
final class InvestigationSteps {

    private static final ObjectMapper JSON = new ObjectMapper();

    private InvestigationSteps() {}

    static String json(Investigator.Investigation inv) {
        ObjectNode o = JSON.createObjectNode();
        o.put("log_source", inv.logSource());
        o.put("elapsed_ms", inv.elapsed().toMillis());
        ArrayNode sources = o.putArray("sources");
        for (Evidence e : inv.evidence()) {
            ObjectNode s = sources.addObject();
            s.put("source", e.sourceId());
            s.put("status", e.status().name());
            s.put("elapsed_ms", e.elapsed().toMillis());
            e.error().ifPresent(x -> s.put("error", Redactor.redact(x)));
            e.query().ifPresent(q -> s.put("query", Redactor.redact(q)));
            e.link().ifPresent(l -> s.put("link", Redactor.redact(l)));
            s.put("facts", e.facts().size());
            s.put("log_chars", e.logText().map(String::length).orElse(0));
        }
        Explainer.Explanation x = inv.explanation();
        ObjectNode ex = o.putObject("explanation");
        ex.put("tokens_in", x.tokensIn());
        ex.put("tokens_out", x.tokensOut());
        ex.put("cost_usd", x.costUsd());
        ex.put("cached", x.cached());
        x.fallbackReason().ifPresent(f -> ex.put("fallback", Redactor.redact(f)));
        return o.toString();
    }
}
