package io.deagent.fixer;

import io.deagent.core.Diagnosis;
import java.util.Optional;
import java.util.Set;

/**
 * A deterministic codemod chosen by a diagnosis: pure text in, patch out (no git, no network, no file system).
 */
public interface CodeFixer {

    /** Stable identifier, used in {@code fix.codemod} and in the pull request. */
    String id();

    /** The taxonomy categories this codemod can act on. */
    Set<String> categories();

    default boolean supports(Diagnosis d) {
        return d != null && categories().contains(d.category());
    }

    /** The patch for this file, or empty when the codemod does not apply to it. */
    Optional<FixProposal> propose(Diagnosis d, String path, byte[] source);

    /**
     * Like {@link #propose} but says why it declined. Codemods that know their reasons override this; the
     * default only knows that nothing was proposed.
     */
    default Codemods.Result attempt(Diagnosis d, String path, byte[] source) {
        return propose(d, path, source)
                .<Codemods.Result>map(Codemods.Proposed::new)
                .orElseGet(() -> Codemods.declined("codemod " + id() + " does not apply to " + path, d));
    }
}
