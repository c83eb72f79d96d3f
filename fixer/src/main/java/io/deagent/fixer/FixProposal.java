package io.deagent.fixer;

import java.util.Arrays;
import java.util.Objects;

/**
 * A codemod's patch for one file: the exact bytes before and after, and a unified diff for people. Bytes are
 * kept (not strings) because the edit was spliced on UTF-8 bytes and must be applied byte for byte.
 */
public record FixProposal(
        String file, String codemodId, String description, byte[] before, byte[] after, String unifiedDiff) {

    public FixProposal {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(codemodId, "codemodId");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(unifiedDiff, "unifiedDiff");
        // copies: a record holding shared arrays would let a caller change the proposal after the fact
        before = before.clone();
        after = after.clone();
    }

    @Override
    public byte[] before() {
        return before.clone();
    }

    @Override
    public byte[] after() {
        return after.clone();
    }

    /** True when applying the proposal changes nothing. */
    public boolean isEmpty() {
        return Arrays.equals(before, after);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FixProposal p
                && file.equals(p.file)
                && codemodId.equals(p.codemodId)
                && description.equals(p.description)
                && Arrays.equals(before, p.before)
                && Arrays.equals(after, p.after)
                && unifiedDiff.equals(p.unifiedDiff);
    }

    @Override
    public int hashCode() {
        return Objects.hash(file, codemodId, description, Arrays.hashCode(before), Arrays.hashCode(after));
    }

    @Override
    public String toString() {
        return "FixProposal[file=" + file + ", codemodId=" + codemodId + ", description=" + description + "]";
    }
}
