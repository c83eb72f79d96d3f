package io.deagent.sources.warehouse;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import io.deagent.core.FailureEvent;
import io.deagent.core.investigate.Evidence;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A generated ~50 MB manifest is read by the source in a JVM whose whole heap is 48 MB: a parsed tree of that file
 * needs several times its size, so the source passes only by streaming and keeping the nodes it needs. The same
 * heap refusing {@code readTree} of the file is the control that shows the limit bites.
 */
class LargeManifestTest {

    static final int NODES = 20_000;
    static final String FAILED = "model.big.model_12345";
    static final String HEAP = "-Xmx48m";

    @TempDir
    static Path target;

    @BeforeAll
    static void generate() throws IOException {
        writeManifest(target.resolve("manifest.json"));
        Files.writeString(target.resolve("run_results.json"), """
                {"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/run-results/v6.json",
                  "dbt_version": "1.8.7", "generated_at": "2026-11-20T03:10:00Z", "invocation_id": "big-1", "env": {}},
                 "results": [{"status": "error", "timing": [], "thread_id": "Thread-7", "execution_time": 0.4,
                   "adapter_response": {}, "message": "Database Error in model model_12345 (models/big/model_12345.sql)",
                   "failures": null, "unique_id": "%s", "compiled": true, "compiled_code": "select 1",
                   "relation_name": "\\"analytics\\".\\"big\\".\\"model_12345\\""}],
                 "elapsed_time": 1.0}""".formatted(FAILED));
    }

    @Test
    void manifestIsBigEnoughToMatter() throws IOException {
        assertThat(Files.size(target.resolve("manifest.json"))).isGreaterThan(45L * 1024 * 1024);
    }

    @Test
    void readerKeepsOnlyTheWantedNodesOfALargeManifest() throws IOException {
        Manifest m = Manifest.read(
                target.resolve("manifest.json"),
                Set.of(FAILED, "model.big.model_00007"),
                TestEvents.budget(Duration.ofSeconds(60)));

        assertThat(m.nodes()).containsOnlyKeys(FAILED, "model.big.model_00007");
        assertThat(m.children()).containsOnlyKeys(FAILED, "model.big.model_00007");
        assertThat(m.nodes().get(FAILED).originalFilePath()).contains("models/big/model_12345.sql");
        assertThat(m.children().get(FAILED)).containsExactly("model.big.model_12346");
    }

