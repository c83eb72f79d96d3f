package io.deagent.core.log;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What the reader found in one log: the kept lines, the exception chains, where the last attempt starts,
 * and facts about the input itself.
 */
public final class LogDocument {

    private static final Pattern ATTEMPT = Pattern.compile("Starting attempt (\\d+) of (\\d+)");

    private final List<LogLine> lines;
    private final List<ExceptionChain> chains;
    private final long totalLines;
    private final long bytes;
    private final String encoding;
    private final int latin1Lines;
    private final boolean binary;
    private final long droppedLines;
    private final int lastAttemptLine;
    private final int[] numbers;
    private final List<String> notes;

    private LogDocument(
            List<LogLine> lines,
            List<ExceptionChain> chains,
            long totalLines,
            long bytes,
            String encoding,
            int latin1Lines,
            boolean binary,
            long droppedLines,
            int lastAttemptLine,
            List<String> notes) {
        this.lines = List.copyOf(lines);
        this.chains = List.copyOf(chains);
        this.totalLines = totalLines;
        this.bytes = bytes;
        this.encoding = encoding;
        this.latin1Lines = latin1Lines;
        this.binary = binary;
        this.droppedLines = droppedLines;
        this.lastAttemptLine = lastAttemptLine;
        this.numbers = this.lines.stream().mapToInt(LogLine::number).toArray();
        this.notes = List.copyOf(notes);
    }

    static LogDocument build(
            List<LogLine> lines,
            long totalLines,
            long bytes,
            String encoding,
            int latin1Lines,
            boolean binary,
            long dropped,
            List<ThrownException> jsonErrors) {
        List<ExceptionChain> chains = new ArrayList<>(ExceptionParser.parse(lines));
        if (!jsonErrors.isEmpty()) {
            chains.addAll(ExceptionParser.fromJson(jsonErrors));
            chains.sort((a, b) -> Integer.compare(a.firstLine(), b.firstLine()));
        }
        int lastAttempt = 0;
        for (LogLine l : lines) {
            if (ATTEMPT.matcher(l.message()).find()) {
                lastAttempt = l.number();
            }
        }
        return new LogDocument(
                lines, chains, totalLines, bytes, encoding, latin1Lines, binary, dropped, lastAttempt, List.of());
    }

    /** Problems with the input itself that a reader of the diagnosis should know (a damaged archive). */
    public List<String> notes() {
        return notes;
    }

    /** This document with one more note. */
    public LogDocument withNote(String note) {
        List<String> more = new ArrayList<>(notes);
        more.add(note);
        return new LogDocument(
                lines, chains, totalLines, bytes, encoding, latin1Lines, binary, droppedLines, lastAttemptLine, more);
    }

    public List<LogLine> lines() {
        return lines;
    }

    public List<ExceptionChain> chains() {
        return chains;
    }

    public long totalLines() {
        return totalLines;
    }

    public long bytes() {
        return bytes;
    }

    /** "UTF-8", "UTF-16LE", "UTF-16BE", or "ISO-8859-1" when some lines were not valid UTF-8. */
    public String encoding() {
        return encoding;
    }

    public boolean binary() {
        return binary;
    }

    /** Kept lines that had to be let go to stay within memory (the middle of a huge log). */
    public long droppedLines() {
        return droppedLines;
    }

    /** The line of the last "Starting attempt N of M", or 0 when the log has one attempt. */
    public int lastAttemptLine() {
        return lastAttemptLine;
    }

    public boolean isEmpty() {
        return bytes == 0 || lines.stream().allMatch(l -> l.text().isBlank());
    }

    public Optional<LogLine> line(int number) {
        int i = java.util.Arrays.binarySearch(numbers, number);
        return i >= 0 ? Optional.of(lines.get(i)) : Optional.empty();
    }

    /**
     * The chain that failed the run: the last one in the last attempt that is not only a warning, and not
     * made only of wrappers when a chain with a real cause exists.
     */
    public Optional<ExceptionChain> primaryChain() {
        ExceptionChain fallback = null;
        for (int i = chains.size() - 1; i >= 0; i--) {
            ExceptionChain c = chains.get(i);
            if (c.lastLine() < lastAttemptLine) {
                break;
            }
            if (warnOnly(c)) {
                continue;
            }
            if (!ExceptionChain.isWrapper(c.rootCause())) {
                return Optional.of(c);
            }
            if (fallback == null) {
                fallback = c;
            }
        }
        return Optional.ofNullable(fallback);
    }

    private boolean warnOnly(ExceptionChain c) {
        // a chain printed right after a WARN line (e.g. "WARN ... retrying") is not what failed the run
        Optional<LogLine> header = line(c.firstLine());
        if (header.isPresent() && header.get().isWarning()) {
            return true;
        }
        Optional<LogLine> before = line(c.firstLine() - 1);
        return before.isPresent()
                && before.get().isWarning()
                && before.get().format() != LogLine.Format.PLAIN
                && !before.get().message().toLowerCase(java.util.Locale.ROOT).contains("exception in task");
    }
}
