package io.deagent.fixer;

import static org.assertj.core.api.Assertions.assertThat;

import io.deagent.core.Diagnosis;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CodemodsTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A codemod outside the frame, declining with a fixed reason. */
    private record Fixed(String id, String reason) implements CodeFixer {
        @Override
        public Set<String> categories() {
            return Set.of("data_skew");
        }

        @Override
        public Optional<FixProposal> propose(Diagnosis d, String path, byte[] source) {
            return Optional.empty();
        }

        @Override
        public Codemods.Result attempt(Diagnosis d, String path, byte[] source) {
            return Codemods.declined(reason, d);
        }
    }

    @Test
    void theMostSpecificReasonIsShown() {
        // no table and no column: the call-site codemods lack evidence; the settings codemod finds nothing to edit
        Codemods.Result r = Codemods.propose(Diagnoses.of("data_skew"), "t.py", utf8("def f(df):\n    return df\n"));
        assertThat(((Codemods.Declined) r).reason())
                .isEqualTo("no SparkSession builder or SparkConf in this file; set spark.sql.adaptive.enabled where the"
                        + " job is submitted");
        // a codemod that found something unsafe wins over one that found nothing
        String twoGroupBys = "def f(a, b):\n    return a.groupBy('k').count(), b.groupBy('k').count()\n";
        Codemods.Result ambiguous = Codemods.propose(
                Diagnoses.of("data_skew", Map.of("column", "k"), List.of()), "t.py", utf8(twoGroupBys));
        assertThat(((Codemods.Declined) ambiguous).reason()).startsWith("ambiguous: 2 places in t.py (lines 2)");
    }

    @Test
    void aCodemodOutsideTheFrameIsTriedInOrderAndItsReasonIsRedacted() {
        List<CodeFixer> fixers =
                List.of(new Fixed("first", "token AKIAABCDEFGHIJKLMNOP in the way"), SparkSettingCodemod.builtIn());
        Codemods.Result r = Codemods.propose(fixers, Diagnoses.of("data_skew"), "t.py", utf8("x = 1\n"));
        assertThat(((Codemods.Declined) r).reason()).doesNotContain("AKIAABCDEFGHIJKLMNOP");
        Codemods.Result patched = Codemods.propose(
                fixers, Diagnoses.of("data_skew"), "t.py", utf8("s = SparkSession.builder.getOrCreate()\n"));
        assertThat(patched).isInstanceOf(Codemods.Proposed.class);
    }

    @Test
    void aMarkerOfAnotherCodemodStopsEveryCodemodForTheSameFailure() {
        // the broadcast-hint codemod removed the hint; a second run must not go on to the settings codemod
        String source = "from pyspark.sql import functions as F\n"
                + "spark = SparkSession.builder.getOrCreate()\n"
                + "r = a.join(F.broadcast(b), 'k')\n";
        Diagnosis d = Diagnoses.of("broadcast_timeout");
        FixProposal first = ((Codemods.Proposed) Codemods.propose(d, "t.py", utf8(source))).proposal();
        assertThat(first.codemodId()).isEqualTo(BroadcastHintCodemod.ID);
        Codemods.Result second = Codemods.propose(d, "t.py", first.after());
        assertThat(((Codemods.Declined) second).reason()).startsWith("already applied for this failure: line 3");
        assertThat(SparkSettingCodemod.builtIn().propose(d, "t.py", first.after()))
                .isEmpty();
    }

    @Test
    void aFileThatDoesNotParseIsNotEdited() {
        Codemods.Result r = Codemods.propose(Diagnoses.of("data_skew"), "t.py", utf8("def (:\n"));
        assertThat(((Codemods.Declined) r).reason()).isEqualTo("t.py does not parse as Python; not editing it");
    }
}
