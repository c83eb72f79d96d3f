package io.deagent.fixer;

import static org.assertj.core.api.Assertions.assertThat;

import io.deagent.core.Diagnosis;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BroadcastHintCodemodTest {

    private static final List<String> BUILD_OOM = List.of("Not enough memory to build and broadcast the table");

    private final BroadcastHintCodemod codemod = BroadcastHintCodemod.builtIn();

    private Codemods.Result run(Diagnosis d, String source) {
        return codemod.attempt(d, "jobs/job.py", source.getBytes(StandardCharsets.UTF_8));
    }

    private String after(Diagnosis d, String source) {
        Codemods.Result r = run(d, source);
        assertThat(r).as(r.toString()).isInstanceOf(Codemods.Proposed.class);
        String after = new String(((Codemods.Proposed) r).proposal().after(), StandardCharsets.UTF_8);
        return after.replaceAll("  # de-agent: \\w+ \\w+", "");
    }

    private String declined(Diagnosis d, String source) {
        Codemods.Result r = run(d, source);
        assertThat(r).as(r.toString()).isInstanceOf(Codemods.Declined.class);
        return ((Codemods.Declined) r).reason();
    }

    private static Diagnosis skew(String table) {
        return Diagnoses.of("data_skew", Map.of("table", table), List.of());
    }

    @Test
    void aDriverOomWithoutBroadcastEvidenceIsNotAboutHints() {
        String source = "from pyspark.sql import functions as F\nx = a.join(F.broadcast(b), 'k')\n";
        assertThat(declined(Diagnoses.of("out_of_memory_driver"), source))
                .contains("removes a broadcast hint only when the driver ran out of memory building a broadcast");
        assertThat(after(Diagnoses.of("out_of_memory_driver", Map.of(), BUILD_OOM), source))
                .isEqualTo("from pyspark.sql import functions as F\nx = a.join(b, 'k')\n");
    }

    @Test
    void anExpressionThatIsNotAPrimaryKeepsItsParentheses() {
        String source =
                "from pyspark.sql.functions import broadcast\n" + "x = broadcast(a if klein else b).join(c, 'k')\n";
        assertThat(after(Diagnoses.of("broadcast_timeout"), source))
                .isEqualTo("from pyspark.sql.functions import broadcast\nx = (a if klein else b).join(c, 'k')\n");
    }

    @Test
    void aBroadcastVariableIsNotAHint() {
        String source = "from pyspark.sql import functions as F\nlookup = spark.sparkContext.broadcast(tabelle)\n";
        assertThat(declined(Diagnoses.of("broadcast_timeout"), source)).startsWith("no forced broadcast hint");
    }

    @Test
    void aHintOnANameReadInSeveralPlacesIsLeftAlone() {
        String source = "from pyspark.sql import functions as F\n"
                + "länder = F.broadcast(spark.table('länder'))\n"
                + "a = x.join(länder, 'k')\n"
                + "b = y.join(länder, 'k')\n";
        assertThat(declined(Diagnoses.of("broadcast_timeout"), source))
                .isEqualTo("the broadcast hint on line 2 is assigned to länder, which is read in 2 places; removing"
                        + " it would change all of them");
    }

    @Test
    void aHintInsideAJoinOnlyConcernsThatJoinWhereverItsResultIsRead() {
        String source = "from pyspark.sql import functions as F\n"
                + "r = x.join(F.broadcast(spark.table('länder')), 'k')\n"
                + "r.write.parquet('a')\n"
                + "r.write.parquet('b')\n";
        assertThat(after(Diagnoses.of("broadcast_timeout"), source))
                .contains("r = x.join(spark.table('länder'), 'k')\n");
    }

    @Test
    void theLeftSideOfARightJoinCanBeBroadcastButNotItsRightSide() {
        String source =
                "import pyspark.sql.functions as F\n" + "r = spark.table('dim.klein').join(fakten, 'k', 'right')\n";
        assertThat(after(skew("dim.klein"), source))
                .isEqualTo("import pyspark.sql.functions as F\n"
                        + "r = F.broadcast(spark.table('dim.klein')).join(fakten, 'k', 'right')\n");
        String right =
                "import pyspark.sql.functions as F\nr = fakten.join(spark.table('dim.klein'), 'k', how='right')\n";
        assertThat(declined(skew("dim.klein"), right))
                .isEqualTo("Spark cannot broadcast the right side of a right join (line 2)");
    }

    @Test
    void aSideThatIsAlreadyBroadcastIsNotHintedTwice() {
        String source = "from pyspark.sql.functions import broadcast\n"
                + "dim = broadcast(spark.table('dim'))\n"
                + "r = fakten.join(dim, 'k')\n";
        assertThat(declined(skew("dim"), source)).isEqualTo("dim is already broadcast in the join on line 3");
    }

    @Test
    void aSideBuiltByAnotherJoinDoesNotReadThatJoinsTables() {
        String source = "from pyspark.sql.functions import broadcast\n"
                + "dim = spark.table('dim')\n"
                + "mitte = fakten.join(dim, 'k')\n"
                + "r = mitte.join(spark.table('andere'), 'j')\n";
        assertThat(after(skew("dim"), source)).contains("mitte = fakten.join(broadcast(dim), 'k')");
    }

    @Test
    void sqlReadsCountAndTheTableIsMatchedByItsLastName() {
        String source = "from pyspark.sql import functions as F\n"
                + "d = spark.sql('SELECT * FROM prod.ref.`länder` WHERE aktiv')\n"
                + "r = f.join(d, 'k')\n";
        assertThat(after(skew("ref.länder"), source)).contains("r = f.join(F.broadcast(d), 'k')");
    }

    @Test
    void theImportIsNotAddedWhenTheNameIsTaken() {
        String source = "from pyspark.sql import SparkSession\nbroadcast = True\nr = f.join(spark.table('dim'), 'k')\n";
        assertThat(declined(skew("dim"), source)).startsWith("cannot import broadcast here");
    }

    @Test
    void aCallSiteOnABlankLineIsReportedAsAChangedFile() {
        Diagnosis d = Diagnoses.of(
                "broadcast_timeout",
                Map.of("call_site", "/opt/job.py:2"),
                List.of("Could not execute broadcast in 300 secs"));
        assertThat(declined(d, "x = 1\n\ny = 2\n"))
                .isEqualTo("line 2 of jobs/job.py is not a statement (the file may have changed since the run)");
    }
}
