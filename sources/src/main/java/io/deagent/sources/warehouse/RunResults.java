package io.deagent.sources.warehouse;

import static io.deagent.sources.warehouse.ArtifactJson.text;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.deagent.core.investigate.Budget;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a {@code run_results.json} (schema v6, formats.md 5.1) says about the results that did not pass: the
 * metadata, a count per status, and up to {@link #MAX_FAILED} failed results in file order. Results that passed
 * are counted and dropped as the parser goes.
 */
record RunResults(
        Optional<String> schemaVersion,
        Optional<String> dbtVersion,
        Optional<String> generatedAt,
        Optional<String> invocationId,
        int total,
        Map<String, Integer> statusCounts,
        List<Result> failed) {

    static final int MAX_FAILED = 50;
    /** Models: error, partial success (microbatch); tests: error, fail; source freshness: error, runtime error. */
    static final Set<String> FAILED = Set.of("error", "fail", "runtime error", "partial success");

    private static final int MAX_COMPILED_CHARS = 2000;

    /** One failed result. {@code failures} is the failing row count of a test; null for errors. */
    record Result(
            String uniqueId,
            String status,
            Optional<String> message,
            Optional<Long> failures,
            Optional<String> startedAt,
            Optional<Double> executionTime,
            Optional<String> relationName,
            Optional<String> compiledCode,
            Optional<String> adapterResponse) {

        static Result of(JsonNode r) {
            Optional<String> started = Optional.empty();
            for (JsonNode timing : r.path("timing")) {
                if (timing.path("name").asText().equals("execute")) {
                    started = text(timing, "started_at");
                }
            }
            JsonNode failures = r.path("failures");
            JsonNode time = r.path("execution_time");
            JsonNode adapter = r.path("adapter_response");
            return new Result(
                    r.path("unique_id").asText("?"),
                    r.path("status").asText("?"),
                    text(r, "message"),
                    failures.isNumber() ? Optional.of(failures.asLong()) : Optional.empty(),
                    started,
                    time.isNumber() ? Optional.of(time.asDouble()) : Optional.empty(),
                    text(r, "relation_name"),
                    text(r, "compiled_code").map(c -> Digest.cut(c, MAX_COMPILED_CHARS)),
                    adapter.isObject() && !adapter.isEmpty() ? Optional.of(adapter.toString()) : Optional.empty());
        }

        String kind() {
            int dot = uniqueId.indexOf('.');
            return dot < 0 ? uniqueId : uniqueId.substring(0, dot);
        }

        /** {@code model.shop.stg_orders} → {@code stg_orders}; tests drop their hash suffix. */
        String name() {
            String[] parts = uniqueId.split("\\.");
            return parts.length >= 3 ? parts[2] : uniqueId;
        }
    }

    static RunResults read(Path file, Budget budget) throws IOException {
        Optional<JsonNode> metadata = Optional.empty();
        Map<String, Integer> counts = new TreeMap<>();
        List<Result> failed = new ArrayList<>();
        int total = 0;
        try (JsonParser parser = ArtifactJson.open(file)) {
            ArtifactJson.expectObject(parser, file);
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (field.equals("metadata") && value == JsonToken.START_OBJECT) {
                    metadata = Optional.of(ArtifactJson.tree(parser));
                } else if (field.equals("results") && value == JsonToken.START_ARRAY) {
                    while (parser.nextToken() == JsonToken.START_OBJECT) {
                        ArtifactJson.checkDeadline(budget, file, parser);
                        JsonNode r = ArtifactJson.tree(parser); // one result at a time
                        total++;
                        String status = r.path("status").asText("?");
                        counts.merge(status, 1, Integer::sum);
                        if (FAILED.contains(status) && failed.size() < MAX_FAILED) {
                            failed.add(Result.of(r));
                        }
                    }
                } else {
                    parser.skipChildren();
                }
            }
        }
        JsonNode meta = metadata.orElse(ArtifactJson.MAPPER.createObjectNode());
        return new RunResults(
                text(meta, "dbt_schema_version"),
                text(meta, "dbt_version"),
                text(meta, "generated_at"),
                text(meta, "invocation_id"),
                total,
                Collections.unmodifiableMap(counts),
                List.copyOf(failed));
    }

    int failedCount() {
        return FAILED.stream().mapToInt(s -> statusCounts.getOrDefault(s, 0)).sum();
    }
}
