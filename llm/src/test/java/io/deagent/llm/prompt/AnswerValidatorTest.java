package io.deagent.llm.prompt;

import static org.assertj.core.api.Assertions.assertThat;

import io.deagent.core.Diagnosis;
import org.junit.jupiter.api.Test;

class AnswerValidatorTest {

    private final Fixtures.Case c = Fixtures.missingColumn();
    private final Prompt prompt = Fixtures.prompt(c);
    private final Diagnosis rules = c.rules();

    private static final String GOOD = """
            {"category": "missing_column",
             "title": "Column customer_idd does not exist in staging.orders",
             "summary": "The INSERT selects customer_idd, which staging.orders does not have; PostgreSQL suggests customer_id.",
             "confidence": 0.92,
             "fix": {"class": "fix_column_reference",
                     "summary": "Select customer_id instead of customer_idd.",
                     "steps": ["Change customer_idd to customer_id in the load_orders SQL.", "Clear the failed task."]},
             "evidence_lines": [13, 16]}""";

    @Test
    void aGoodAnswerIsValidWithTheCitedLinesAsThePromptShowedThem() {
        LlmAnswer a = valid(GOOD);
        assertThat(a.category()).isEqualTo("missing_column");
        assertThat(a.fixClass()).isEqualTo("fix_column_reference");
        assertThat(a.confidence()).isEqualTo(0.92);
        assertThat(a.steps()).hasSize(2);
        assertThat(a.citedLines()).containsExactly(13, 16);
        assertThat(a.evidenceLines())
                .containsExactly(
                        new Diagnosis.EvidenceLine(
                                "log", 13, "psycopg2.errors.UndefinedColumn: column \"customer_idd\" does not exist"),
                        new Diagnosis.EvidenceLine(
                                "log", 16, "HINT:  Perhaps you meant to reference the column \"orders.customer_id\"."));
    }

    @Test
    void aMarkdownFenceOrASentenceAroundTheObjectIsTolerated() {
        assertThat(valid("```json\n" + GOOD + "\n```").category()).isEqualTo("missing_column");
        assertThat(valid("Here is my diagnosis:\n" + GOOD + "\nHope this helps {:")
                        .title())
                .startsWith("Column");
        assertThat(valid(GOOD.replace("[13, 16]", "[\"L13\", \"16\"]")).citedLines())
                .containsExactly(13, 16);
    }

    @Test
    void somethingThatIsNotOneJsonObjectIsRejected() {
        assertThat(invalid("The column customer_idd is missing.")).contains("no JSON object");
        assertThat(invalid("")).contains("empty");
        assertThat(invalid(GOOD + "\n" + GOOD)).contains("2 JSON values");
        assertThat(invalid("[" + GOOD + "]")).contains("array");
        assertThat(invalid(GOOD.replace("\"confidence\": 0.92,", "\"confidence\": 0.92, \"confidence\": 0.1,")))
                .contains("has a field twice")
                .contains("confidence");
    }

    @Test
    void labelsMustComeFromTheTaxonomy() {
        assertThat(invalid(GOOD.replace("\"missing_column\"", "\"missing_columns\"")))
                .contains("category 'missing_columns' is not a taxonomy label");
        assertThat(invalid(GOOD.replace("fix_column_reference", "rename_the_column")))
                .contains("fix.class 'rename_the_column'");
        assertThat(invalid(GOOD.replace("\"category\": \"missing_column\",", "")))
                .contains("category");
    }

    @Test
    void confidenceMustBeANumberFromZeroToOne() {
        assertThat(invalid(GOOD.replace("0.92", "1.7"))).contains("confidence 1.7 is outside [0, 1]");
        assertThat(invalid(GOOD.replace("0.92", "-0.1"))).contains("outside");
        assertThat(invalid(GOOD.replace("0.92", "\"high\""))).contains("confidence must be a number");
    }

    @Test
    void evidenceMustBeLinesThatWereInThePrompt() {
        assertThat(invalid(GOOD.replace("[13, 16]", "[13, 999]"))).contains("evidence line 999 was not in the prompt");
        assertThat(invalid(GOOD.replace("[13, 16]", "[17]"))).contains("evidence line 17 was not in the prompt");
        assertThat(invalid(GOOD.replace("[13, 16]", "[]"))).contains("evidence_lines is empty");
        assertThat(invalid(GOOD.replace("[13, 16]", "\"13\""))).contains("evidence_lines must be an array");
        assertThat(invalid(GOOD.replace("[13, 16]", "[13.5]"))).contains("not a line number");
    }

