package io.deagent.fixer;

import static org.assertj.core.api.Assertions.assertThat;

import io.deagent.core.Diagnosis;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RepartitionCodemodTest {

    private final RepartitionCodemod codemod = RepartitionCodemod.builtIn();

    private Codemods.Result run(Diagnosis d, String source) {
        return codemod.attempt(d, "job.py", source.getBytes(StandardCharsets.UTF_8));
    }

    private static Diagnosis skewOn(String column) {
        return Diagnoses.of("data_skew", Map.of("column", column), List.of());
    }

    @Test
    void backslashChainsKeepTheirStyle() {
        String source = "r = df \\\n    .groupBy('größe') \\\n    .count()\n";
        Codemods.Result r = run(skewOn("größe"), source);
        assertThat(new String(((Codemods.Proposed) r).proposal().after(), StandardCharsets.UTF_8))
                .isEqualTo("r = df \\\n    .repartition(400, 'größe') \\\n    .groupBy('größe') \\\n    .count()"
                        + "  # de-agent: data_skew " + Diagnoses.SIGNATURE + "\n");
    }

    @Test
    void aColumnThatIsNotAPlainNameIsDeclined() {
        Codemods.Result r = run(skewOn("a\"b"), "r = df.groupBy('a').count()\n");
        assertThat(((Codemods.Declined) r).reason()).isEqualTo("the column a\"b cannot be written as a plain string");
    }

    @Test
    void shufflePartitionsThatCannotBeReadAreDeclined() {
        String source = "spark = SparkSession.builder.config('spark.sql.shuffle.partitions', N).getOrCreate()\n"
                + "r = df.groupBy('k').count()\n";
        assertThat(((Codemods.Declined) run(skewOn("k"), source)).reason())
                .startsWith("spark.sql.shuffle.partitions is set in this file but not to one readable number");
    }

    @Test
    void stringJoinsAndPathJoinsAreNotWideOperations() {
        String source = "import os\nname = ', '.join(['k', 'x'])\np = os.path.join('k', 'x')\n";
        assertThat(((Codemods.Declined) run(skewOn("k"), source)).reason())
                .startsWith("no write and no groupBy/join/dropDuplicates on k");
    }

    @Test
    void aJoinOnTheKeyInAConditionIsAWideOperationOnIt() {
        String source = "r = kunden.join(buchungen, kunden.kunden_id == buchungen.kunden_id)\n";
        Codemods.Result r = run(skewOn("kunden_id"), source);
        assertThat(((Codemods.Proposed) r).proposal().description())
                .isEqualTo("repartition by kunden_id into 400 partitions before the join on line 1 (twice Spark's"
                        + " default of 200 shuffle partitions)");
    }
}
