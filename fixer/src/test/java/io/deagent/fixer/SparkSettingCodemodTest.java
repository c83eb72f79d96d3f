package io.deagent.fixer;

import static org.assertj.core.api.Assertions.assertThat;

import io.deagent.core.Taxonomy;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SparkSettingCodemodTest {

    private final SparkSettingCodemod codemod = SparkSettingCodemod.builtIn();

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private Codemods.Result run(String category, String source) {
        return codemod.attempt(Diagnoses.of(category), "job.py", utf8(source));
    }

    private String after(String category, String source) {
        Codemods.Result r = run(category, source);
        assertThat(r).as(r.toString()).isInstanceOf(Codemods.Proposed.class);
        return new String(((Codemods.Proposed) r).proposal().after(), StandardCharsets.UTF_8);
    }

    @Test
    void coversTheTaxonomyCategoriesItNames() {
        assertThat(codemod.categories())
                .containsExactlyInAnyOrder(
                        "out_of_memory_executor",
                        "out_of_memory_driver",
                        "container_killed_memory",
                        "data_skew",
                        "broadcast_timeout");
        assertThat(Taxonomy.CATEGORIES.keySet()).containsAll(codemod.categories());
        assertThat(Codemods.builtIn()).singleElement().isInstanceOf(SparkSettingCodemod.class);
        assertThat(codemod.id()).isEqualTo("spark-settings");
    }

    @Test
    void otherCategoriesAreNotSupportedAndDeclineWithTheSteps() {
        assertThat(codemod.supports(Diagnoses.of("missing_column"))).isFalse();
        Codemods.Result r = Codemods.propose(Diagnoses.of("missing_column"), "job.py", utf8("x = 1\n"));
        assertThat(r).isEqualTo(new Codemods.Declined("no codemod for category missing_column", Diagnoses.STEPS));
    }

    @Test
    void onlyTheValueBytesChangeInANonAsciiFile() {
        String source = "s = SparkSession.builder.appName(\"Überweisungen €\")"
                + ".config(\"spark.driver.memory\", \"2g\").getOrCreate()  # größer\n";
        byte[] before = utf8(source);
        byte[] after = utf8(after("out_of_memory_driver", source));
        int at = source.indexOf("2g\")");
        int byteAt = utf8(source.substring(0, at)).length;
        assertThat(after).hasSameSizeAs(before);
        assertThat(Arrays.copyOfRange(after, 0, byteAt)).isEqualTo(Arrays.copyOfRange(before, 0, byteAt));
        assertThat(after[byteAt]).isEqualTo((byte) '4');
        assertThat(Arrays.copyOfRange(after, byteAt + 1, after.length))
                .isEqualTo(Arrays.copyOfRange(before, byteAt + 1, before.length));
    }

    @Test
    void integerLiteralTimeoutIsRaisedAsAnInteger() {
        assertThat(after("broadcast_timeout", "c = SparkConf().set(\"spark.sql.broadcastTimeout\", 600)\n"))
                .isEqualTo("c = SparkConf().set(\"spark.sql.broadcastTimeout\", 1200)\n");
    }

    @Test
    void higherTimeoutIsLeftAlone() {
        Codemods.Result r =
                run("broadcast_timeout", "c = SparkConf().set(\"spark.sql.broadcastTimeout\", \"30min\")\n");
        assertThat(((Codemods.Declined) r).reason()).startsWith("already set");
    }

    @Test
    void keySetOutsideTheChainIsChangedWhereItIs() {
        String source = "conf = SparkConf()\nconf.set(\"spark.executor.memory\", \"3g\")\n";
        assertThat(after("out_of_memory_executor", source))
                .isEqualTo("conf = SparkConf()\nconf.set(\"spark.executor.memory\", \"6g\")\n");
    }

    @Test
    void bareSparkConfGetsASetCall() {
        assertThat(after("out_of_memory_driver", "conf = SparkConf()\n"))
                .isEqualTo("conf = SparkConf().set(\"spark.driver.memory\", \"8g\")\n");
    }

    @Test
    void valueFromAVariableIsDeclined() {
        Codemods.Result r = run(
                "out_of_memory_executor",
                "spark = SparkSession.builder.config(\"spark.executor.memory\", MEM).getOrCreate()\n");
        assertThat(((Codemods.Declined) r).reason()).contains("not a literal");
    }

    @Test
    void keySetTwiceIsAmbiguous() {
        Codemods.Result r = run(
                "out_of_memory_executor",
                "a = SparkConf().set(\"spark.executor.memory\", \"1g\")\n"
                        + "b = SparkConf().set(\"spark.executor.memory\", \"2g\")\n");
        assertThat(((Codemods.Declined) r).reason()).contains("set in 2 places");
    }

    @Test
    void builderWithoutGetOrCreateIsDeclined() {
        Codemods.Result r = run("data_skew", "b = SparkSession.builder.appName(\"x\")\n");
        assertThat(((Codemods.Declined) r).reason()).contains("getOrCreate");
    }

    @Test
    void fileThatDoesNotParseIsDeclined() {
        Codemods.Result r = run("data_skew", "spark = (SparkSession.builder.getOrCreate(\n");
        assertThat(((Codemods.Declined) r).reason()).contains("does not parse");
    }

    @Test
    void unreadableMemoryValueIsDeclined() {
        Codemods.Result r = run(
                "out_of_memory_executor",
                "s = SparkSession.builder.config(\"spark.executor.memory\", \"lots\").getOrCreate()\n");
        assertThat(((Codemods.Declined) r).reason()).contains("cannot read memory size");
    }

    @Test
    void proposeMatchesAttempt() {
        String source = "s = SparkSession.builder.getOrCreate()\n";
        assertThat(codemod.propose(Diagnoses.of("data_skew"), "job.py", utf8(source)))
                .map(p -> new String(p.after(), StandardCharsets.UTF_8))
                .contains("s = SparkSession.builder.config(\"spark.sql.adaptive.enabled\", \"true\")"
                        + ".config(\"spark.sql.adaptive.skewJoin.enabled\", \"true\").getOrCreate()\n");
        assertThat(codemod.propose(Diagnoses.of("data_skew"), "job.py", utf8("x = 1\n")))
                .isEmpty();
    }

    @Test
    void memoryPolicyFormatsAndCaps() {
        SettingPolicy p = new SettingPolicy.DoubleMemory("8g", 32 * 1024);
        assertThat(p.raise("512m")).isEqualTo(new SettingPolicy.Change("1g"));
        assertThat(p.raise("768m")).isEqualTo(new SettingPolicy.Change("1536m"));
        assertThat(p.raise("4096")).isEqualTo(new SettingPolicy.Change("8g"));
        assertThat(p.raise("20gb")).isEqualTo(new SettingPolicy.Change("32g"));
        assertThat(p.raise("64g")).isInstanceOf(SettingPolicy.AlreadySet.class);
        assertThat(p.raise("1t")).isInstanceOf(SettingPolicy.Unsupported.class);
    }
}
