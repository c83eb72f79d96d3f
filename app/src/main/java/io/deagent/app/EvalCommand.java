package io.deagent.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deagent.core.Diagnosis;
import io.deagent.core.LogDiagnoser;
import io.deagent.core.Taxonomy;
import io.deagent.core.log.LogReader;
import io.deagent.runtime.Config;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        description = {
            "Score the diagnosis on labelled cases (JSON Lines: id, log, category, fix_class, entities, hard).",
            "\"log\" is the log text, or a path relative to the cases file."
        })
final class EvalCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** A one-word value ending in a file extension is a path, not log text. */
    private static final java.util.regex.Pattern LOOKS_LIKE_PATH =
            java.util.regex.Pattern.compile("[^\\s]+\\.(?:log|txt|out|err|json|jsonl)");

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "CASES.jsonl", description = "one or more case files")
    List<Path> files;

    @Option(
            names = {"-v", "--verbose"},
            description = "list every case that was diagnosed wrong")
    boolean verbose;

    @Option(names = "--fail-under", paramLabel = "PERCENT", description = "exit 1 when category accuracy is lower")
    Double failUnder;

    @Option(
            names = "--llm",
            description = "score the LLM path (the configured DE_AGENT_LLM on top of the rules): accuracy, tokens,"
                    + " cost and latency per case; needs a provider key")
    boolean llm;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML settings for --llm (default ./de-agent.yaml)")
    Path config;

    /** What the LLM path did on one case. */
    record LlmOutcome(
            String id,
            String expected,
            String rules,
            String got,
            String explainedBy,
            int tokensIn,
            int tokensOut,
            double costUsd,
            long latencyMs,
            String fallback) {}

    private io.deagent.core.investigate.Explainer explainer;
    private final List<LlmOutcome> llmOutcomes = new ArrayList<>();

    /** One labelled case and what the diagnosis said. */
    record Outcome(
            String id,
            String expected,
            String got,
            String expectedFix,
            String gotFix,
            boolean hard,
            int entitiesExpected,
            int entitiesFound,
            String rule,
            List<String> entityMisses) {
        boolean correct() {
            return expected.equals(got);
        }
    }

    @Override
    public Integer call() throws IOException {
        if (llm) {
            Config cfg = Config.load(java.util.Optional.ofNullable(config));
            java.util.Optional<io.deagent.llm.LlmSettings> settings;
            try {
                settings = io.deagent.llm.LlmSettings.from(cfg::get);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
            explainer = settings.<io.deagent.core.investigate.Explainer>map(
                            st -> new io.deagent.llm.LlmExplainer(st, io.deagent.llm.ExplanationCache.NONE))
                    .orElseThrow(() -> new UsageException("eval --llm needs an LLM: set GEMINI_API_KEY, or DE_AGENT_LLM"
                            + " with its key (see the README)"));
        }
        List<Outcome> outcomes = new ArrayList<>();
        LogDiagnoser diagnoser = LogDiagnoser.builtIn();
        LogReader reader = new LogReader();
        for (Path f : files) {
            if (!Files.isRegularFile(f)) {
                throw new UsageException("no such cases file: " + f + " (check the path)");
            }
            int lineNo = 0;
            try (BufferedReader in = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                String line;
                while ((line = in.readLine()) != null) {
                    lineNo++;
                    if (line.isBlank()) {
                        continue;
                    }
                    outcomes.add(evaluate(f, lineNo, line, diagnoser, reader));
                }
            }
        }
        if (outcomes.isEmpty()) {
            throw new UsageException("no cases in " + files);
        }
        double accuracy = print(outcomes, spec.commandLine().getOut());
        if (llm) {
            printLlm(spec.commandLine().getOut());
        }
        return failUnder != null && accuracy * 100 < failUnder ? 1 : 0;
    }

    private Outcome evaluate(Path file, int lineNo, String line, LogDiagnoser diagnoser, LogReader reader)
            throws IOException {
        JsonNode c;
        try {
            c = JSON.readTree(line);
        } catch (IOException e) {
            throw new UsageException(file + ":" + lineNo + ": not a JSON object ("
                    + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        String id = c.path("id").asText("line " + lineNo);
        String category = c.path("category").asText("");
        if (!Taxonomy.isCategory(category)) {
            // scored as a miss, not fatal: one mislabelled case must not stop a whole evaluation
            spec.commandLine()
                    .getErr()
                    .println("de-agent: " + file + ":" + lineNo + ": case " + id
                            + " has a category outside the taxonomy: '" + category + "'");
        }
        String log =
                c.has("log_file") ? c.get("log_file").asText() : c.path("log").asText("");
        Path dir = file.toAbsolutePath().getParent();
        Diagnosis d;
        Path asPath = log.contains("\n") || log.length() > 4096 ? null : dir.resolve(log);
        boolean looksLikePath =
                c.has("log_file") || LOOKS_LIKE_PATH.matcher(log).matches();
        if (looksLikePath && (asPath == null || !Files.isRegularFile(asPath))) {
            throw new UsageException(file + ":" + lineNo + ": case " + id + ": log file " + log
                    + " not found (paths are relative to the cases file)");
        }
        // measurements a source would have added (e.g. Spark History Server skew ratios)
        List<io.deagent.core.rules.Fact> facts = new java.util.ArrayList<>();
        c.path("facts")
                .properties()
                .forEach(f -> facts.add(new io.deagent.core.rules.Fact(
                        "case", f.getKey(), f.getValue().asText())));
        io.deagent.core.log.LogDocument doc = asPath != null && !log.isBlank() && Files.isRegularFile(asPath)
                ? reader.read(asPath)
                : reader.read(log);
        d = diagnoser.diagnose(doc, java.util.Optional.empty(), List.of(), facts);
        if (explainer != null) {
            d = explain(id, category, d, doc, facts);
        }
        int expectedEntities = 0;
        int found = 0;
        List<String> entityMisses = new ArrayList<>();
        JsonNode ents = c.path("entities");
        if (ents.isObject()) {
            for (Map.Entry<String, JsonNode> e : ents.properties()) {
                expectedEntities++;
                if (e.getValue().asText().equals(d.entities().get(e.getKey()))) {
                    found++;
                } else {
                    entityMisses.add(e.getKey());
                }
            }
        }
        return new Outcome(
                id,
                category,
                d.category(),
                c.path("fix_class").asText(""),
                d.fix().fixClass(),
                c.path("hard").asBoolean(false),
                expectedEntities,
                found,
                d.ruleId().orElse("-"),
                entityMisses);
    }

    /** The LLM path on one case, measured; the case is then scored on what it produced. */
    private Diagnosis explain(
            String id,
            String expected,
            Diagnosis rules,
            io.deagent.core.log.LogDocument doc,
            List<io.deagent.core.rules.Fact> facts) {
        var event = io.deagent.core.FailureEvents.parse(
                JSON.createObjectNode().put("dag_id", "eval").put("task_id", id).toString(),
                io.deagent.core.FailureEvent.Origin.CLI);
        java.time.Clock clock = java.time.Clock.systemUTC();
        long start = System.nanoTime();
        var x = explainer.explain(
                new io.deagent.core.investigate.Explainer.Request(event, rules, doc, facts),
                new io.deagent.core.investigate.Budget(clock.instant().plusSeconds(60), 1 << 20, clock));
        long ms = (System.nanoTime() - start) / 1_000_000;
        llmOutcomes.add(new LlmOutcome(
                id,
                expected,
                rules.category(),
                x.diagnosis().category(),
                x.diagnosis().explainedBy(),
                x.tokensIn(),
                x.tokensOut(),
                x.costUsd(),
                ms,
                x.fallbackReason().orElse("")));
        return x.diagnosis();
    }

    private void printLlm(PrintWriter out) {
        out.printf("%nthe LLM path, per case%n");
        out.printf(
                "  %-8s %-28s %-28s %-28s %7s %7s %9s %8s  %s%n",
                "case", "expected", "rules", "llm path", "tok in", "tok out", "cost $", "ms", "fallback");
        long answered = 0;
        long rulesRight = 0;
        long llmRight = 0;
        long in = 0;
        long outTokens = 0;
        double cost = 0;
        List<Long> latencies = new ArrayList<>();
        for (LlmOutcome o : llmOutcomes) {
            out.printf(
                    "  %-8s %-28s %-28s %-28s %7d %7d %9.5f %8d  %s%n",
                    o.id(),
                    o.expected(),
                    o.rules(),
                    o.got(),
                    o.tokensIn(),
                    o.tokensOut(),
                    o.costUsd(),
                    o.latencyMs(),
                    o.fallback());
            answered += o.fallback().isEmpty() && !o.explainedBy().equals("rules") ? 1 : 0;
            rulesRight += o.rules().equals(o.expected()) ? 1 : 0;
            llmRight += o.got().equals(o.expected()) ? 1 : 0;
            in += o.tokensIn();
            outTokens += o.tokensOut();
            cost += o.costUsd();
            latencies.add(o.latencyMs());
        }
        latencies.sort(null);
        int n = llmOutcomes.size();
        out.printf(
                "%nLLM path: %d of %d cases answered by the model (the rest fell back to the rules); category accuracy"
                        + " %s with the LLM vs %s rules only; tokens %d in, %d out; estimated cost $%.4f; latency p50 %d ms,"
                        + " p95 %d ms%n",
                answered,
                n,
                pct((int) llmRight, n),
                pct((int) rulesRight, n),
                in,
                outTokens,
                cost,
                latencies.get(n / 2),
                latencies.get(Math.min(n - 1, (int) Math.ceil(n * 0.95) - 1)));
    }

    private double print(List<Outcome> outcomes, PrintWriter out) {
        Map<String, int[]> perCategory = new TreeMap<>();
        Map<String, List<String>> confusions = new TreeMap<>();
        int correct = 0, hard = 0, hardCorrect = 0, fixCorrect = 0, entExpected = 0, entFound = 0;
        for (Outcome o : outcomes) {
            int[] counts = perCategory.computeIfAbsent(o.expected(), k -> new int[2]);
            counts[0]++;
            if (o.correct()) {
                counts[1]++;
                correct++;
            } else {
                confusions
                        .computeIfAbsent(o.expected() + " → " + o.got(), k -> new ArrayList<>())
                        .add(o.id());
            }
            if (o.hard()) {
                hard++;
                hardCorrect += o.correct() ? 1 : 0;
            }
            fixCorrect += o.expectedFix().equals(o.gotFix()) ? 1 : 0;
            entExpected += o.entitiesExpected();
            entFound += o.entitiesFound();
        }
        out.printf("de-agent eval: %d cases%n%n", outcomes.size());
        out.printf("%-32s %6s %8s %9s%n", "category", "cases", "correct", "accuracy");
        for (Map.Entry<String, int[]> e : perCategory.entrySet()) {
            out.printf(
                    "%-32s %6d %8d %9s%n",
                    e.getKey(), e.getValue()[0], e.getValue()[1], pct(e.getValue()[1], e.getValue()[0]));
        }
        out.printf(
                "%-32s %6d %8d %9s%n",
                "ALL (category accuracy)", outcomes.size(), correct, pct(correct, outcomes.size()));
        out.printf("%-32s %6d %8d %9s%n", "hard cases", hard, hardCorrect, pct(hardCorrect, hard));
        out.printf("%-32s %6d %8d %9s%n", "fix class", outcomes.size(), fixCorrect, pct(fixCorrect, outcomes.size()));
        out.printf(
                "%-32s %6d %8d %9s%n",
                "entities (expected value found)", entExpected, entFound, pct(entFound, entExpected));
        if (!confusions.isEmpty()) {
            out.printf("%nconfusions (expected → diagnosed)%n");
            Map<String, List<String>> sorted = new LinkedHashMap<>();
            confusions.entrySet().stream()
                    .sorted((a, b) -> b.getValue().size() - a.getValue().size())
                    .forEach(e -> sorted.put(e.getKey(), e.getValue()));
            sorted.forEach((k, ids) -> out.printf(
                    "  %-60s %3d  %s%n", k, ids.size(), String.join(", ", ids.subList(0, Math.min(8, ids.size())))));
        }
        if (verbose) {
            Map<String, Integer> missedKeys = new TreeMap<>();
            outcomes.forEach(o -> o.entityMisses().forEach(k -> missedKeys.merge(k, 1, Integer::sum)));
            out.printf("%nentity keys not found (key: cases)%n  %s%n", missedKeys);
            out.printf("%nmisses%n");
            for (Outcome o : outcomes) {
                if (!o.correct()) {
                    out.printf("  %-8s expected %-28s got %-28s rule %s%n", o.id(), o.expected(), o.got(), o.rule());
                }
            }
        }
        out.flush();
        return outcomes.isEmpty() ? 0 : (double) correct / outcomes.size();
    }

    private static String pct(int n, int d) {
        return d == 0 ? "-" : String.format(Locale.ROOT, "%.1f%%", 100.0 * n / d);
    }
}
