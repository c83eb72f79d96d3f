package io.deagent.fixer;

import io.deagent.core.Diagnosis;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Minimal diagnoses for codemod tests: only the category and the fix steps matter to a codemod. */
final class Diagnoses {

    static final List<String> STEPS = List.of("raise the setting where the job is submitted", "re-run the task");

    private Diagnoses() {}

    static Diagnosis of(String category) {
        return new Diagnosis(
                Diagnosis.SCHEMA,
                category,
                "title",
                "summary",
                "spark",
                "persistent",
                0.9,
                Optional.empty(),
                Map.of(),
                List.of(),
                new Diagnosis.Fix("gather_more_evidence", "fix summary", STEPS, Optional.empty()),
                "sig",
                Optional.empty(),
                List.of(),
                "test",
                Optional.empty(),
                new Diagnosis.LogStats(1, 1, "UTF-8", false, false));
    }
}
