package io.deagent.sources.warehouse;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.deagent.core.FailureEvent;
import io.deagent.core.investigate.Budget;
import io.deagent.core.investigate.DiagnosticSource;
import io.deagent.core.investigate.Evidence;
import io.deagent.core.investigate.Evidence.Status;
import io.deagent.sources.Probe;
import io.deagent.sources.SourceException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The dbt artifacts of the last invocation in {@code DBT_TARGET_PATH}: the failed and errored results of {@code
 * run_results.json}, each with its node's file path, materialization, columns, parents and children from {@code
 * manifest.json}. Both files are streamed ({@link RunResults}, {@link Manifest}); only failed results and their
 * nodes are kept.
 *
 * <p>Applies to events that look like dbt ({@link DbtMentions#looksLikeDbt}). The artifacts may be older than the
 * failure (another invocation ran since): their {@code generated_at} and {@code invocation_id} are in the facts
 * for the reader to compare; results the event names are listed first. A missing {@code run_results.json} is
 * NO_DATA; a malformed one is ERROR with the line and column; a missing or malformed manifest only loses the node
 * details ({@code dbt_artifacts.manifest}).
 */
public final class DbtArtifactsSource implements DiagnosticSource, Probe {

    public static final String ID = "dbt_artifacts";
    /** Files larger than this are not read at all: 1 GiB is ten times the largest manifests seen in the wild. */
    public static final long DEFAULT_MAX_FILE_BYTES = 1L << 30;

    private final Path target;
    private final long maxFileBytes;
    private final Clock clock;

    public DbtArtifactsSource(Path target) {
        this(target, DEFAULT_MAX_FILE_BYTES, Clock.systemUTC());
    }

    public DbtArtifactsSource(Path target, long maxFileBytes, Clock clock) {
        this.target = target;
        this.maxFileBytes = maxFileBytes;
        this.clock = clock;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public boolean appliesTo(FailureEvent event) {
        return DbtMentions.looksLikeDbt(event);
    }

    @Override
    public Evidence collect(FailureEvent event, Budget budget) {
        Instant start = clock.instant();
        Path runResultsFile = target.resolve("run_results.json");
        Path manifestFile = target.resolve("manifest.json");
        List<String> asked = new ArrayList<>(List.of("read " + runResultsFile));
        RunResults results;
        try {
            Optional<String> unreadable = unreadable(runResultsFile);
            if (unreadable.isPresent()) {
                return failed(Status.NO_DATA, unreadable.get(), asked, start);
            }
            results = RunResults.read(runResultsFile, budget);
        } catch (JsonProcessingException e) {
            return failed(Status.ERROR, ArtifactJson.malformed(runResultsFile, e), asked, start);
        } catch (ArtifactJson.NotAnArtifact e) {
            return failed(Status.ERROR, e.getMessage(), asked, start);
        } catch (IOException e) {
            return failed(Status.ERROR, runResultsFile + ": cannot read: " + e.getMessage(), asked, start);
        } catch (SourceException.TimedOut e) {
            return failed(Status.TIMED_OUT, e.getMessage(), asked, start);
        } catch (SourceException.Unavailable e) {
            return failed(Status.ERROR, e.getMessage(), asked, start);
        }

        Digest digest = new Digest();
        digest.fact("dbt.artifacts.generated_at", results.generatedAt());
        digest.fact("dbt.artifacts.invocation_id", results.invocationId());
        digest.fact("dbt.artifacts.dbt_version", results.dbtVersion());
        digest.fact("dbt.artifacts.schema_version", results.schemaVersion());
        digest.setFact("dbt.results.total", results.total());
        digest.setFact("dbt.results.failed", results.failedCount());
        results.statusCounts().forEach((status, n) -> digest.setFact("dbt.results.status." + status, n));
        if (results.failed().isEmpty()) {
            return new Evidence(
                    ID,
                    Status.NO_DATA,
                    Optional.empty(),
                    Collections.unmodifiableMap(digest.facts()),
                    Optional.of(String.join("\n", asked)),
                    Optional.of(runResultsFile + " (generated "
                            + results.generatedAt().orElse("?") + ", " + results.total() + " results): none failed"),
                    elapsed(start),
                    Optional.empty());
        }

        List<RunResults.Result> failed = namedFirst(results.failed(), DbtMentions.in(event));
        Manifest manifest = manifest(manifestFile, failed, budget, digest, asked);
        for (RunResults.Result r : failed) {
            Optional<Manifest.Node> node = Optional.ofNullable(manifest.nodes().get(r.uniqueId()));
            digest.line(line(r, node));
            facts(r, node, manifest.children().getOrDefault(r.uniqueId(), List.of()), digest);
        }
        String text = digest.text(budget.maxBytes(), ID + ".truncated");
        return new Evidence(
                ID,
                Status.OK,
                Optional.of(text),
                Collections.unmodifiableMap(digest.facts()),
                Optional.of(String.join("\n", asked)),
                Optional.empty(),
                elapsed(start),
                Optional.empty());
    }

    private Manifest manifest(
            Path file, List<RunResults.Result> failed, Budget budget, Digest digest, List<String> asked) {
        Manifest none = new Manifest(Optional.empty(), Optional.empty(), Optional.empty(), Map.of(), Map.of());
        Set<String> wanted = new LinkedHashSet<>();
        failed.forEach(r -> wanted.add(r.uniqueId()));
        asked.add("read " + file + " nodes " + wanted);
        try {
            Optional<String> unreadable = unreadable(file);
            if (unreadable.isPresent()) {
                digest.setFact(ID + ".manifest", unreadable.get());
                return none;
            }
            Manifest manifest = Manifest.read(file, wanted, budget);
            digest.fact("dbt.project", manifest.projectName());
            digest.fact("dbt.adapter", manifest.adapterType());
            digest.setFact(ID + ".manifest", "read " + manifest.nodes().size() + " of " + wanted.size() + " nodes");
            return manifest;
        } catch (JsonProcessingException e) {
            digest.setFact(ID + ".manifest", ArtifactJson.malformed(file, e));
        } catch (ArtifactJson.NotAnArtifact e) {
            digest.setFact(ID + ".manifest", e.getMessage());
        } catch (IOException | SourceException e) {
            digest.setFact(ID + ".manifest", file + ": " + e.getMessage());
        }
        return none;
    }

    /** Why a file cannot be read, or empty when it can (present, a file, within the byte cap). */
    private Optional<String> unreadable(Path file) throws IOException {
        if (!Files.exists(file)) {
            return Optional.of("no " + file.getFileName() + " in " + target + " (" + WarehouseSettings.DBT_TARGET_PATH
                    + "): dbt writes it at the end of every invocation");
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            return Optional.of(file + " is not a readable file");
        }
        long size = Files.size(file);
        if (size > maxFileBytes) {
            return Optional.of(file + " is " + size + " bytes, over the cap of " + maxFileBytes + " bytes");
        }
        return Optional.empty();
    }

    /** Results whose model or test the event names come first; the rest keep run order. */
    private static List<RunResults.Result> namedFirst(List<RunResults.Result> failed, DbtMentions mentions) {
        Set<String> names = new LinkedHashSet<>(mentions.names());
        Set<String> ids = new LinkedHashSet<>(mentions.uniqueIds());
        List<RunResults.Result> ordered = new ArrayList<>(failed);
        ordered.sort(Comparator.comparing(r -> !(names.contains(r.name()) || ids.contains(r.uniqueId()))));
        return ordered;
    }

    /** {@code run_results: model.shop.stg_orders error "Database Error …" path=models/… materialized=incremental}. */
    private static String line(RunResults.Result r, Optional<Manifest.Node> node) {
        return "run_results: " + r.uniqueId() + " " + r.status()
                + r.failures().filter(f -> f != 0).map(f -> " failures=" + f).orElse("")
                + r.message().map(m -> " " + Digest.quote(m)).orElse("")
                + node.flatMap(Manifest.Node::originalFilePath)
                        .map(p -> " path=" + p)
                        .orElse("")
                + node.flatMap(Manifest.Node::materialized)
                        .map(m -> " materialized=" + m)
                        .orElse("")
                + r.startedAt().map(t -> " at " + t).orElse("");
    }

    private static void facts(RunResults.Result r, Optional<Manifest.Node> node, List<String> children, Digest digest) {
        boolean test = r.kind().equals("test") || r.kind().equals("unit_test");
        String prefix = test ? "dbt.test" : "dbt.model";
        if (test) {
            digest.fact("dbt.test", r.name());
            digest.fact("dbt.test.unique_id", r.uniqueId());
            digest.fact("dbt.test.status", r.status());
            digest.fact("dbt.test.failures", r.failures().map(String::valueOf));
            digest.fact("dbt.test.message", r.message());
            node.ifPresent(n -> {
                digest.fact("dbt.test.kind", n.testName());
                digest.fact("dbt.test.column", n.columnName());
                digest.fact("dbt.test.model_unique_id", n.attachedNode().or(() -> n.dependsOn().stream()
                        .filter(d -> d.startsWith("model."))
                        .findFirst()));
            });
        } else {
            digest.fact("dbt.model", r.name());
            digest.fact("dbt.run.unique_id", r.uniqueId());
            digest.fact("dbt.run.status", r.status());
            digest.fact("dbt.run.message", r.message());
            digest.fact("dbt.run.started_at", r.startedAt());
            digest.fact("dbt.run.compiled_code", r.compiledCode());
            digest.fact("dbt.run.relation", r.relationName());
            digest.fact("dbt.run.adapter_response", r.adapterResponse());
        }
        node.ifPresent(n -> {
            digest.fact(prefix + ".path", n.originalFilePath());
            digest.fact(prefix + ".resource_type", n.resourceType());
            if (!test) {
                digest.fact("dbt.model.materialization", n.materialized());
                digest.fact("dbt.model.columns", String.join(",", n.columns()));
                digest.fact("dbt.model.depends_on", String.join(",", n.dependsOn()));
            }
        });
        if (!children.isEmpty()) {
            digest.fact(prefix + ".downstream", String.join(",", children));
        }
    }

    private Evidence failed(Status status, String error, List<String> asked, Instant start) {
        return new Evidence(
                ID,
                status,
                Optional.empty(),
                Map.of(),
                Optional.of(String.join("\n", asked)),
                Optional.of(error),
                elapsed(start),
                Optional.empty());
    }

    private Duration elapsed(Instant start) {
        return Duration.between(start, clock.instant());
    }

    @Override
    public Result probe(Duration timeout) {
        try {
            Path runResults = target.resolve("run_results.json");
            if (!Files.isDirectory(target)) {
                return new Result(false, ID, WarehouseSettings.DBT_TARGET_PATH + " " + target + " is not a directory");
            }
            Optional<String> unreadable = unreadable(runResults);
            if (unreadable.isPresent()) {
                return new Result(false, ID, unreadable.get());
            }
            Path manifest = target.resolve("manifest.json");
            String manifestNote = Files.isRegularFile(manifest)
                    ? ", manifest.json " + Files.size(manifest) + " bytes"
                    : ", no manifest.json (node paths and materializations will be missing)";
            return new Result(
                    true, ID, target + ": run_results.json " + Files.size(runResults) + " bytes" + manifestNote);
        } catch (IOException e) {
            return new Result(false, ID, target + ": " + e.getMessage());
        }
    }
}
