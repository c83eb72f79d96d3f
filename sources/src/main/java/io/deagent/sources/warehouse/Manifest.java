package io.deagent.sources.warehouse;

import static io.deagent.sources.warehouse.ArtifactJson.strings;
import static io.deagent.sources.warehouse.ArtifactJson.text;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.deagent.core.investigate.Budget;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The few nodes of a {@code manifest.json} (schema v12, formats.md 5.2) that a diagnosis needs: the ones named
 * in {@code wanted}, from {@code nodes}, {@code sources} and {@code unit_tests}, and their children from {@code
 * child_map}. Every other node is skipped by the parser without being built, so memory is bounded by the nodes
 * kept whatever the manifest's size.
 */
record Manifest(
        Optional<String> projectName,
        Optional<String> dbtVersion,
        Optional<String> adapterType,
        Map<String, Node> nodes,
        Map<String, List<String>> children) {

    private static final Set<String> NODE_SECTIONS = Set.of("nodes", "sources", "unit_tests");
    private static final int MAX_COLUMNS = 200;
    private static final int DEADLINE_CHECK_EVERY = 256;

    /** What a node says about itself; {@code columns} are the documented column names. */
    record Node(
            String uniqueId,
            String name,
            String resourceType,
            Optional<String> originalFilePath,
            Optional<String> materialized,
            List<String> dependsOn,
            List<String> columns,
            Optional<String> attachedNode,
            Optional<String> columnName,
            Optional<String> testName,
            Optional<String> relationName) {

        static Node of(String uniqueId, JsonNode n) {
            List<String> columns = new ArrayList<>();
            n.path("columns").fieldNames().forEachRemaining(c -> {
                if (columns.size() < MAX_COLUMNS) {
                    columns.add(c);
                }
            });
            return new Node(
                    uniqueId,
                    n.path("name").asText(uniqueId),
                    n.path("resource_type").asText("?"),
                    text(n, "original_file_path"),
                    text(n.path("config"), "materialized"),
                    List.copyOf(strings(n.path("depends_on").path("nodes"))),
                    List.copyOf(columns),
                    text(n, "attached_node"),
                    text(n, "column_name"),
                    text(n.path("test_metadata"), "name"),
                    text(n, "relation_name"));
        }
    }

    static Manifest read(Path file, Set<String> wanted, Budget budget) throws IOException {
        Optional<JsonNode> metadata = Optional.empty();
        Map<String, Node> nodes = new LinkedHashMap<>();
        Map<String, List<String>> children = new LinkedHashMap<>();
        try (JsonParser parser = ArtifactJson.open(file)) {
            ArtifactJson.expectObject(parser, file);
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (value != JsonToken.START_OBJECT) {
                    parser.skipChildren();
                } else if (field.equals("metadata")) {
                    metadata = Optional.of(ArtifactJson.tree(parser));
                } else if (NODE_SECTIONS.contains(field)) {
                    readWanted(parser, file, wanted, budget, (id, tree) -> nodes.put(id, Node.of(id, tree)));
                } else if (field.equals("child_map")) {
                    readWanted(
                            parser, file, wanted, budget, (id, tree) -> children.put(id, List.copyOf(strings(tree))));
                } else {
                    parser.skipChildren();
                }
            }
        }
        JsonNode meta = metadata.orElse(ArtifactJson.MAPPER.createObjectNode());
        return new Manifest(
                text(meta, "project_name"),
                text(meta, "dbt_version"),
                text(meta, "adapter_type"),
                Collections.unmodifiableMap(nodes),
                Collections.unmodifiableMap(children));
    }

    private interface Keep {
        void accept(String id, JsonNode tree);
    }

    /** Walks one {@code {id: value, …}} object, building trees only for the wanted ids. */
    private static void readWanted(JsonParser parser, Path file, Set<String> wanted, Budget budget, Keep keep)
            throws IOException {
        int seen = 0;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String id = parser.currentName();
            parser.nextToken();
            if (wanted.contains(id)) {
                keep.accept(id, ArtifactJson.tree(parser));
            } else {
                parser.skipChildren();
            }
            if (++seen % DEADLINE_CHECK_EVERY == 0) {
                ArtifactJson.checkDeadline(budget, file, parser);
            }
        }
    }
}
