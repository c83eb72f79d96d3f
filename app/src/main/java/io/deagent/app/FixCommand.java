package io.deagent.app;

import io.deagent.core.Diagnosis;
import io.deagent.core.DiagnosisJson;
import io.deagent.core.Taxonomy;
import io.deagent.core.rules.RuleCatalog;
import io.deagent.fixer.Codemods;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "fix",
        mixinStandardHelpOptions = true,
        description = {
            "Propose a deterministic codemod for a PySpark job or DAG file: prints a unified diff.",
            "--write applies it. When no change is safe, says so with the manual steps (exit 0)."
        })
final class FixCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "the Python file to fix")
    Path file;

    @Option(
            names = "--category",
            paramLabel = "CAT",
            required = true,
            description = "a taxonomy category, e.g. out_of_memory_executor")
    String category;

    @Option(
            names = "--diagnosis",
            paramLabel = "D.json",
            description = "the diagnosis (diagnose --json) with its evidence")
    Path diagnosis;

    @Option(names = "--write", description = "apply the change to FILE")
    boolean write;

    @Override
    public Integer call() throws IOException {
        if (!Taxonomy.isCategory(category)) {
            throw new UsageException(
                    "unknown category '" + category + "' (see the taxonomy; e.g. out_of_memory_executor)");
        }
        if (!Files.isRegularFile(file)) {
            throw new UsageException("no such file: " + file + " (check the path)");
        }
        Diagnosis d = diagnosis == null ? forCategory(category) : readDiagnosis(diagnosis, category);
        byte[] source = Files.readAllBytes(file);
        PrintWriter out = spec.commandLine().getOut();
        // diff paths are relative, as git writes them: a/<path>
        String shown = file.normalize().toString().replace('\\', '/').replaceFirst("^/+", "");
        switch (Codemods.propose(d, shown, source)) {
            case Codemods.Proposed p -> {
                if (write) {
                    Files.write(file, p.proposal().after());
                    out.println("de-agent: wrote " + file + " (" + p.proposal().codemodId() + ": "
                            + p.proposal().description() + ")");
                } else {
                    out.print(p.proposal().unifiedDiff());
                }
            }
            case Codemods.Declined no -> {
                out.println("de-agent: no safe automatic fix: " + no.reason());
                if (!no.manualSteps().isEmpty()) {
                    out.println("What to do instead:");
                    int n = 1;
                    for (String step : no.manualSteps()) {
                        out.println("  " + n++ + ". " + step);
                    }
                }
            }
        }
        out.flush();
        return 0;
    }

    private static Diagnosis readDiagnosis(Path path, String category) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new UsageException("no such diagnosis file: " + path + " (write one with diagnose --json)");
        }
        Diagnosis d;
        try {
            d = DiagnosisJson.read(Files.readString(path, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new UsageException(path + ": " + e.getMessage());
        }
        return d.category().equals(category) ? d : withCategory(d, category);
    }

    /** A diagnosis that says only its category, with the fix steps of the first rule of that category. */
    static Diagnosis forCategory(String category) {
        Diagnosis.Fix fix = RuleCatalog.builtIn().rules().stream()
                .filter(r -> r.rule().category().equals(category))
                .findFirst()
                .map(r -> new Diagnosis.Fix(
                        r.rule().fix().fixClass(),
                        r.rule().fix().summary(),
                        r.rule().fix().steps(),
                        Optional.empty()))
                .orElse(new Diagnosis.Fix(Taxonomy.GATHER_MORE_EVIDENCE, "", List.of(), Optional.empty()));
        return new Diagnosis(
                Diagnosis.SCHEMA,
                category,
                category,
                "",
                "unknown",
                "unknown",
                1.0,
                Optional.empty(),
                Map.of(),
                List.of(),
                fix,
                "manual",
                Optional.empty(),
                List.of(),
                "rules",
                Optional.empty(),
                new Diagnosis.LogStats(0, 0, "utf-8", false, false));
    }

    private static Diagnosis withCategory(Diagnosis d, String category) {
        Diagnosis base = forCategory(category);
        return new Diagnosis(
                d.schema(),
                category,
                d.title(),
                d.summary(),
                d.layer(),
                d.transience(),
                d.confidence(),
                d.rootCause(),
                d.entities(),
                d.evidence(),
                base.fix(),
                d.signature(),
                d.recurrence(),
                d.missingEvidence(),
                d.explainedBy(),
                d.ruleId(),
                d.log());
    }
}
