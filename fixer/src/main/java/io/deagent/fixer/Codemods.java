package io.deagent.fixer;

import io.deagent.core.Diagnosis;
import io.deagent.core.Redactor;
import java.util.List;
import java.util.Optional;

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

    /**
     * Explicit on purpose: adding a codemod is one class plus one line here, no classpath scanning. The order is
     * the order they are tried in: the edits of one call site first (they act only when the diagnosis points at
     * a place in the file and brings the evidence they need), then the session-level settings.
     */
    public static List<CodeFixer> builtIn() {
        return List.of(BroadcastHintCodemod.builtIn(), RepartitionCodemod.builtIn(), SparkSettingCodemod.builtIn());
    }

    /**
     * Tries, in order, every built-in codemod that supports the diagnosis on one file and returns the first
     * patch; when none patches, the most specific reason any of them gave, with the diagnosis' manual steps.
     */
    public static Result propose(Diagnosis d, String path, byte[] source) {
        return propose(builtIn(), d, path, source);
    }

    static Result propose(List<CodeFixer> fixers, Diagnosis d, String path, byte[] source) {
        List<CodeFixer> able = fixers.stream().filter(f -> f.supports(d)).toList();
        if (able.isEmpty()) {
            return declined("no codemod for category " + d.category(), d);
        }
        Optional<String> pre = SyntaxCodemod.precheck(d, path, source);
        if (pre.isPresent()) {
            return declined(pre.get(), d);
        }
        SyntaxCodemod.Decline best = null;
        for (CodeFixer fixer : able) {
            SyntaxCodemod.Decline decline;
            if (fixer instanceof SyntaxCodemod codemod) {
                switch (codemod.run(d, path, source)) {
                    case SyntaxCodemod.Marked p -> {
                        return new Proposed(codemod.proposal(path, source, p));
                    }
                    case SyntaxCodemod.Decline no -> decline = no;
                }
            } else {
                Result r = fixer.attempt(d, path, source);
                if (r instanceof Proposed) {
                    return r;
                }
                decline = SyntaxCodemod.Decline.nothing(((Declined) r).reason());
            }
            if (best == null || decline.kind().compareTo(best.kind()) > 0) {
                best = decline;
            }
        }
        return declined(best.reason(), d);
    }

    static Declined declined(String reason, Diagnosis d) {
        List<String> steps =
                d.fix() == null || d.fix().steps() == null ? List.of() : d.fix().steps();
        return new Declined(Redactor.redact(reason), steps);
    }
}
