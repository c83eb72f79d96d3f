package io.deagent.sources.warehouse;

import static io.deagent.sources.warehouse.SqlQuery.placeholders;
import static io.deagent.sources.warehouse.SqlQuery.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The Elementary package's tables ({@code dbt_run_results}, {@code elementary_test_results}, {@code dbt_models};
 * formats.md 5.3): the queries, newest first and limited, and how a row reads in the digest and the facts.
 *
 * <p>When the event names no model or test, the run and test results fall back to the latest failures
 * (status error/fail), marked {@code dbt_audit.match=latest_failures} so nobody mistakes them for a match.
 */
final class ElementaryTables {

    static final int RUN_RESULT_ROWS = 20;
    static final int TEST_RESULT_ROWS = 20;
    static final int MODEL_ROWS = 10;

    private final String schema;

    ElementaryTables(String schema) {
        this.schema = schema;
    }

    SqlQuery runResults(DbtMentions mentions) {
        String relation = schema + ".dbt_run_results";
        String select = "select unique_id, name, resource_type, status, message, failures, materialization,"
                + " execute_started_at, invocation_id, left(compiled_code, 2000) as compiled_code\nfrom " + relation;
        List<String> names = mentions.names();
        List<String> ids = mentions.uniqueIds();
        if (names.isEmpty() && ids.isEmpty()) {
            return new SqlQuery(
                    "dbt_run_results",
                    relation,
                    select + "\nwhere status in ('error', 'fail', 'runtime error')\norder by created_at desc\nlimit "
                            + RUN_RESULT_ROWS,
                    List.of());
        }
        List<String> where = new ArrayList<>();
        List<Object> params = new ArrayList<>();
        if (!names.isEmpty()) {
            where.add("name in (" + placeholders(names.size()) + ")");
            params.addAll(names);
        }
        if (!ids.isEmpty()) {
            where.add("unique_id in (" + placeholders(ids.size()) + ")");
            params.addAll(ids);
        }
        return new SqlQuery(
                "dbt_run_results",
                relation,
                select + "\nwhere " + String.join(" or ", where) + "\norder by created_at desc\nlimit "
                        + RUN_RESULT_ROWS,
                params);
    }

    SqlQuery testResults(DbtMentions mentions) {
        String relation = schema + ".elementary_test_results";
        String select = "select test_unique_id, model_unique_id, test_type, test_sub_type, table_name, column_name,"
                + " status, failures, left(test_results_description, 1000) as test_results_description, detected_at"
                + "\nfrom " + relation;
        List<String> tests = mentions.tests();
        List<String> tables = lower(mentions.models());
        if (tests.isEmpty() && tables.isEmpty()) {
            return new SqlQuery(
                    "elementary_test_results",
                    relation,
                    select + "\nwhere status in ('fail', 'error')\norder by detected_at desc\nlimit "
                            + TEST_RESULT_ROWS,
                    List.of());
        }
        List<String> where = new ArrayList<>();
        List<Object> params = new ArrayList<>();
        if (!tests.isEmpty()) {
            // test.<project>.<test name>.<hash>: the third part is the name dbt prints
            where.add("split_part(test_unique_id, '.', 3) in (" + placeholders(tests.size()) + ")");
            params.addAll(tests);
        }
        if (!tables.isEmpty()) {
            where.add("lower(table_name) in (" + placeholders(tables.size()) + ")");
            params.addAll(tables);
        }
        return new SqlQuery(
                "elementary_test_results",
                relation,
                select + "\nwhere status <> 'pass' and (" + String.join(" or ", where) + ")\norder by detected_at desc"
                        + "\nlimit " + TEST_RESULT_ROWS,
                params);
    }

    SqlQuery models(List<String> names) {
        String relation = schema + ".dbt_models";
        return new SqlQuery(
                "dbt_models",
                relation,
                "select unique_id, name, alias, schema_name, materialization, depends_on_nodes, original_path\nfrom "
                        + relation + "\nwhere name in (" + placeholders(names.size()) + ")\nlimit " + MODEL_ROWS,
                new ArrayList<>(names));
    }

    /** Model names the run and test results point at, to look up in {@code dbt_models}. */
    static List<String> modelsIn(List<Map<String, Object>> runResults, List<Map<String, Object>> testResults) {
        Set<String> names = new LinkedHashSet<>();
        for (Map<String, Object> row : runResults) {
            if (text(row, "resource_type").orElse("").equals("model")
                    || text(row, "unique_id").orElse("").startsWith("model.")) {
                text(row, "name").ifPresent(names::add);
            }
        }
        for (Map<String, Object> row : testResults) {
            text(row, "model_unique_id").map(ElementaryTables::lastPart).ifPresent(names::add);
        }
        return List.copyOf(names);
    }

