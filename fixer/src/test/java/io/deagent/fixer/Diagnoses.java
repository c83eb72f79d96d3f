package io.deagent.fixer;

import io.deagent.core.Diagnosis;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Minimal diagnoses for codemod tests: the category, entities, proof lines, signature and fix steps. */
final class Diagnoses {

    static final List<String> STEPS = List.of("raise the setting where the job is submitted", "re-run the task");

    /** A failure signature as {@code io.deagent.core.Signature} makes them: sixteen hex digits. */
    static final String SIGNATURE = "3f9c2a7b1d4e5f60";

    private Diagnoses() {}

    static Diagnosis of(String category) {
        return of(category, Map.of(), List.of());
    }

    static Diagnosis of(String category, Map<String, String> entities, List<String> evidence) {
        return of(category, entities, evidence, SIGNATURE);
    }

    static Diagnosis of(String category, Map<String, String> entities, List<String> evidence, String signature) {
        List<Diagnosis.EvidenceLine> lines = new ArrayList<>();
        for (int i = 0; i < evidence.size(); i++) {
            lines.add(new Diagnosis.EvidenceLine("log", i + 1, evidence.get(i)));
        }
        return new Diagnosis(
                Diagnosis.SCHEMA,
                category,
                "title",
                "summary",
                "spark",
                "persistent",
                0.9,
                Optional.empty(),
                Map.copyOf(entities),
                List.copyOf(lines),
                new Diagnosis.Fix("gather_more_evidence", "fix summary", STEPS, Optional.empty()),
                signature,
                Optional.empty(),
                List.of(),
                "test",
                Optional.empty(),
                new Diagnosis.LogStats(1, 1, "UTF-8", false, false));
    }
}
