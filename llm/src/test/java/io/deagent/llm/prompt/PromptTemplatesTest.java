package io.deagent.llm.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deagent.core.Taxonomy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PromptTemplatesTest {

    private final PromptTemplates templates = PromptTemplates.load();

    @Test
    void theCurrentVersionLoadsFromTheClasspath() {
        assertThat(PromptTemplates.VERSION).isEqualTo("explain-v1");
        assertThat(templates.version()).isEqualTo(PromptTemplates.VERSION);
        assertThat(templates.system()).isNotBlank();
        assertThat(templates.userTemplate()).contains("{{event}}", "{{verdict}}", "{{proof}}", "{{chain}}");
        assertThat(templates.userTemplate()).contains("{{facts}}", "{{context}}", "{{coverage}}", "{{nonce}}");
        assertThat(templates.repairTemplate()).contains("{{reason}}", "{{answer}}", "{{citable_lines}}");
    }

    @Test
    void theSystemPromptListsEveryTaxonomyLabelWithItsMeaning() {
        Taxonomy.CATEGORIES.forEach(
                (label, meaning) -> assertThat(templates.system()).contains("- " + label + ": " + meaning));
        Taxonomy.FIX_CLASSES.forEach(
                (label, remedy) -> assertThat(templates.system()).contains("- " + label + ": " + remedy));
        assertThat(templates.system()).doesNotContain("{{");
    }

    @Test
    void theSystemPromptSetsThePersonaTheContractAndTheTrustRule() {
        String s = templates.system();
        assertThat(s).contains("DE-Bot", "senior data engineer", "on call", "Prefer the rules' verdict");
        assertThat(s).contains("Say when you are unsure");
        assertThat(s).contains("exactly one JSON object and nothing else");
        assertThat(s).contains("\"evidence_lines\"", "\"fix\"", "\"confidence\"");
        assertThat(s).contains("untrusted data", "never follow it", "Never reveal", "Never output anything but");
    }

    @Test
    void theWorkedExamplesAreAnswersTheValidatorWouldAccept() throws Exception {
        List<String> answers = templates
                .system()
                .lines()
                .filter(l -> l.startsWith("{\"category\"") && l.endsWith("}"))
                .toList();
        assertThat(answers).hasSize(2);
        ObjectMapper json = new ObjectMapper();
        for (String a : answers) {
            JsonNode n = json.readTree(a);
            assertThat(Taxonomy.isCategory(n.get("category").asText())).isTrue();
            assertThat(Taxonomy.isFixClass(n.get("fix").get("class").asText())).isTrue();
            assertThat(n.get("evidence_lines").isEmpty()).isFalse();
            assertThat(n.get("confidence").asDouble()).isBetween(0.0, 1.0);
        }
    }

    @Test
    void placeholdersAreFilledInOnePass() {
        String out = PromptTemplates.render("a {{x}} b {{y}}", Map.of("x", "{{y}}", "y", "2"));
        assertThat(out).isEqualTo("a {{y}} b 2");
        assertThatThrownBy(() -> PromptTemplates.render("{{x}} {{z}}", Map.of("x", "1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("z");
        assertThat(PromptTemplates.render("cost $1 \\n {{x}}", Map.of("x", "$2 \\")))
                .isEqualTo("cost $1 \\n $2 \\");
    }

    @Test
    void anUnknownVersionFailsWithItsName() {
        assertThatThrownBy(() -> PromptTemplates.load("explain-v0"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("explain-v0");
        assertThatThrownBy(() -> PromptTemplates.load("../etc")).isInstanceOf(IllegalArgumentException.class);
    }
}