    static void digestRunResults(List<Map<String, Object>> rows, Digest digest) {
        for (Map<String, Object> row : rows) {
            String id = text(row, "unique_id").or(() -> text(row, "name")).orElse("?");
            String status = text(row, "status").orElse("?");
            Optional<String> failures = text(row, "failures").filter(f -> !f.equals("0"));
            digest.line("dbt_run_results: " + id + " " + status
                    + failures.map(f -> " failures=" + f).orElse("")
                    + text(row, "message").map(m -> " " + Digest.quote(m)).orElse("")
                    + text(row, "execute_started_at").map(t -> " at " + t).orElse(""));
            boolean isTest =
                    text(row, "resource_type").map(t -> t.equals("test")).orElse(id.startsWith("test."));
            if (isTest) {
                digest.fact("dbt.test", text(row, "name"));
                digest.fact("dbt.test.status", status);
                digest.fact("dbt.test.failures", text(row, "failures"));
                digest.fact("dbt.test.message", text(row, "message"));
            } else {
                digest.fact("dbt.model", text(row, "name"));
                digest.fact("dbt.run.unique_id", id);
                digest.fact("dbt.run.status", status);
                digest.fact("dbt.run.message", text(row, "message"));
                digest.fact("dbt.run.started_at", text(row, "execute_started_at"));
                digest.fact("dbt.run.invocation_id", text(row, "invocation_id"));
                digest.fact("dbt.run.compiled_code", text(row, "compiled_code"));
                digest.fact("dbt.model.materialization", text(row, "materialization"));
            }
        }
    }

    static void digestTestResults(List<Map<String, Object>> rows, Digest digest) {
        for (Map<String, Object> row : rows) {
            String id = text(row, "test_unique_id").orElse("?");
            Optional<String> table = text(row, "table_name");
            Optional<String> column = text(row, "column_name");
            String on = table.map(t -> " on " + t + column.map(c -> "." + c).orElse(""))
                    .orElse("");
            digest.line(
                    "elementary_test_results: " + id + " " + text(row, "status").orElse("?")
                            + text(row, "failures").map(f -> " failures=" + f).orElse("")
                            + on
                            + text(row, "test_results_description")
                                    .map(d -> " " + Digest.quote(d))
                                    .orElse("")
                            + text(row, "detected_at").map(t -> " at " + t).orElse(""));
            digest.fact("dbt.test", id.startsWith("test.") ? testName(id) : id);
            digest.fact("dbt.test.unique_id", id);
            digest.fact("dbt.test.status", text(row, "status"));
            digest.fact("dbt.test.failures", text(row, "failures"));
            digest.fact("dbt.test.type", text(row, "test_type"));
            digest.fact("dbt.test.sub_type", text(row, "test_sub_type"));
            digest.fact("dbt.test.table", table);
            digest.fact("dbt.test.column", column);
            digest.fact("dbt.test.description", text(row, "test_results_description"));
            digest.fact("dbt.test.detected_at", text(row, "detected_at"));
            digest.fact("dbt.test.model_unique_id", text(row, "model_unique_id"));
        }
    }

    static void digestModels(List<Map<String, Object>> rows, Digest digest) {
        for (Map<String, Object> row : rows) {
            digest.line("dbt_models: "
                    + text(row, "unique_id").or(() -> text(row, "name")).orElse("?")
                    + text(row, "materialization")
                            .map(m -> " materialized=" + m)
                            .orElse("")
                    + text(row, "schema_name").map(s -> " schema=" + s).orElse("")
                    + text(row, "original_path").map(p -> " path=" + p).orElse("")
                    + text(row, "depends_on_nodes")
                            .map(d -> " depends_on=" + Digest.cut(d, 300))
                            .orElse(""));
            digest.fact("dbt.model", text(row, "name"));
            digest.fact("dbt.model.unique_id", text(row, "unique_id"));
            digest.fact("dbt.model.alias", text(row, "alias"));
            digest.fact("dbt.model.materialization", text(row, "materialization"));
            digest.fact("dbt.model.schema", text(row, "schema_name"));
            digest.fact("dbt.model.path", text(row, "original_path"));
            digest.fact("dbt.model.depends_on", text(row, "depends_on_nodes").map(ElementaryTables::commaList));
        }
    }

    /** Table names a model writes to: its name and alias, lower case as Redshift stores them. */
    static List<String> tablesOf(List<String> modelNames, List<Map<String, Object>> models) {
        Set<String> tables = new LinkedHashSet<>(lower(modelNames));
        for (Map<String, Object> row : models) {
            text(row, "alias").map(a -> a.toLowerCase(Locale.ROOT)).ifPresent(tables::add);
        }
        return List.copyOf(tables).subList(0, Math.min(tables.size(), DbtMentions.MAX_NAMES));
    }

    /**
     * Elementary stores lists as JSON text ({@code ["model.shop.a", "model.shop.b"]}); the facts say them as the
     * artifacts source does, {@code model.shop.a,model.shop.b}. Anything else is kept as it is.
     */
    static String commaList(String json) {
        try {
            JsonNode array = ArtifactJson.MAPPER.readTree(json);
            return array.isArray() ? String.join(",", ArtifactJson.strings(array)) : json;
        } catch (JsonProcessingException e) {
            return json;
        }
    }

    private static List<String> lower(List<String> names) {
        return names.stream().map(n -> n.toLowerCase(Locale.ROOT)).distinct().toList();
    }

    private static String lastPart(String uniqueId) {
        return uniqueId.substring(uniqueId.lastIndexOf('.') + 1);
    }

    /** {@code test.shop.not_null_orders_customer_id.a1b2c3} → {@code not_null_orders_customer_id}. */
    private static String testName(String uniqueId) {
        String[] parts = uniqueId.split("\\.");
        return parts.length >= 3 ? parts[2] : uniqueId;
    }
}
