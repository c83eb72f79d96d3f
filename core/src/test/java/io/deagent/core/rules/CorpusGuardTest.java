package io.deagent.core.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deagent.core.Diagnosis;
import io.deagent.core.LogDiagnoser;
import io.deagent.core.Taxonomy;
import io.deagent.core.TestPaths;
import io.deagent.core.log.LogDocument;
import io.deagent.core.log.LogReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Guards over the checked-in corpus: labels are taxonomy labels, entity values are verbatim, every rule has
 * a fixture it matches and one it does not, and the catalog keeps its accuracy.
 */
class CorpusGuardTest {

    record Case(
            String id,
            Path log,
            String category,
            String fixClass,
            Map<String, String> entities,
            boolean hard,
            List<Fact> facts) {}

    private static final List<Case> CASES = new ArrayList<>();
    private static final Map<String, LogDocument> DOCS = new HashMap<>();

    @BeforeAll
    static void load() throws IOException {
        Path corpus = TestPaths.corpus();
        assumeTrue(Files.isDirectory(corpus), "corpus/ not found");
        ObjectMapper json = new ObjectMapper();
        List<Path> files;
        try (Stream<Path> s = Files.list(corpus)) {
            files = s.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList();
        }
        for (Path f : files) {
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n = json.readTree(line);
                Map<String, String> entities = new TreeMap<>();
                n.path("entities")
                        .properties()
                        .forEach(e -> entities.put(e.getKey(), e.getValue().asText()));
                List<Fact> facts = new ArrayList<>();
                n.path("facts")
                        .properties()
                        .forEach(e -> facts.add(
                                new Fact("fixture", e.getKey(), e.getValue().asText())));
                CASES.add(new Case(
                        n.get("id").asText(),
                        corpus.resolve(n.get("log").asText()),
                        n.get("category").asText(),
                        n.get("fix_class").asText(),
                        entities,
                        n.path("hard").asBoolean(),
                        List.copyOf(facts)));
            }
        }
        LogReader reader = new LogReader();
        for (Case c : CASES) {
            DOCS.put(c.id(), reader.read(c.log()));
        }
    }

    @Test
    void theCorpusIsLargeAndCoversEveryCategory() {
        assertThat(CASES).hasSizeGreaterThanOrEqualTo(150);
        Set<String> ids = new HashSet<>();
        CASES.forEach(
                c -> assertThat(ids.add(c.id())).as("duplicate id " + c.id()).isTrue());
        Set<String> categories = new HashSet<>();
        CASES.forEach(c -> categories.add(c.category()));
        assertThat(categories).containsAll(Taxonomy.CATEGORIES.keySet());
        assertThat(CASES.stream().filter(Case::hard).count()).isGreaterThanOrEqualTo(30);
    }

    @Test
    void labelsAreTaxonomyLabelsAndEntitiesAreVerbatim() throws IOException {
        for (Case c : CASES) {
            assertThat(Taxonomy.isCategory(c.category())).as(c.id()).isTrue();
            assertThat(Taxonomy.isFixClass(c.fixClass())).as(c.id()).isTrue();
            String text = new String(Files.readAllBytes(c.log()), StandardCharsets.UTF_8);
            c.entities().forEach((k, v) -> {
                // the taxonomy's keys must be used for their things; more snake_case keys are fine
                assertThat(k).as(c.id() + " key").matches("[a-z][a-z0-9_]*");
                assertThat(text).as(c.id() + " entity " + k).contains(v);
            });
        }
    }

    @Test
    void everyRuleHasAMatchingAndANonMatchingFixture() {
        Classifier classifier = new Classifier(RuleCatalog.builtIn());
        Map<String, Integer> matching = new HashMap<>();
        Map<String, Integer> notMatching = new HashMap<>();
        for (Case c : CASES) {
            Set<String> fired = new HashSet<>();
            classifier
                    .hits(DOCS.get(c.id()), c.facts())
                    .forEach(h -> fired.add(h.rule().rule().id()));
            for (RuleCatalog.LoadedRule r : RuleCatalog.builtIn().rules()) {
                String id = r.rule().id();
                if (fired.contains(id) && r.rule().category().equals(c.category())) {
                    matching.merge(id, 1, Integer::sum);
                } else if (!fired.contains(id)) {
                    notMatching.merge(id, 1, Integer::sum);
                }
            }
        }
        List<String> noMatch = new ArrayList<>();
        List<String> noMiss = new ArrayList<>();
        for (RuleCatalog.LoadedRule r : RuleCatalog.builtIn().rules()) {
            if (!matching.containsKey(r.rule().id())) {
                noMatch.add(r.rule().id());
            }
            if (!notMatching.containsKey(r.rule().id())) {
                noMiss.add(r.rule().id());
            }
        }
        assertThat(noMatch)
                .as("rules with no fixture of their category that they match")
                .isEmpty();
        assertThat(noMiss).as("rules that match every fixture").isEmpty();
    }

    @Test
    void prefiltersNeverHideAMatch() {
        // a prefilter may only skip lines the regex cannot match: checked on every kept line of the corpus
        List<String> unsound = new ArrayList<>();
        for (RuleCatalog.LoadedRule r : RuleCatalog.builtIn().rules()) {
            for (RuleCatalog.CompiledMatcher m : r.any()) {
                if (m.line() == null) {
                    continue;
                }
                for (LogDocument doc : DOCS.values()) {
                    for (var line : doc.lines()) {
                        String text = line.message();
                        if (m.line().matcher(text).find()
                                && !m.mayMatch(text, text.toLowerCase(java.util.Locale.ROOT))) {
                            unsound.add(r.rule().id() + ": " + m.line().pattern());
                        }
                    }
                }
            }
        }
        assertThat(unsound).isEmpty();
    }

    @Test
    void categoryAccuracyOnTheCorpusIsAtLeastNinetyPercent() {
        LogDiagnoser diagnoser = LogDiagnoser.builtIn();
        int correct = 0;
        List<String> misses = new ArrayList<>();
        for (Case c : CASES) {
            Diagnosis d = diagnoser.diagnose(DOCS.get(c.id()), Optional.empty(), List.of(), c.facts());
            assertThat(d.confidence()).isBetween(0.0, 1.0);
            assertThat(Taxonomy.isFixClass(d.fix().fixClass())
                            || d.fix().fixClass().equals("gather_more_evidence"))
                    .isTrue();
            if (d.category().equals(c.category())) {
                correct++;
            } else {
                misses.add(c.id() + ": " + c.category() + " → " + d.category());
            }
        }
        double accuracy = (double) correct / CASES.size();
        assertThat(accuracy).as("misses: %s", misses).isGreaterThanOrEqualTo(0.90);
    }
}