    @Test
    void textsMustBePresentAndBounded() {
        assertThat(invalid(GOOD.replaceAll("\"steps\": \\[.*\\]}", "\"steps\": []}")))
                .contains("fix.steps is empty");
        String eleven = "[" + String.join(", ", java.util.Collections.nCopies(11, "\"Do it.\"")) + "]";
        assertThat(invalid(GOOD.replaceAll("\"steps\": \\[.*\\]}", "\"steps\": " + eleven + "}")))
                .contains("at most 10");
        assertThat(invalid(GOOD.replace("Clear the failed task.", "x".repeat(501))))
                .contains("longer than 500");
        assertThat(invalid(GOOD.replace("Clear the failed task.", " "))).contains("non-blank");
        assertThat(invalid(GOOD.replace("Column customer_idd does not exist in staging.orders", "t".repeat(201))))
                .contains("title is longer than 200");
        assertThat(invalid(GOOD.replace("Column customer_idd does not exist in staging.orders", "  ")))
                .contains("title must be a non-blank string");
        assertThat(invalid(GOOD.replace("The INSERT selects", "s".repeat(1600))))
                .contains("summary is longer");
    }

    @Test
    void markupThatWouldPingSlackIsRejected() {
        assertThat(invalid(GOOD.replace("The INSERT selects", "<!channel> The INSERT selects")))
                .contains("Slack markup")
                .contains("<!channel>");
        assertThat(invalid(GOOD.replace("Clear the failed task.", "Ask <@U024BE7LH> to clear it.")))
                .contains("<@U024BE7LH>");
        assertThat(invalid(GOOD.replace("Clear the failed task.", "Tell <!here> first.")))
                .contains("<!here>");
        assertThat(invalid(GOOD.replace("Clear the failed task.", "Ping @channel.")))
                .contains("@channel");
    }

    @Test
    void onlyLinksThatWereInThePromptAreAllowed() {
        assertThat(invalid(GOOD.replace("Clear the failed task.", "Read https://evil.example/fix.sh first.")))
                .contains("https://evil.example/fix.sh");
        String log = Fixtures.text("postgres-undefined-column.log")
                .replace("HINT:", "DETAIL: see https://docs.example.com/errors/42703 HINT:");
        Fixtures.Case withLink = Fixtures.of(log, c.event());
        Prompt p = Fixtures.prompt(withLink);
        String answer = GOOD.replace("Clear the failed task.", "See https://docs.example.com/errors/42703.");
        assertThat(AnswerValidator.validate(answer, p, withLink.rules())).isInstanceOf(Validation.Valid.class);
    }

    @Test
    void aDifferentCategoryMustCiteTheProofLineOfAConfidentRuleAndBeAsSure() {
        assertThat(rules.confidence()).isGreaterThanOrEqualTo(AnswerValidator.HARD_EVIDENCE);
        String other = GOOD.replace("\"missing_column\"", "\"permission_denied\"")
                .replace("fix_column_reference", "grant_permission");

        assertThat(invalid(other.replace("[13, 16]", "[4, 16]").replace("0.92", "0.99")))
                .startsWith("contradicts the proof line L13");
        assertThat(invalid(other.replace("0.92", "0.7"))).startsWith("contradicts the proof line L13");
        assertThat(AnswerValidator.validate(other.replace("0.92", "0.99"), prompt, rules))
                .isInstanceOf(Validation.Valid.class);
    }

    @Test
    void anyCategoryMayReplaceAnUnknownVerdict() {
        Fixtures.Case unknown = Fixtures.of(
                "[2026-11-20, 03:14:03 UTC] {local_task_job_runner.py:228} INFO - Task exited with return code 1\n",
                c.event());
        assertThat(unknown.rules().category()).isEqualTo("unknown");
        Prompt p = Fixtures.prompt(unknown);
        String answer = GOOD.replace("[13, 16]", "[1]").replace("0.92", "0.3");
        assertThat(AnswerValidator.validate(answer, p, unknown.rules())).isInstanceOf(Validation.Valid.class);
    }

    @Test
    void aValidAnswerSurvivesAJsonRoundTripForTheCache() throws Exception {
        LlmAnswer a = valid(GOOD);
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        String text = json.writeValueAsString(a);
        assertThat(text).doesNotContain("citedLines");
        assertThat(json.readValue(text, LlmAnswer.class)).isEqualTo(a);
    }

    private LlmAnswer valid(String text) {
        Validation v = AnswerValidator.validate(text, prompt, rules);
        assertThat(v).isInstanceOf(Validation.Valid.class);
        return ((Validation.Valid) v).answer();
    }

    private String invalid(String text) {
        Validation v = AnswerValidator.validate(text, prompt, rules);
        assertThat(v).isInstanceOf(Validation.Invalid.class);
        return ((Validation.Invalid) v).reason();
    }
}
