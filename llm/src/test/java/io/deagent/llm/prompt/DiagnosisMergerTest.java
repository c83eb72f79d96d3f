package io.deagent.llm.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deagent.core.Diagnosis;
import io.deagent.core.DiagnosisJson;
import java.util.List;
import org.junit.jupiter.api.Test;

class DiagnosisMergerTest {

    private static LlmAnswer answer(Prompt p, String category, String fixClass, Integer... cited) {
        String json = """
                {"category": "%s", "title": "Better title", "summary": "Better summary.", "confidence": 0.99,
                 "fix": {"class": "%s", "summary": "Do the thing.", "steps": ["Step one.", "Step two."]},
                 "evidence_lines": %s}""".formatted(category, fixClass, List.of(cited));
        return validated(json, p);
    }

    private static LlmAnswer validated(String json, Prompt p) {
        return switch (AnswerValidator.validate(json, p, unknownRules())) {
            case Validation.Valid v -> v.answer();
            case Validation.Invalid i -> throw new AssertionError(i.reason());
        };
    }

    /** Validation against an unknown verdict: these tests are about merging, not the contradiction policy. */
    private static Diagnosis unknownRules() {
        return Fixtures.of("x\n", Fixtures.event("d", "t", null)).rules();
    }

    @Test
    void theModelsWordsReplaceTheRulesAndEverythingElseStays() {
        Fixtures.Case c = Fixtures.missingColumn();
        Prompt p = Fixtures.prompt(c);
        Diagnosis rules = c.rules();

        Diagnosis merged = DiagnosisMerger.merge(
                rules, answer(p, "missing_column", "fix_column_reference", 13, 16), "gemini/gemini-2.0-flash");

        assertThat(merged.explainedBy()).isEqualTo("gemini/gemini-2.0-flash");
        assertThat(merged.title()).isEqualTo("Better title");
        assertThat(merged.summary()).isEqualTo("Better summary.");
        assertThat(merged.confidence()).isEqualTo(0.99);
        assertThat(merged.fix().fixClass()).isEqualTo("fix_column_reference");
        assertThat(merged.fix().steps()).containsExactly("Step one.", "Step two.");
        assertThat(merged.signature()).isEqualTo(rules.signature());
        assertThat(merged.entities()).isEqualTo(rules.entities());
        assertThat(merged.rootCause()).isEqualTo(rules.rootCause());
        assertThat(merged.ruleId()).isEqualTo(rules.ruleId());
        assertThat(merged.log()).isEqualTo(rules.log());
        assertThat(merged.missingEvidence()).isEqualTo(rules.missingEvidence());
        assertThat(merged.recurrence()).isEqualTo(rules.recurrence());
        assertThat(merged.schema()).isEqualTo(Diagnosis.SCHEMA);
        assertThat(merged.layer()).isEqualTo(rules.layer());
        assertThat(merged.transience()).isEqualTo(rules.transience());
        assertThat(merged.evidence()).extracting(Diagnosis.EvidenceLine::line).containsExactly(13, 16);
        assertThat(merged.evidence()).allMatch(e -> e.source().equals("log"));
        assertThat(merged.evidence().get(1).text()).startsWith("HINT:  Perhaps you meant");
        assertThat(DiagnosisJson.write(merged)).contains("\"explained_by\": \"gemini/gemini-2.0-flash\"");
    }

    @Test
    void aNewCategoryTakesTheLayerAndTransienceTheCatalogGivesIt() {
        Fixtures.Case sql = Fixtures.missingColumn();
        Prompt p = Fixtures.prompt(sql);
        // data_skew has rules in the spark layer only, all permanent
        Diagnosis skew =
                DiagnosisMerger.merge(sql.rules(), answer(p, "data_skew", "repartition", 13), "openai/gpt-4o-mini");
        assertThat(skew.layer()).isEqualTo("spark");
        assertThat(skew.transience()).isEqualTo("permanent");
        assertThat(skew.signature()).isEqualTo(sql.rules().signature());

        Fixtures.Case oom = Fixtures.executorOom();
        Prompt q = Fixtures.prompt(oom);
        // throttling: rules in two other layers, all transient
        Diagnosis throttled = DiagnosisMerger.merge(
                oom.rules(), answer(q, "throttling", "retry_with_backoff", 17), "anthropic/claude");
        assertThat(throttled.layer()).isEqualTo("unknown");
        assertThat(throttled.transience()).isEqualTo("transient");
        // the OOM rule's own layer has a data_skew rule: the layer stays
        Diagnosis sameLayer =
                DiagnosisMerger.merge(oom.rules(), answer(q, "data_skew", "repartition", 17), "anthropic/claude");
        assertThat(sameLayer.layer()).isEqualTo("spark");
    }

    @Test
    void citedLinesJoinTheRulesEvidenceInLineOrderAndFactsStayLast() {
        Fixtures.Case c = Fixtures.executorOom();
        Prompt p = Fixtures.prompt(c);
        Diagnosis rules = c.rules();

        Diagnosis merged = DiagnosisMerger.merge(
                rules, answer(p, "out_of_memory_executor", "increase_executor_memory", 26, 5, 17), "ollama/llama3");

        assertThat(merged.evidence()).extracting(Diagnosis.EvidenceLine::line).containsExactly(5, 9, 12, 17, 26);
        assertThat(merged.evidence().get(0).text()).contains("spark.executor.memory=4g");
    }

    @Test
    void explainedByIsRequired() {
        Fixtures.Case c = Fixtures.missingColumn();
        Prompt p = Fixtures.prompt(c);
        LlmAnswer a = answer(p, "missing_column", "fix_column_reference", 13);
        assertThatThrownBy(() -> DiagnosisMerger.merge(c.rules(), a, " ")).isInstanceOf(IllegalArgumentException.class);
    }
}
