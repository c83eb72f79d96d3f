package io.deagent.fixer;

import io.deagent.core.Diagnosis;
import java.util.List;

/** The explicit list of built-in codemods, and the entry point that picks one for a diagnosis. */
public final class Codemods {

    /** What a codemod run produced: a patch, or a reason plus the steps a person should take instead. */
    public sealed interface Result permits Proposed, Declined {}

    public record Proposed(FixProposal proposal) implements Result {}

    public record Declined(String reason, List<String> manualSteps) implements Result {
        public Declined {
            manualSteps = List.copyOf(manualSteps);
        }
    }

    private Codemods() {}

    /** Explicit on purpose: adding a codemod is one class plus one line here, no classpath scanning. */
    public static List<CodeFixer> builtIn() {
        return List.of(SparkSettingCodemod.builtIn());
    }

    /** Runs the first built-in codemod that supports the diagnosis on one file. */
    public static Result propose(Diagnosis d, String path, byte[] source) {
        return propose(builtIn(), d, path, source);
    }

    static Result propose(List<CodeFixer> fixers, Diagnosis d, String path, byte[] source) {
        for (CodeFixer fixer : fixers) {
            if (fixer.supports(d)) {
                return fixer.attempt(d, path, source);
            }
        }
        return declined("no codemod for category " + d.category(), d);
    }

    static Declined declined(String reason, Diagnosis d) {
        List<String> steps =
                d.fix() == null || d.fix().steps() == null ? List.of() : d.fix().steps();
        return new Declined(reason, steps);
    }
}
