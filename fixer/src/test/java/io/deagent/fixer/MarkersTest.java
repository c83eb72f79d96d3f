package io.deagent.fixer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MarkersTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String mark(String source, Edit... edits) {
        Patch patch = new Patch(utf8(source)).apply(List.of(edits));
        return Markers.mark(patch, "data_skew", "abc123")
                .map(b -> new String(b, StandardCharsets.UTF_8))
                .orElse("<none>");
    }

    @Test
    void theMarkerEndsTheEditedLineAfterAnyComment() {
        String source = "x = 1  # Größe\ny = 2\n";
        int at = source.indexOf('1');
        assertThat(mark(source, new Edit(at, at + 1, "2")))
                .isEqualTo("x = 2  # Größe  # de-agent: data_skew abc123\ny = 2\n");
    }

    @Test
    void aBackslashContinuationMovesTheMarkerToTheEndOfTheStatement() {
        String source = "s = a \\\n    .b() \\\n    .c()\nz = 0\n";
        int at = source.indexOf(".b");
        assertThat(mark(source, Edit.insert(at, ".x() \\\n    ")))
                .isEqualTo("s = a \\\n    .x() \\\n    .b() \\\n    .c()  # de-agent: data_skew abc123\nz = 0\n");
    }

    @Test
    void aStringThatSpansLinesMovesTheMarkerBelowIt() {
        String source = "q = f(1, \"\"\"SELECT\n  *\"\"\")\n";
        assertThat(mark(source, new Edit(source.indexOf('1'), source.indexOf('1') + 1, "2")))
                .isEqualTo("q = f(2, \"\"\"SELECT\n  *\"\"\")  # de-agent: data_skew abc123\n");
    }

    @Test
    void onlyLinesWithWrittenTextAreMarkedNotTheOnesThatGainedALineBreakOrAComma() {
        String source = "d = {\"a\": 1,\n     \"b\": 2}\n";
        int end = source.indexOf("2}") + 1;
        assertThat(mark(source, Edit.insert(end, ",\n     \"c\": 3")))
                .isEqualTo("d = {\"a\": 1,\n     \"b\": 2,\n     \"c\": 3}  # de-agent: data_skew abc123\n");
    }

    @Test
    void aDeletionMarksTheLineItDeletedFrom() {
        String source = "t = (read()\n     .hint(\"broadcast\")\n     .select(\"a\"))\n";
        int from = source.indexOf("\n     .hint");
        int to = source.indexOf(")\n     .select") + 1;
        assertThat(mark(source, Edit.delete(from, to)))
                .isEqualTo("t = (read()  # de-agent: data_skew abc123\n     .select(\"a\"))\n");
    }

    @Test
    void aMarkerIsFoundByCategoryAndSignatureOnly() {
        try (PythonCst cst =
                PythonCst.parse(utf8("x = 1  # de-agent: data_skew abc123\n# de-agent: disk_full zzz\n"))) {
            assertThat(Markers.find(cst, "data_skew", "abc123")).contains(1);
            assertThat(Markers.find(cst, "disk_full", "zzz")).contains(2);
            assertThat(Markers.find(cst, "data_skew", "other")).isEmpty();
        }
        // text in a string is not a marker
        try (PythonCst cst = PythonCst.parse(utf8("x = \"# de-agent: data_skew abc123\"\n"))) {
            assertThat(Markers.find(cst, "data_skew", "abc123")).isEmpty();
        }
    }

    @Test
    void theSignatureIsSanitisedAndShortened() {
        assertThat(Markers.signatureOf(Diagnoses.of("x", Map.of(), List.of(), "3f9c 2a7b;1d4e5f60aaaaffff")))
                .isEqualTo("3f9c2a7b1d4e5f60");
        assertThat(Markers.signatureOf(Diagnoses.of("x", Map.of(), List.of(), "")))
                .isEqualTo("unsigned");
    }
}
