package io.deagent.fixer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deagent.core.Diagnosis;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Runs every {@code codemods/NNN} fixture: before.py + case.json in, exact after.py bytes or a decline out. */
class CodemodFixturesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Path> cases() throws IOException, URISyntaxException {
        Path root = Path.of(CodemodFixturesTest.class.getResource("/codemods").toURI());
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(Files::isDirectory).sorted().toList().stream();
        }
    }

    @Test
    void thereAreEnoughFixtures() throws Exception {
        assertThat(cases().count()).isGreaterThanOrEqualTo(10);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void fixture(Path dir) throws IOException {
        JsonNode spec = JSON.readTree(dir.resolve("case.json").toFile());
        Diagnosis d = Diagnoses.of(spec.get("category").asText());
        byte[] before = Files.readAllBytes(dir.resolve("before.py"));
        String path = "jobs/" + dir.getFileName() + ".py";

        Codemods.Result result = Codemods.propose(d, path, before);

        if (spec.get("expect").asText().equals("declined")) {
            assertThat(result).isInstanceOf(Codemods.Declined.class);
            Codemods.Declined declined = (Codemods.Declined) result;
            assertThat(declined.reason()).contains(spec.get("reason").asText());
            assertThat(declined.manualSteps()).isEqualTo(Diagnoses.STEPS);
            return;
        }
        assertThat(result).as(result.toString()).isInstanceOf(Codemods.Proposed.class);
        FixProposal proposal = ((Codemods.Proposed) result).proposal();
        byte[] expected = Files.readAllBytes(dir.resolve("after.py"));
        assertThat(new String(proposal.after(), java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo(new String(expected, java.nio.charset.StandardCharsets.UTF_8));
        assertThat(proposal.after()).isEqualTo(expected);
        assertThat(proposal.before()).isEqualTo(before);
        assertThat(proposal.file()).isEqualTo(path);
        assertThat(proposal.codemodId()).isEqualTo(SparkSettingCodemod.ID);
        assertThat(proposal.unifiedDiff()).startsWith("--- a/" + path + "\n+++ b/" + path + "\n@@ -");
        assertThat(PythonCst.parsesCleanly(proposal.after())).isTrue();

        if (spec.path("idempotent").asBoolean(false)) {
            Codemods.Result again = Codemods.propose(d, path, proposal.after());
            assertThat(again).isInstanceOf(Codemods.Declined.class);
            assertThat(((Codemods.Declined) again).reason()).startsWith("already set");
        }
    }

    @Test
    void memoryDoublingEscalatesOnASecondRunUntilTheCap() throws Exception {
        Path dir = cases().filter(p -> p.getFileName().toString().equals("001"))
                .findFirst()
                .orElseThrow();
        Diagnosis d = Diagnoses.of("out_of_memory_executor");
        byte[] source = Files.readAllBytes(dir.resolve("before.py"));
        List<String> seen = new java.util.ArrayList<>();
        for (int run = 0; run < 5; run++) {
            Codemods.Result r = Codemods.propose(d, "job.py", source);
            if (r instanceof Codemods.Proposed p) {
                source = p.proposal().after();
                seen.add(p.proposal().description());
            } else {
                assertThat(((Codemods.Declined) r).reason()).contains("cap of 32g");
                break;
            }
        }
        assertThat(seen)
                .containsExactly(
                        "Spark settings for out_of_memory_executor: raise spark.executor.memory from 4g to 8g",
                        "Spark settings for out_of_memory_executor: raise spark.executor.memory from 8g to 16g",
                        "Spark settings for out_of_memory_executor: raise spark.executor.memory from 16g to 32g");
    }
}