    @Test
    void sourceReadsItWithinASmallHeap() throws Exception {
        Child run = runChild("source");

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output())
                .contains("status=OK")
                .contains("dbt.model.path=models/big/model_12345.sql")
                .contains("dbt.model.materialization=incremental")
                .contains("dbt.model.downstream=model.big.model_12346")
                .contains("dbt_artifacts.manifest=read 1 of 1 nodes");
    }

    @Test
    void controlReadingTheWholeTreeDoesNotFitThatHeap() throws Exception {
        Child run = runChild("tree");

        assertThat(run.exit()).as(run.output()).isNotZero();
        assertThat(run.output()).contains("OutOfMemoryError");
    }

    record Child(int exit, String output) {}

    private static Child runChild(String mode) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path out = target.resolve("child-" + mode + ".out");
        Process p = new ProcessBuilder(
                        java, HEAP, "-XX:+UseSerialGC", "-cp", classpath, Main.class.getName(), mode, target.toString())
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the child JVM did not finish in 120 s");
        }
        return new Child(p.exitValue(), Files.readString(out));
    }

    /** Runs in the small-heap JVM: the source as the app would call it, or the naive tree read. */
    public static final class Main {
        public static void main(String[] args) throws Exception {
            Path dir = Path.of(args[1]);
            if (args[0].equals("tree")) {
                var tree = ArtifactJson.MAPPER.readTree(
                        dir.resolve("manifest.json").toFile());
                System.out.println("read a tree of " + tree.path("nodes").size() + " nodes");
                return;
            }
            FailureEvent event =
                    TestEvents.event("big", "dbt_run", "DbtRunOperator", "Database Error in model model_12345", null);
            Evidence e = new DbtArtifactsSource(dir).collect(event, TestEvents.budget(Duration.ofSeconds(60)));
            System.out.println("status=" + e.status());
            e.error().ifPresent(err -> System.out.println("error=" + err));
            e.facts().forEach((k, v) -> System.out.println(k + "=" + v));
            System.exit(e.status() == Evidence.Status.OK ? 0 : 3);
        }
    }

    /** Realistic v12 nodes, each with ~2 KB of SQL and a few documented columns; child_map at the end. */
    private static void writeManifest(Path file) throws IOException {
        String sql = ("select o.order_id, o.customer_id, o.ordered_at, sum(i.amount) as amount, count(*) as items\n"
                        + "from {{ ref('stg_orders') }} o join {{ ref('stg_order_items') }} i using (order_id)\n")
                .repeat(6);
        try (JsonGenerator g =
                ArtifactJson.MAPPER.getFactory().createGenerator(Files.newOutputStream(file), JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeObjectFieldStart("metadata");
            g.writeStringField("dbt_schema_version", "https://schemas.getdbt.com/dbt/manifest/v12.json");
            g.writeStringField("dbt_version", "1.8.7");
            g.writeStringField("project_name", "big");
            g.writeStringField("adapter_type", "redshift");
            g.writeEndObject();
            g.writeObjectFieldStart("nodes");
            for (int i = 0; i < NODES; i++) {
                String name = "model_%05d".formatted(i);
                g.writeObjectFieldStart("model.big." + name);
                g.writeStringField("database", "analytics");
                g.writeStringField("schema", "big");
                g.writeStringField("name", name);
                g.writeStringField("resource_type", "model");
                g.writeStringField("package_name", "big");
                g.writeStringField("path", "big/" + name + ".sql");
                g.writeStringField("original_file_path", "models/big/" + name + ".sql");
                g.writeStringField("unique_id", "model.big." + name);
                g.writeArrayFieldStart("fqn");
                g.writeString("big");
                g.writeString("big");
                g.writeString(name);
                g.writeEndArray();
                g.writeObjectFieldStart("config");
                g.writeStringField("materialized", i % 3 == 0 ? "incremental" : "table");
                g.writeArrayFieldStart("tags");
                g.writeEndArray();
                g.writeEndObject();
                g.writeObjectFieldStart("columns");
                for (String column : List.of("order_id", "customer_id", "ordered_at", "amount", "items")) {
                    g.writeObjectFieldStart(column);
                    g.writeStringField("name", column);
                    g.writeStringField("description", "The " + column.replace('_', ' ') + " of the order.");
                    g.writeEndObject();
                }
                g.writeEndObject();
                g.writeObjectFieldStart("depends_on");
                g.writeArrayFieldStart("macros");
                g.writeEndArray();
                g.writeArrayFieldStart("nodes");
                if (i > 0) {
                    g.writeString("model.big.model_%05d".formatted(i - 1));
                }
                g.writeEndArray();
                g.writeEndObject();
                g.writeStringField("raw_code", sql);
                g.writeStringField(
                        "compiled_code",
                        sql.replace("{{ ref('", "\"analytics\".\"big\".\"").replace("') }}", "\""));
                g.writeStringField("relation_name", "\"analytics\".\"big\".\"" + name + "\"");
                g.writeEndObject();
            }
            g.writeEndObject();
            for (String empty : List.of(
                    "sources",
                    "macros",
                    "docs",
                    "exposures",
                    "metrics",
                    "groups",
                    "selectors",
                    "disabled",
                    "parent_map")) {
                g.writeObjectFieldStart(empty);
                g.writeEndObject();
            }
            g.writeObjectFieldStart("child_map");
            for (int i = 0; i < NODES; i++) {
                g.writeArrayFieldStart("model.big.model_%05d".formatted(i));
                if (i + 1 < NODES) {
                    g.writeString("model.big.model_%05d".formatted(i + 1));
                }
                g.writeEndArray();
            }
            g.writeEndObject();
            for (String empty : List.of("group_map", "saved_queries", "semantic_models", "unit_tests")) {
                g.writeObjectFieldStart(empty);
                g.writeEndObject();
            }
            g.writeEndObject();
        }
    }
}
