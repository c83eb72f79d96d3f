package io.deagent.fixer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.treesitter.TSNode;

class CallSitesTest {

    private static CallSites.Location locate(String callSite, String path) {
        return CallSites.locate(Diagnoses.of("data_skew", Map.of("call_site", callSite), List.of()), path);
    }

    @Test
    void theCallSiteIsMatchedByFileName() {
        assertThat(locate("/opt/spark/jobs/etl.py:42", "repo/jobs/etl.py"))
                .isEqualTo(new CallSites.AtLine(42, "/opt/spark/jobs/etl.py:42"));
        assertThat(locate("C:\\jobs\\etl.py:7", "etl.py")).isEqualTo(new CallSites.AtLine(7, "C:\\jobs\\etl.py:7"));
        assertThat(locate("/opt/spark/jobs/main.py:42", "jobs/etl.py"))
                .isEqualTo(new CallSites.Elsewhere("/opt/spark/jobs/main.py:42"));
        assertThat(locate("no line here", "etl.py")).isEqualTo(new CallSites.Anywhere());
        assertThat(CallSites.locate(Diagnoses.of("data_skew"), "etl.py")).isEqualTo(new CallSites.Anywhere());
    }

    @Test
    void theLineageFollowsNamesToTheLatestAssignmentBeforeTheUseInTheSameFunction() {
        String source = """
                df = spark.table("global")
                def run(spark):
                    df = spark.table("lokal_alt")
                    df = spark.table("lokal_neu")
                    out = df.groupBy("k").count()
                    out.write.parquet("p")
                    df = spark.table("später")
                """;
        try (PythonCst cst = PythonCst.parse(source.getBytes(StandardCharsets.UTF_8))) {
            TSNode statement = CallSites.statementAt(cst, 6).orElseThrow();
            List<String> lineage =
                    CallSites.lineage(cst, statement).stream().map(cst::text).toList();
            assertThat(lineage)
                    .containsExactly(
                            "out.write.parquet(\"p\")", "df.groupBy(\"k\").count()", "spark.table(\"lokal_neu\")");
        }
    }

    @Test
    void aParameterEndsTheLineageAndAModuleNameIsFollowedFromAFunction() {
        String source = "dim = spark.table(\"dim\")\ndef f(df):\n    return df.join(dim, \"k\")\n";
        try (PythonCst cst = PythonCst.parse(source.getBytes(StandardCharsets.UTF_8))) {
            TSNode statement = CallSites.statementAt(cst, 3).orElseThrow();
            assertThat(CallSites.lineage(cst, statement).stream().map(cst::text))
                    .containsExactly("df.join(dim, \"k\")", "spark.table(\"dim\")");
            assertThat(CallSites.statementAt(cst, 2)).isEmpty();
        }
    }
}
