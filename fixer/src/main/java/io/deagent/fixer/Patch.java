package io.deagent.fixer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Source bytes under edit, with the ranges the edits wrote, kept in current offsets as later edits shift them. The
 * ranges say which lines a codemod touched, for its markers: a line that only gained or lost a line break around
 * new text is not one of them.
 */
final class Patch {

    /** Bytes {@code [start, end)} of the current source were written by an edit (empty for a deletion). */
    record Written(int start, int end) {}

    private byte[] bytes;
    private final List<Written> written = new ArrayList<>();

    Patch(byte[] source) {
        this.bytes = source.clone();
    }

    byte[] bytes() {
        return bytes.clone();
    }

    List<Written> written() {
        return List.copyOf(written);
    }

    /** Applies edits given in the current offsets; they must not overlap. */
    Patch apply(List<Edit> edits) {
        byte[] next = Edit.apply(bytes, edits);
        List<Edit> descending = new ArrayList<>(edits);
        descending.sort(Comparator.comparingInt(Edit::start).reversed());
        for (Edit e : descending) {
            int length = e.text().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            int delta = length - (e.end() - e.start());
            int newStart = e.start();
            int newEnd = e.start() + length;
            List<Written> kept = new ArrayList<>();
            for (Written w : written) {
                if (w.start() >= e.end()) {
                    kept.add(new Written(w.start() + delta, w.end() + delta));
                } else if (w.end() <= e.start()) {
                    kept.add(w);
                } else {
                    // overlaps the replaced bytes: one written range now covers both
                    newStart = Math.min(newStart, w.start());
                    newEnd = Math.max(newEnd, w.end() + delta);
                }
            }
            kept.add(new Written(newStart, newEnd));
            written.clear();
            written.addAll(kept);
        }
        bytes = next;
        return this;
    }

    Patch apply(Edit edit) {
        return apply(List.of(edit));
    }
}
