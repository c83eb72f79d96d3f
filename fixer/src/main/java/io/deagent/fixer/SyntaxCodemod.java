package io.deagent.fixer;

import io.deagent.core.Diagnosis;
import io.deagent.core.Redactor;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The frame every built-in codemod runs in: the file must parse, must not carry this diagnosis' marker already
 * (see {@link Markers}), and the patched file must parse again without ERROR or MISSING nodes, with a marker on
 * every line the codemod touched. Subclasses only decide what to change.
 */
abstract class SyntaxCodemod implements CodeFixer {

    /** What one run of a codemod came to. */
    sealed interface Outcome permits Patched, Decline {}

    /** The patch (without markers: the frame adds them) and what changed, in words. */
    record Patched(Patch patch, String description) implements Outcome {}

    /** What a whole run came to: the final bytes (markers included), or the decline. */
    sealed interface Ran permits Marked, Decline {}

    record Marked(byte[] after, String description) implements Ran {}

    /**
     * Why nothing was changed. The kind ranks reasons when several codemods decline one diagnosis: the person
     * reading "no safe automatic fix" should see the most specific one.
     */
    record Decline(Kind kind, String reason) implements Outcome, Ran {
        enum Kind {
            /** The diagnosis lacks the category, evidence or entity this codemod needs. */
            NEEDS_EVIDENCE,
            /** The file has nothing this codemod edits (no session, no join, another file failed). */
            NOTHING_TO_EDIT,
            /** There is something to edit but changing it is not safe: ambiguous, not a literal, at the cap. */
            UNSAFE
        }

        static Decline needs(String reason) {
            return new Decline(Kind.NEEDS_EVIDENCE, reason);
        }

        static Decline nothing(String reason) {
            return new Decline(Kind.NOTHING_TO_EDIT, reason);
        }

        static Decline unsafe(String reason) {
            return new Decline(Kind.UNSAFE, reason);
        }
    }

    /** Decides the change for a file that parses and has no marker of this diagnosis yet. */
    abstract Outcome change(Diagnosis d, String path, byte[] source);

    /** The reason a file cannot be edited for this diagnosis at all, checked before any codemod runs. */
    static Optional<String> precheck(Diagnosis d, String path, byte[] source) {
        try (PythonCst cst = PythonCst.parse(source)) {
            if (cst.hasErrors()) {
                return Optional.of(path + " does not parse as Python; not editing it");
            }
            return Markers.find(cst, d.category(), Markers.signatureOf(d))
                    .map(line -> "already applied for this failure: line " + line + " of " + path + " carries "
                            + Markers.comment(d.category(), Markers.signatureOf(d))
                            + "; if the task failed again after that change, change it by hand (or delete the"
                            + " marker to let de-agent act again)");
        }
    }

    /** Runs the whole frame: checks, the change, the re-parse and the markers. */
    final Ran run(Diagnosis d, String path, byte[] source) {
        if (!supports(d)) {
            return Decline.needs("codemod " + id() + " does not handle category " + d.category());
        }
        Optional<String> pre = precheck(d, path, source);
        if (pre.isPresent()) {
            return Decline.unsafe(pre.get());
        }
        Outcome outcome;
        try {
            outcome = change(d, path, source);
        } catch (RuntimeException e) {
            // a file shape this codemod did not foresee: say so and change nothing, rather than fail the command
            return Decline.unsafe("codemod " + id() + " could not handle this file ("
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage())
                    + "); change it by hand");
        }
        if (!(outcome instanceof Patched p)) {
            return (Decline) outcome;
        }
        if (!PythonCst.parsesCleanly(p.patch().bytes())) {
            return Decline.unsafe("the patched file would not parse; change it by hand");
        }
        return Markers.mark(p.patch(), d.category(), Markers.signatureOf(d))
                .<Ran>map(marked -> new Marked(marked, p.description()))
                .orElseGet(() -> Decline.unsafe("cannot mark the edited lines with a comment; change it by hand"));
    }

    /** The proposal for a run that patched the file. */
    final FixProposal proposal(String path, byte[] before, Marked p) {
        String diff = UnifiedDiff.of(
                path, new String(before, StandardCharsets.UTF_8), new String(p.after(), StandardCharsets.UTF_8));
        return new FixProposal(path, id(), Redactor.redact(p.description()), before, p.after(), diff);
    }

    @Override
    public final Codemods.Result attempt(Diagnosis d, String path, byte[] source) {
        return switch (run(d, path, source)) {
            case Marked m -> new Codemods.Proposed(proposal(path, source, m));
            case Decline no -> Codemods.declined(no.reason(), d);
        };
    }

    @Override
    public final Optional<FixProposal> propose(Diagnosis d, String path, byte[] source) {
        return attempt(d, path, source) instanceof Codemods.Proposed p ? Optional.of(p.proposal()) : Optional.empty();
    }
}
