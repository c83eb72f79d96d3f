package io.deagent.fixer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deagent.core.Diagnosis;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs every {@code codemods/NNN} fixture: {@code before.py} and {@code case.json} in; out the exact {@code
 * after.py} bytes, touching only the declared lines, parsing cleanly and unchanged by a second run; or a decline
 * with its reason and the diagnosis' manual steps.
 *
 * <p>{@code case.json}: {@code category}, {@code expect} ({@code proposal} or {@code declined}), and optionally
 * {@code path} (default {@code jobs/NNN.py}), {@code entities}, {@code evidence} (proof lines), {@code codemod},
 * {@code added_lines} / {@code removed_lines} (1-based, in after.py / before.py: the lines the diff adds and
 * removes), {@code description} or {@code reason} (a substring).
 */
class CodemodFixturesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern HUNK = Pattern.compile("^@@ -(\\d+),\\d+ \\+(\\d+),\\d+ @@$");

    static Stream<Path> cases() throws IOException, URISyntaxException {
        Path root = Path.of(CodemodFixturesTest.class.getResource("/codemods").toURI());
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(Files::isDirectory).sorted().toList().stream();
        }
    }

    private record Fixture(Path dir, JsonNode spec, Diagnosis diagnosis, String path, byte[] before) {}

    private static Fixture load(Path dir) throws IOException {
        JsonNode spec = JSON.readTree(dir.resolve("case.json").toFile());
        Map<String, String> entities = new LinkedHashMap<>();
        spec.path("entities")
                .properties()
                .forEach(e -> entities.put(e.getKey(), e.getValue().asText()));
        List<String> evidence = new ArrayList<>();
        spec.path("evidence").forEach(e -> evidence.add(e.asText()));
        Diagnosis d = Diagnoses.of(spec.get("category").asText(), entities, evidence);
        String path = spec.path("path").asText("jobs/" + dir.getFileName() + ".py");
        return new Fixture(dir, spec, d, path, Files.readAllBytes(dir.resolve("before.py")));
    }

    @Test
    void thereAreFixturesForEveryCodemodAndForDeclining() throws Exception {
        List<JsonNode> specs = new ArrayList<>();
        for (Path dir : cases().toList()) {
            specs.add(load(dir).spec());
        }
        assertThat(specs).hasSizeGreaterThanOrEqualTo(50);
        assertThat(specs.stream().map(s -> s.path("codemod").asText("")))
                .contains(SparkSettingCodemod.ID, BroadcastHintCodemod.ID, RepartitionCodemod.ID);
        assertThat(specs.stream().filter(s -> s.get("expect").asText().equals("declined")))
                .hasSizeGreaterThanOrEqualTo(15);
    }

    @Test
    void theNewerFixturesCarryNonAsciiText() throws Exception {
        for (Path dir : cases().toList()) {
            if (Integer.parseInt(dir.getFileName().toString()) >= 14) {
                String before = Files.readString(dir.resolve("before.py"), StandardCharsets.UTF_8);
                assertThat(before.chars().anyMatch(c -> c > 127))
                        .as(dir.toString())
                        .isTrue();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void fixture(Path dir) throws IOException {
        Fixture f = load(dir);
        Codemods.Result result = Codemods.propose(f.diagnosis(), f.path(), f.before());

        if (f.spec().get("expect").asText().equals("declined")) {
            assertThat(result).as(result.toString()).isInstanceOf(Codemods.Declined.class);
            Codemods.Declined declined = (Codemods.Declined) result;
            assertThat(declined.reason()).contains(f.spec().get("reason").asText());
            assertThat(declined.manualSteps()).isEqualTo(Diagnoses.STEPS);
            assertThat(Files.exists(dir.resolve("after.py")))
                    .as("a declined fixture has no after.py")
                    .isFalse();
            return;
        }
        assertThat(result).as(result.toString()).isInstanceOf(Codemods.Proposed.class);
        FixProposal proposal = ((Codemods.Proposed) result).proposal();
        byte[] expected = Files.readAllBytes(dir.resolve("after.py"));

        // the exact bytes
        assertThat(new String(proposal.after(), StandardCharsets.UTF_8))
                .isEqualTo(new String(expected, StandardCharsets.UTF_8));
        assertThat(proposal.after()).isEqualTo(expected);
        assertThat(proposal.before()).isEqualTo(f.before());
        assertThat(proposal.file()).isEqualTo(f.path());
        assertThat(proposal.codemodId()).isEqualTo(f.spec().get("codemod").asText());
        if (f.spec().has("description")) {
            assertThat(proposal.description())
                    .contains(f.spec().get("description").asText());
        }

        // minimal: the diff adds and removes exactly the declared lines, every one it adds carries the marker
        String diff = proposal.unifiedDiff();
        assertThat(diff).startsWith("--- a/" + f.path() + "\n+++ b/" + f.path() + "\n@@ -");
        assertThat(diff)
                .isEqualTo(UnifiedDiff.of(
                        f.path(),
                        new String(f.before(), StandardCharsets.UTF_8),
                        new String(expected, StandardCharsets.UTF_8)));
        List<Integer> added = new ArrayList<>();
        List<Integer> removed = new ArrayList<>();
        List<String> addedText = new ArrayList<>();
        changedLines(diff, added, removed, addedText);
        assertThat(added).as("added lines").isEqualTo(ints(f.spec().get("added_lines")));
        assertThat(removed).as("removed lines").isEqualTo(ints(f.spec().get("removed_lines")));
        String marker = "# de-agent: " + f.diagnosis().category() + " " + Diagnoses.SIGNATURE;
        assertThat(addedText).anyMatch(line -> line.endsWith(marker));

        // the result parses without ERROR or MISSING nodes
        assertThat(PythonCst.parsesCleanly(proposal.after())).isTrue();

        // a second run with the same diagnosis changes nothing, through Codemods and through the codemod itself
        Codemods.Result again = Codemods.propose(f.diagnosis(), f.path(), proposal.after());
        assertThat(again).isInstanceOf(Codemods.Declined.class);
        assertThat(((Codemods.Declined) again).reason()).startsWith("already applied for this failure");
        CodeFixer codemod = Codemods.builtIn().stream()
                .filter(c -> c.id().equals(proposal.codemodId()))
                .findFirst()
                .orElseThrow();
        assertThat(codemod.propose(f.diagnosis(), f.path(), proposal.after())).isEmpty();
    }

    private static List<Integer> ints(JsonNode array) {
        List<Integer> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asInt()));
        return out;
    }

    /** 1-based numbers of the lines a unified diff adds (in the new file) and removes (in the old one). */
    private static void changedLines(String diff, List<Integer> added, List<Integer> removed, List<String> addedText) {
        int a = 0;
        int b = 0;
        for (String line : diff.split("\n")) {
            Matcher m = HUNK.matcher(line);
            if (m.matches()) {
                a = Integer.parseInt(m.group(1));
                b = Integer.parseInt(m.group(2));
            } else if (line.startsWith("+++") || line.startsWith("---")) {
                continue;
            } else if (line.startsWith("+")) {
                added.add(b++);
                addedText.add(line.substring(1));
            } else if (line.startsWith("-")) {
                removed.add(a++);
            } else if (line.startsWith(" ")) {
                a++;
                b++;
            }
        }
    }
}
