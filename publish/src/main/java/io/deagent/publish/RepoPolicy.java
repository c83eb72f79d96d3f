package io.deagent.publish;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A repository's own consent to automatic fixes: the file {@code .de-agent.yml} at its root, committed by the
 * people who own it. Without it nothing is proposed there. It can narrow the fixes to DAGs by tag, owner or
 * id, ask for dry runs only, and map runtime paths:
 *
 * <pre>
 * remediation:
 *   mode: pull-request          # off | dry-run | pull-request
 *   dags:                       # optional; a DAG matching any entry qualifies
 *     tags: [autofix]
 *     owners: [data-platform]
 *     ids: [daily_orders]
 *   paths:                      # optional runtime prefix → repository folder
 *     /opt/airflow/dags/: dags/
 *   labels: [spark]
 * </pre>
 */
public record RepoPolicy(
        PublishSettings.Mode mode,
        Set<String> tags,
        Set<String> owners,
        Set<String> dagIds,
        List<RepoPaths.Mapping> paths,
        List<String> labels) {

    public static final List<String> FILE_NAMES = List.of(".de-agent.yml", ".de-agent.yaml");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    public RepoPolicy {
        tags = Set.copyOf(tags);
        owners = Set.copyOf(owners);
        dagIds = Set.copyOf(dagIds);
        paths = List.copyOf(paths);
        labels = List.copyOf(labels);
    }

    /** The policy committed in the checkout, or empty when the repository has not opted in. */
    public static Optional<RepoPolicy> read(Path checkout) {
        for (String name : FILE_NAMES) {
            Path file = checkout.resolve(name);
            if (Files.isRegularFile(file)) {
                try {
                    return Optional.of(parse(Files.readString(file), name));
                } catch (IOException e) {
                    throw new IllegalArgumentException("cannot read " + name + ": " + e.getMessage(), e);
                }
            }
        }
        return Optional.empty();
    }

    static RepoPolicy parse(String yaml, String name) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    name + " in the repository is not valid YAML: " + firstLine(e.getMessage()), e);
        }
        JsonNode r = root == null ? null : root.get("remediation");
        if (r == null || !r.isObject()) {
            throw new IllegalArgumentException(name + " in the repository has no 'remediation:' section");
        }
        PublishSettings.Mode mode = PublishSettings.Mode.parse(r.path("mode").asText("pull-request"));
        JsonNode dags = r.path("dags");
        List<RepoPaths.Mapping> paths = new ArrayList<>();
        r.path("paths")
                .properties()
                .forEach(e ->
                        paths.add(new RepoPaths.Mapping(e.getKey(), e.getValue().asText())));
        return new RepoPolicy(
                mode,
                strings(dags.path("tags")),
                strings(dags.path("owners")),
                strings(dags.path("ids")),
                paths,
                List.copyOf(strings(r.path("labels"))));
    }

    /** Whether this DAG qualifies; empty when it does, else why not. */
    public Optional<String> refuses(String dagId, Optional<String> owner, List<String> dagTags) {
        if (tags.isEmpty() && owners.isEmpty() && dagIds.isEmpty()) {
            return Optional.empty();
        }
        if (dagIds.contains(dagId.toLowerCase(Locale.ROOT))) {
            return Optional.empty();
        }
        if (owner.isPresent()) {
            for (String o : owner.get().split(",")) {
                if (owners.contains(o.trim().toLowerCase(Locale.ROOT))) {
                    return Optional.empty();
                }
            }
        }
        for (String t : dagTags) {
            if (tags.contains(t.trim().toLowerCase(Locale.ROOT))) {
                return Optional.empty();
            }
        }
        return Optional.of("DAG " + dagId + " is not among the DAGs .de-agent.yml opts in (tags " + tags + ", owners "
                + owners + ", ids " + dagIds + ")");
    }

    private static Set<String> strings(JsonNode node) {
        Set<String> out = new TreeSet<>();
        if (node.isArray()) {
            node.forEach(n -> out.add(n.asText().trim().toLowerCase(Locale.ROOT)));
        } else if (node.isTextual()) {
            for (String s : node.asText().split(",")) {
                if (!s.isBlank()) {
                    out.add(s.trim().toLowerCase(Locale.ROOT));
                }
            }
        }
        return out;
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }
}
