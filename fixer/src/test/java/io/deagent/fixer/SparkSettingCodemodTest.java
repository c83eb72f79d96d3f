package io.deagent.fixer;

import static org.assertj.core.api.Assertions.assertThat;

import io.deagent.core.Diagnosis;
import io.deagent.core.Taxonomy;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SparkSettingCodemodTest {

    private static final String MARK = "  # de-agent: ";

    private final SparkSettingCodemod codemod = SparkSettingCodemod.builtIn();

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String marker(String category) {
        return MARK + category + " " + Diagnoses.SIGNATURE;
    }

    private Codemods.Result run(String category, String source) {
        return run(Diagnoses.of(category), source);
    }

    private Codemods.Result run(Diagnosis d, String source) {
        return codemod.attempt(d, "job.py", utf8(source));
    }

    private String after(String category, String source) {
        return after(Diagnoses.of(category), source);
    }

    private String after(Diagnosis d, String source) {
        Codemods.Result r = run(d, source);
        assertThat(r).as(r.toString()).isInstanceOf(Codemods.Proposed.class);
        return new String(((Codemods.Proposed) r).proposal().after(), StandardCharsets.UTF_8);
    }

    private String declined(String category, String source) {
        Codemods.Result r = run(category, source);
        assertThat(r).as(r.toString()).isInstanceOf(Codemods.Declined.class);
        return ((Codemods.Declined) r).reason();
    }

    @Test
    void coversTheTaxonomyCategoriesItNames() {
        assertThat(codemod.categories())
                .containsExactlyInAnyOrder(
                        "out_of_memory_executor",
                        "out_of_memory_driver",
                        "container_killed_memory",
                        "driver_result_size",
                        "serialization_error",
                        "data_skew",
                        "broadcast_timeout");
        assertThat(Taxonomy.CATEGORIES.keySet()).containsAll(codemod.categories());
        assertThat(Codemods.builtIn())
                .extracting(CodeFixer::id)
                .containsExactly(BroadcastHintCodemod.ID, RepartitionCodemod.ID, SparkSettingCodemod.ID);
        assertThat(codemod.id()).isEqualTo("spark-settings");
    }

    @Test
    void otherCategoriesAreNotSupportedAndDeclineWithTheSteps() {
        assertThat(codemod.supports(Diagnoses.of("missing_column"))).isFalse();
        Codemods.Result r = Codemods.propose(Diagnoses.of("missing_column"), "job.py", utf8("x = 1\n"));
        assertThat(r).isEqualTo(new Codemods.Declined("no codemod for category missing_column", Diagnoses.STEPS));
    }

    @Test
    void onlyTheValueBytesChangeInANonAsciiFileAndTheMarkerEndsTheLine() {
        String source = "s = SparkSession.builder.appName(\"Überweisungen €\")"
                + ".config(\"spark.driver.memory\", \"2g\").getOrCreate()  # größer\n";
        byte[] before = utf8(source);
        byte[] after = utf8(after("out_of_memory_driver", source));
        int at = utf8(source.substring(0, source.indexOf("2g\")"))).length;
        int lineEnd = before.length - 1;
        assertThat(Arrays.copyOfRange(after, 0, at)).isEqualTo(Arrays.copyOfRange(before, 0, at));
        assertThat(after[at]).isEqualTo((byte) '4');
        assertThat(Arrays.copyOfRange(after, at + 1, lineEnd)).isEqualTo(Arrays.copyOfRange(before, at + 1, lineEnd));
        assertThat(new String(Arrays.copyOfRange(after, lineEnd, after.length), StandardCharsets.UTF_8))
                .isEqualTo(marker("out_of_memory_driver") + "\n");
    }

    @Test
    void integerLiteralsStayIntegers() {
        assertThat(after("broadcast_timeout", "c = SparkConf().set(\"spark.sql.broadcastTimeout\", 600)\n"))
                .isEqualTo("c = SparkConf().set(\"spark.sql.broadcastTimeout\", 1200)" + marker("broadcast_timeout")
                        + "\n");
        // a bare number is MiB for executor memory: 4096 MiB doubled is written as 8192, not "8g"
        assertThat(after("out_of_memory_executor", "c = SparkConf().set(\"spark.executor.memory\", 4096)\n"))
                .isEqualTo("c = SparkConf().set(\"spark.executor.memory\", 8192)" + marker("out_of_memory_executor")
                        + "\n");
    }

    @Test
    void booleanAndNegativeLiteralsAreRead() {
        assertThat(after(
                        "data_skew",
                        "s = SparkSession.builder.config(\"spark.sql.adaptive.enabled\", False)"
                                + ".config(\"spark.sql.adaptive.skewJoin.enabled\", True).getOrCreate()\n"))
                .contains("\"spark.sql.adaptive.enabled\", True)");
        Diagnosis broadcastOom = Diagnoses.of(
                "out_of_memory_driver", Map.of(), List.of("Not enough memory to build and broadcast the table"));
        Codemods.Result r = run(
                broadcastOom,
                "s = SparkSession.builder.config(\"spark.sql.autoBroadcastJoinThreshold\", -1).getOrCreate()\n");
        assertThat(((Codemods.Declined) r).reason())
                .isEqualTo(
                        "already set: spark.sql.autoBroadcastJoinThreshold: automatic broadcast joins are already off");
    }

    @Test
    void aLongEnoughTimeoutTurnsAutomaticBroadcastsOffInstead() {
        assertThat(after("broadcast_timeout", "c = SparkConf().set(\"spark.sql.broadcastTimeout\", \"30min\")\n"))
                .isEqualTo("c = SparkConf().set(\"spark.sql.broadcastTimeout\", \"30min\")"
                        + ".set(\"spark.sql.autoBroadcastJoinThreshold\", \"-1\")" + marker("broadcast_timeout")
                        + "\n");
    }

    @Test
    void keySetOutsideTheChainIsChangedWhereItIs() {
        String source = "conf = SparkConf()\nconf.set(\"spark.executor.memory\", \"3g\")\n";
        assertThat(after("out_of_memory_executor", source))
                .isEqualTo("conf = SparkConf()\nconf.set(\"spark.executor.memory\", \"6g\")"
                        + marker("out_of_memory_executor") + "\n");
    }

    @Test
    void runtimeConfSetOnTheSessionIsChangedWhereItIs() {
        String source = "spark = SparkSession.builder.getOrCreate()\n"
                + "spark.conf.set(\"spark.sql.broadcastTimeout\", \"300\")  # Sekunden\n";
        assertThat(after("broadcast_timeout", source))
                .isEqualTo("spark = SparkSession.builder.getOrCreate()\n"
                        + "spark.conf.set(\"spark.sql.broadcastTimeout\", \"1200\")  # Sekunden"
                        + marker("broadcast_timeout") + "\n");
    }

    @Test
    void bareSparkConfGetsASetCall() {
        assertThat(after("out_of_memory_driver", "conf = SparkConf()\n"))
                .isEqualTo("conf = SparkConf().set(\"spark.driver.memory\", \"8g\")" + marker("out_of_memory_driver")
                        + "\n");
    }

    @Test
    void inlineSparkConfGivenToTheBuilderIsWhereTheSettingGoes() {
        assertThat(after(
                        "data_skew",
                        "spark = SparkSession.builder.config(conf=SparkConf().setAppName('x')).getOrCreate()\n"))
                .isEqualTo("spark = SparkSession.builder.config(conf=SparkConf().setAppName('x')"
                        + ".set('spark.sql.adaptive.enabled', 'true')"
                        + ".set('spark.sql.adaptive.skewJoin.enabled', 'true')).getOrCreate()" + marker("data_skew")
                        + "\n");
    }

    @Test
    void theCurrentKeyWinsOverItsLegacyName() {
        String source = "s = (SparkSession.builder\n"
                + "     .config(\"spark.yarn.executor.memoryOverhead\", \"512\")\n"
                + "     .config(\"spark.executor.memoryOverhead\", \"1g\")\n"
                + "     .getOrCreate())\n";
        assertThat(after("container_killed_memory", source))
                .contains("\"spark.yarn.executor.memoryOverhead\", \"512\")\n")
                .contains("\"spark.executor.memoryOverhead\", \"2g\")" + marker("container_killed_memory"));
    }

    @Test
    void submitOptionsInAnArgumentListWinOverConf() {
        String source =
                "args = [\"spark-submit\", \"--executor-memory\", \"4g\", \"--conf\", \"spark.executor.memory=2g\","
                        + " \"job.py\"]\n";
        assertThat(after("out_of_memory_executor", source))
                .isEqualTo(source.replace("\"4g\"", "\"8g\"").replace("\n", marker("out_of_memory_executor") + "\n"));
    }

    @Test
    void livyOperatorKeywordsAreSubmitKeywords() {
        String source = "t = LivyOperator(task_id='t', file='s3://b/job.py', driver_memory='2g')\n";
        assertThat(after("out_of_memory_driver", source))
                .startsWith(source.replace("'2g'", "'4g'").strip());
    }

    @Test
    void aSubmitOperatorWithoutConfGetsConfForOtherSettings() {
        String source = "SparkSubmitOperator(\n    task_id=\"t\",\n    application=\"a.py\",\n)\n";
        assertThat(after("data_skew", source))
                .isEqualTo("SparkSubmitOperator(\n    task_id=\"t\",\n    application=\"a.py\",\n"
                        + "    conf={\"spark.sql.adaptive.enabled\": \"true\", \"spark.sql.adaptive.skewJoin.enabled\": \"true\"},"
                        + marker("data_skew") + "\n)\n");
    }

    @Test
    void theSparkBinaryArgumentIsNotASubmitCommand() {
        String source = "SparkSubmitOperator(task_id=\"t\", application=\"a.py\", spark_binary=\"spark-submit\")\n";
        assertThat(after("out_of_memory_executor", source))
                .startsWith("SparkSubmitOperator(task_id=\"t\", application=\"a.py\", spark_binary=\"spark-submit\","
                        + " executor_memory=\"8g\")");
        assertThat(after("out_of_memory_executor", "cmd = \"/usr/bin/spark-submit --master yarn job.py\"\n"))
                .startsWith("cmd = \"/usr/bin/spark-submit --conf spark.executor.memory=8g --master yarn job.py\"");
    }

    @Test
    void aConfThatIsNotADictLiteralIsDeclined() {
        String source = "SparkSubmitOperator(task_id=\"t\", application=\"a.py\", conf=build_conf())\n";
        assertThat(declined("data_skew", source))
                .contains("the conf argument of the SparkSubmitOperator on line 1 (task t) is not a dict literal");
    }

    @Test
    void aTaskGroupPrefixStillMatchesTheTaskId() {
        String source = "a = SparkSubmitOperator(task_id=\"laden\", application=\"a.py\", driver_memory=\"1g\")\n"
                + "b = SparkSubmitOperator(task_id=\"prüfen\", application=\"b.py\", driver_memory=\"1g\")\n";
        Diagnosis d = Diagnoses.of("out_of_memory_driver", Map.of("task_id", "nachts.prüfen"), List.of());
        assertThat(after(d, source))
                .isEqualTo("a = SparkSubmitOperator(task_id=\"laden\", application=\"a.py\", driver_memory=\"1g\")\n"
                        + "b = SparkSubmitOperator(task_id=\"prüfen\", application=\"b.py\", driver_memory=\"2g\")"
                        + marker("out_of_memory_driver") + "\n");
    }

    @Test
    void windowsLineEndingsAreKept() {
        String source = "conf = {\r\n    \"spark.executor.memory\": \"4g\",\r\n}\r\n";
        assertThat(after("container_killed_memory", source))
                .isEqualTo("conf = {\r\n    \"spark.executor.memory\": \"4g\",\r\n"
                        + "    \"spark.executor.memoryOverhead\": \"2g\"," + marker("container_killed_memory")
                        + "\r\n}\r\n");
    }

    @Test
    void valueFromAVariableIsDeclined() {
        assertThat(declined(
                        "out_of_memory_executor",
                        "spark = SparkSession.builder.config(\"spark.executor.memory\", MEM).getOrCreate()\n"))
                .contains("not a literal");
    }

    @Test
    void keySetTwiceIsDeclined() {
        assertThat(declined(
                        "out_of_memory_executor",
                        "a = SparkConf().set(\"spark.executor.memory\", \"1g\")\n"
                                + "b = SparkConf().set(\"spark.executor.memory\", \"2g\")\n"))
                .isEqualTo("spark.executor.memory is set in 2 places (lines 1, 2); change it by hand");
    }

    @Test
    void builderWithoutGetOrCreateIsDeclined() {
        assertThat(declined("data_skew", "b = SparkSession.builder.appName(\"x\")\n"))
                .contains("getOrCreate");
    }

    @Test
    void fileThatDoesNotParseIsDeclined() {
        assertThat(declined("data_skew", "spark = (SparkSession.builder.getOrCreate(\n"))
                .contains("does not parse");
    }

    @Test
    void unreadableMemoryValueIsDeclined() {
        assertThat(declined(
                        "out_of_memory_executor",
                        "s = SparkSession.builder.config(\"spark.executor.memory\", \"lots\").getOrCreate()\n"))
                .contains("cannot read size \"lots\"");
    }

    @Test
    void maxResultSizeStaysUnderHalfTheDriverHeap() {
        String source = "s = SparkSession.builder.config(\"spark.driver.memory\", \"2g\")"
                + ".config(\"spark.driver.maxResultSize\", \"1g\").getOrCreate()\n";
        assertThat(declined("driver_result_size", source))
                .isEqualTo("already set: spark.driver.maxResultSize: 1g is already 50% of spark.driver.memory (2g);"
                        + " raise spark.driver.memory first");
        assertThat(declined(
                        "driver_result_size",
                        "s = SparkSession.builder.config(\"spark.driver.memory\", \"2g\").getOrCreate()\n"))
                .contains("the value to add (2g) is above what spark.driver.memory allows; raise that first");
    }

    @Test
    void kryoNeedsItsEvidenceAndIsCappedAtSparksMaximum() {
        Diagnosis kryo =
                Diagnoses.of("serialization_error", Map.of("config", "spark.kryoserializer.buffer.max"), List.of());
        String source = "s = SparkSession.builder.config(\"spark.kryoserializer.buffer.max\", \"1g\").getOrCreate()\n";
        assertThat(after(kryo, source)).contains("\"2047m\")");
        assertThat(declined("serialization_error", source)).contains("needs Kryo buffer-overflow evidence");
    }

    @Test
    void proposeMatchesAttempt() {
        String source = "s = SparkSession.builder.getOrCreate()\n";
        assertThat(codemod.propose(Diagnoses.of("data_skew"), "job.py", utf8(source)))
                .map(p -> new String(p.after(), StandardCharsets.UTF_8))
                .contains("s = SparkSession.builder.config(\"spark.sql.adaptive.enabled\", \"true\")"
                        + ".config(\"spark.sql.adaptive.skewJoin.enabled\", \"true\").getOrCreate()"
                        + marker("data_skew")
                        + "\n");
        assertThat(codemod.propose(Diagnoses.of("data_skew"), "job.py", utf8("x = 1\n")))
                .isEmpty();
    }

    @Test
    void theSameFailureIsNotEscalatedTwiceButANewOneIsUpToTheCap() {
        byte[] source = utf8("s = (SparkSession.builder\n     .config(\"spark.executor.memory\", \"4g\")\n"
                + "     .getOrCreate())\n");
        Diagnosis first = Diagnoses.of("out_of_memory_executor", Map.of(), List.of(), "aaaa1111");
        FixProposal p1 = ((Codemods.Proposed) Codemods.propose(first, "job.py", source)).proposal();
        assertThat(p1.description()).endsWith("raise spark.executor.memory from 4g to 8g");

        Codemods.Result again = Codemods.propose(first, "job.py", p1.after());
        assertThat(((Codemods.Declined) again).reason())
                .startsWith("already applied for this failure: line 2 of job.py carries"
                        + " # de-agent: out_of_memory_executor aaaa1111");

        byte[] current = p1.after();
        for (String[] step : new String[][] {{"bbbb2222", "8g to 16g"}, {"cccc3333", "16g to 32g"}}) {
            Diagnosis other = Diagnoses.of("out_of_memory_executor", Map.of(), List.of(), step[0]);
            FixProposal p = ((Codemods.Proposed) Codemods.propose(other, "job.py", current)).proposal();
            assertThat(p.description()).endsWith(step[1]);
            current = p.after();
        }
        assertThat(new String(current, StandardCharsets.UTF_8))
                .contains("\"32g\")  # de-agent: out_of_memory_executor aaaa1111  # de-agent: out_of_memory_executor"
                        + " bbbb2222  # de-agent: out_of_memory_executor cccc3333\n");
        Codemods.Result atCap = Codemods.propose(
                Diagnoses.of("out_of_memory_executor", Map.of(), List.of(), "dddd4444"), "job.py", current);
        assertThat(((Codemods.Declined) atCap).reason()).contains("at or above the codemod's cap of 32g");
    }

    @Test
    void memoryPolicyFormatsAndCaps() {
        SettingPolicy p = SettingPolicy.DoubleSize.memory("8g", 32L << 30);
        SettingPolicy.Context none = SettingPolicy.Context.NONE;
        assertThat(p.raise("512m", none)).isEqualTo(new SettingPolicy.Change("1g"));
        assertThat(p.raise("768m", none)).isEqualTo(new SettingPolicy.Change("1536m"));
        assertThat(p.raise("4096", none)).isEqualTo(new SettingPolicy.Change("8g"));
        assertThat(p.raise("20gb", none)).isEqualTo(new SettingPolicy.Change("32g"));
        assertThat(p.raise("64g", none)).isInstanceOf(SettingPolicy.AlreadySet.class);
        assertThat(p.raise("1tb", none)).isInstanceOf(SettingPolicy.AlreadySet.class);
        assertThat(p.raise("lots", none)).isInstanceOf(SettingPolicy.Unsupported.class);
        assertThat(p.asInteger("8g")).contains("8192");
        assertThat(p.asInteger("1536k")).isEmpty();
    }

    @Test
    void byteUnitsReadAsSparkReadsThem() {
        assertThat(SettingPolicy.ByteUnit.BYTE.parse("1073741824")).contains(1L << 30);
        assertThat(SettingPolicy.ByteUnit.BYTE.parse("10MB")).contains(10L << 20);
        assertThat(SettingPolicy.ByteUnit.MIB.parse("2048")).contains(2L << 30);
        assertThat(SettingPolicy.ByteUnit.MIB.parse("-1")).contains(-(1L << 20));
        assertThat(SettingPolicy.ByteUnit.MIB.parse("1.5g")).isEmpty();
        assertThat(SettingPolicy.ByteUnit.format(3584L << 20)).isEqualTo("3584m");
        assertThat(SettingPolicy.ByteUnit.format(512L << 10)).isEqualTo("512k");
    }

    @Test
    void overheadWhenAbsentIsTwiceSparksDefaultShareOfTheHeapOrTwoGigabytes() {
        assertThat(SparkSettingCodemod.overheadWhenAbsent(key -> java.util.Optional.empty())
                        .value())
                .isEqualTo("2g");
        assertThat(SparkSettingCodemod.overheadWhenAbsent(key -> java.util.Optional.of("8g"))
                        .value())
                .isEqualTo("2g");
        assertThat(SparkSettingCodemod.overheadWhenAbsent(key -> java.util.Optional.of("16g"))
                        .value())
                .isEqualTo("3584m");
        assertThat(SparkSettingCodemod.overheadWhenAbsent(key -> java.util.Optional.of("30g"))
                        .value())
                .isEqualTo("6g");
    }

    @Test
    void disablingBroadcastJoins() {
        SettingPolicy p = new SettingPolicy.DisableBroadcastJoins();
        assertThat(p.raise("10MB", SettingPolicy.Context.NONE)).isEqualTo(new SettingPolicy.Change("-1"));
        assertThat(p.raise("10485760", SettingPolicy.Context.NONE)).isEqualTo(new SettingPolicy.Change("-1"));
        assertThat(p.raise("-1", SettingPolicy.Context.NONE)).isInstanceOf(SettingPolicy.AlreadySet.class);
        assertThat(p.raise("big", SettingPolicy.Context.NONE)).isInstanceOf(SettingPolicy.Unsupported.class);
    }
}
