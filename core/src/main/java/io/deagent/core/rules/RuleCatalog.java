package io.deagent.core.rules;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.deagent.core.Taxonomy;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The rules, loaded from YAML under {@code rules/} (one file per layer) and validated strictly: unknown
 * keys, unknown labels, duplicate ids and bad regexes fail the load with the file and rule named.
 */
public final class RuleCatalog {

    /** The catalog files, in load order. Adding a layer is one YAML file and one name here. */
    public static final List<String> FILES =
            List.of("spark", "python", "sql", "dbt", "airflow", "aws", "kubernetes", "jvm", "network", "generic");

    private static final ObjectMapper YAML =
            new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** One catalog file: its layer and its rules. */
    public record LayerFile(String layer, List<Rule> rules) {}

    /** A rule with the layer it was loaded from and its compiled patterns. */
    public record LoadedRule(
            Rule rule,
            String layer,
            List<CompiledMatcher> any,
            List<CompiledMatcher> all,
            List<CompiledMatcher> none,
            List<CompiledMatcher> confirm) {}

    /** A matcher with its patterns compiled once. */
    public record CompiledMatcher(
            Rule.Matcher source,
            Pattern exception,
            Pattern message,
            Pattern line,
            Optional<Prefilter> prefilter,
            Pattern factValue) {

        /** False when the line cannot match: the regex need not run. */
        boolean mayMatch(String text, String lower) {
            return prefilter.isEmpty() || prefilter.get().mayMatch(text, lower);
        }
    }

    private final List<LoadedRule> rules;

    private RuleCatalog(List<LoadedRule> rules) {
        this.rules = List.copyOf(rules);
    }

    public static RuleCatalog builtIn() {
        return Holder.BUILT_IN;
    }

    private static final class Holder {
        static final RuleCatalog BUILT_IN = loadBuiltIn();
    }

    private static RuleCatalog loadBuiltIn() {
        List<LayerFile> files = new ArrayList<>();
        for (String name : FILES) {
            String resource = "/rules/" + name + ".yaml";
            try (InputStream in = RuleCatalog.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new RuleCatalogException("rule file " + resource + " is missing from the classpath");
                }
                files.add(parse(resource, in));
            } catch (IOException e) {
                throw new RuleCatalogException("cannot read " + resource + ": " + e.getMessage(), e);
            }
        }
        return of(files);
    }

    public static LayerFile parse(String name, InputStream in) {
        try {
            return YAML.readValue(in, LayerFile.class);
        } catch (UnrecognizedPropertyException e) {
            throw new RuleCatalogException(
                    name + ": unknown key '" + e.getPropertyName() + "' at " + e.getPathReference() + " (known: "
                            + e.getKnownPropertyIds() + ")",
                    e);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new RuleCatalogException(name + ": " + e.getOriginalMessage() + " at " + e.getLocation(), e);
        } catch (IOException e) {
            throw new RuleCatalogException(name + ": " + e.getMessage(), e);
        }
    }

    public static RuleCatalog of(List<LayerFile> files) {
        List<LoadedRule> loaded = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (LayerFile file : files) {
            if (file.rules() == null) {
                continue;
            }
            for (Rule r : file.rules()) {
                String where = "rule '" + r.id() + "' (" + file.layer() + ")";
                if (r.id() == null || !ids.add(r.id())) {
                    throw new RuleCatalogException(where + ": missing or duplicate id");
                }
                if (!Taxonomy.isCategory(r.category())) {
                    throw new RuleCatalogException(where + ": unknown category '" + r.category() + "'");
                }
                if (r.fix() == null || !Taxonomy.isFixClass(r.fix().fixClass())) {
                    throw new RuleCatalogException(where + ": unknown fix class '"
                            + (r.fix() == null ? null : r.fix().fixClass()) + "'");
                }
                for (String key : r.entities().keySet()) {
                    if (!Taxonomy.isEntityKey(key)) {
                        throw new RuleCatalogException(where + ": unknown entity key '" + key + "'");
                    }
                }
                if (r.when() == null || r.when().any().isEmpty()) {
                    throw new RuleCatalogException(where + ": 'when.any' needs at least one matcher");
                }
                if (r.title() == null || r.fix().steps().isEmpty()) {
                    throw new RuleCatalogException(where + ": needs a title and fix steps");
                }
                try {
                    r.entities().values().forEach(list -> list.forEach(Pattern::compile));
                    loaded.add(new LoadedRule(
                            r,
                            file.layer(),
                            compile(r.when().any(), where),
                            compile(r.when().all(), where),
                            compile(r.when().none(), where),
                            compile(r.confirm(), where + " confirm")));
                    if (r.confirm().stream().anyMatch(m -> !m.isFact())) {
                        throw new RuleCatalogException(where + ": 'confirm' takes fact matchers only");
                    }
                } catch (PatternSyntaxException e) {
                    throw new RuleCatalogException(where + ": bad regex: " + e.getMessage(), e);
                }
            }
        }
        return new RuleCatalog(loaded);
    }

    private static List<CompiledMatcher> compile(List<Rule.Matcher> matchers, String where) {
        List<CompiledMatcher> out = new ArrayList<>();
        for (Rule.Matcher m : matchers) {
            if (m.exception() == null && m.line() == null && m.sqlstate() == null && m.fact() == null) {
                throw new RuleCatalogException(where + ": a matcher needs 'exception', 'line', 'sqlstate' or 'fact'");
            }
            if (m.isFact() && (m.atLeast() == null) == (m.value() == null)) {
                throw new RuleCatalogException(where + ": a 'fact' matcher needs exactly one of 'at_least' or 'value'");
            }
            if (!Set.of("any", "root", "chain").contains(m.where())) {
                throw new RuleCatalogException(where + ": 'where' must be any, root or chain");
            }
            out.add(new CompiledMatcher(
                    m,
                    m.exceptionPattern(),
                    m.messagePattern(),
                    m.linePattern(),
                    m.line() == null ? Optional.empty() : Prefilter.of(m.line()),
                    m.value() == null ? null : Pattern.compile(m.value())));
        }
        return out;
    }

    public List<LoadedRule> rules() {
        return rules;
    }
}
