package io.deagent.core.log;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds Java and Python exception chains in the kept lines: Java headers with {@code Caused by:},
 * {@code Suppressed:} and {@code ... N more}; Python tracebacks chained by "During handling of the above
 * exception" or "The above exception was the direct cause"; a Java trace inside a {@code Py4JJavaError};
 * and exceptions quoted inside another exception's message (Spark's "most recent failure: ...: X: msg").
 */
final class ExceptionParser {

    private static final String CLASS = "((?:[a-zA-Z_$][\\w$]*\\.)+[A-Z][\\w$]*)";
    private static final Pattern JAVA_HEADER =
            Pattern.compile("^(?:Exception in thread \"[^\"]*\"\\s+|Caused by:\\s*|Suppressed:\\s*|:\\s+)?" + CLASS
                    + "(?::\\s?(.*))?$");
    private static final Pattern CAUSED_BY = Pattern.compile("^\\s*Caused by:\\s*" + CLASS + "(?::\\s?(.*))?$");
    private static final Pattern SUPPRESSED = Pattern.compile("^\\s*Suppressed:\\s*" + CLASS + "(?::\\s?(.*))?$");
    private static final Pattern JAVA_FRAME = Pattern.compile(
            "^\\s*(?:at\\s+[\\w$.<>/-]+\\(.*\\)(?: ~?\\[.*\\])?|\\.\\.\\. \\d+ (?:more|common frames omitted))$");
    private static final Pattern PY_TRACEBACK = Pattern.compile("^\\s*Traceback \\(most recent call last\\):\\s*$");
    private static final Pattern PY_FRAME = Pattern.compile("^\\s+File \"[^\"]*\", line \\d+.*$");
    private static final Pattern PY_EXCEPTION =
            Pattern.compile("^((?:[A-Za-z_][\\w]*\\.)*[A-Za-z_][\\w]*)(?::\\s?(.*))?$");
    private static final Pattern PY_CHAINED =
            Pattern.compile("^\\s*(During handling of the above exception, another exception occurred:"
                    + "|The above exception was the direct cause of the following exception:)\\s*$");
    private static final Pattern EXCEPTION_SUFFIX =
            Pattern.compile(".*(Exception|Error|Throwable|Failure|Fault|Timeout|Exit|Interrupt|Kill|Killed)$");
    private static final Pattern EMBEDDED =
            Pattern.compile("(?<![\\w$.])((?:[a-z_$][\\w$]*\\.)+[A-Z][\\w$]*(?:Exception|Error)):\\s?(.{0,600})");
    private static final Pattern PY_EMBEDDED =
            Pattern.compile("(?<![\\w$.])((?:[a-z_][\\w]*\\.)*[A-Z][\\w]*(?:Exception|Error)): (.{0,600})");

    private ExceptionParser() {}

    static List<ExceptionChain> parse(List<LogLine> lines) {
        List<ExceptionChain> chains = new ArrayList<>();
        int i = 0;
        while (i < lines.size()) {
            LogLine l = lines.get(i);
            String text = rawOrMessage(l);
            if (PY_TRACEBACK.matcher(text).matches()) {
                i = parsePython(lines, i, chains);
                continue;
            }
            Matcher h = JAVA_HEADER.matcher(text);
            if (h.matches() && looksJava(lines, i, h)) {
                i = parseJava(lines, i, chains, new ArrayList<>());
                continue;
            }
            // a lone Python exception line, as loggers print them without a traceback
            i++;
        }
        return chains;
    }

    /** Raw traces are unprefixed; a prefixed line's message is what to parse. */
    private static String rawOrMessage(LogLine l) {
        return l.format() == LogLine.Format.PLAIN ? l.text() : l.message();
    }

    private static boolean looksJava(List<LogLine> lines, int i, Matcher h) {
        String simple = h.group(1).substring(h.group(1).lastIndexOf('.') + 1);
        if (EXCEPTION_SUFFIX.matcher(simple).matches()) {
            return true;
        }
        return i + 1 < lines.size()
                && consecutive(lines, i)
                && JAVA_FRAME.matcher(rawOrMessage(lines.get(i + 1))).matches();
    }

    private static boolean consecutive(List<LogLine> lines, int i) {
        return i + 1 < lines.size() && lines.get(i + 1).number() == lines.get(i).number() + 1;
    }

    /** Parses one Java trace from line i; appends its links to {@code links} and closes the chain. */
    private static int parseJava(List<LogLine> lines, int i, List<ExceptionChain> chains, List<ThrownException> links) {
        int first = lines.get(i).number();
        int end = collectJava(lines, i, links);
        chains.add(new ExceptionChain(links, first, lines.get(end - 1).number()));
        return end;
    }

    /** Collects a Java header with its message, frames and causes; returns the index after the trace. */
    private static int collectJava(List<LogLine> lines, int i, List<ThrownException> links) {
        Matcher h = JAVA_HEADER.matcher(rawOrMessage(lines.get(i)));
        if (!h.matches()) {
            return i + 1;
        }
        int headerLine = lines.get(i).number();
        StringBuilder message = new StringBuilder(h.group(2) == null ? "" : h.group(2));
        String cls = h.group(1);
        int j = i + 1;
        boolean inFrames = false;
        boolean suppressed = false;
        List<ThrownException> mine = new ArrayList<>();
        LogLine.Format format = lines.get(i).format();
        while (j < lines.size() && lines.get(j).number() == lines.get(j - 1).number() + 1) {
            String t = rawOrMessage(lines.get(j));
            Matcher cause = CAUSED_BY.matcher(t);
            if (cause.matches()) {
                if (!suppressed) {
                    addWithEmbedded(
                            mine,
                            cls,
                            message.toString(),
                            headerLine,
                            lines.get(j - 1).number());
                }
                suppressed = false;
                cls = cause.group(1);
                message = new StringBuilder(cause.group(2) == null ? "" : cause.group(2));
                headerLine = lines.get(j).number();
                inFrames = false;
                j++;
                continue;
            }
            if (SUPPRESSED.matcher(t).matches()) {
                // a suppressed exception is not a cause: keep its lines in the block, not in the chain
                if (!suppressed) {
                    addWithEmbedded(
                            mine,
                            cls,
                            message.toString(),
                            headerLine,
                            lines.get(j - 1).number());
                }
                suppressed = true;
                cls = null;
                j++;
                continue;
            }
            if (JAVA_FRAME.matcher(t).matches()) {
                inFrames = true;
                j++;
                continue;
            }
            if (!inFrames && lines.get(j).format() == format && !t.isBlank() && message.length() < 4000) {
                // multi-line messages (Spark's AnalysisException prints the plan) until the frames start
                if (JAVA_HEADER.matcher(t).matches() && !t.startsWith(" ")) {
                    break;
                }
                message.append('\n').append(t);
                j++;
                continue;
            }
            break;
        }
        if (cls != null && !suppressed) {
            addWithEmbedded(
                    mine, cls, message.toString(), headerLine, lines.get(j - 1).number());
        }
        links.addAll(mine);
        return j;
    }

    private static void addWithEmbedded(List<ThrownException> links, String cls, String message, int line, int last) {
        links.add(new ThrownException(cls, message.strip(), line, last, ThrownException.Language.JAVA, false));
        addEmbedded(links, message, line, last, EMBEDDED, ThrownException.Language.JAVA);
    }

    private static void addEmbedded(
            List<ThrownException> links,
            String message,
            int line,
            int last,
            Pattern pattern,
            ThrownException.Language language) {
        String rest = message;
        int guard = 0;
        while (guard++ < 4) {
            Matcher m = pattern.matcher(rest);
            if (!m.find()) {
                return;
            }
            String inner = m.group(2);
            int nl = inner.indexOf('\n');
            String firstLine = nl < 0 ? inner : inner.substring(0, nl);
            links.add(new ThrownException(m.group(1), firstLine.strip(), line, last, language, true));
            rest = inner;
        }
    }

    /** Parses a Python traceback, following chained tracebacks and a Java trace inside Py4JJavaError. */
    private static int parsePython(List<LogLine> lines, int i, List<ExceptionChain> chains) {
        int first = lines.get(i).number();
        List<List<ThrownException>> printed = new ArrayList<>();
        int j = i;
        int last = first;
        while (j < lines.size()
                && PY_TRACEBACK.matcher(rawOrMessage(lines.get(j))).matches()) {
            List<ThrownException> segment = new ArrayList<>();
            j++;
            // frames and their code lines
            while (j < lines.size()
                    && lines.get(j).number() == lines.get(j - 1).number() + 1
                    && (rawOrMessage(lines.get(j)).startsWith(" ")
                            || rawOrMessage(lines.get(j)).startsWith("\t"))) {
                j++;
            }
            if (j < lines.size() && lines.get(j).number() == lines.get(j - 1).number() + 1) {
                String t = rawOrMessage(lines.get(j));
                Matcher m = PY_EXCEPTION.matcher(t);
                if (m.matches() || t.contains(":")) {
                    String cls = m.matches()
                            ? m.group(1)
                            : t.substring(0, t.indexOf(':')).strip();
                    StringBuilder message = new StringBuilder(
                            m.matches() ? (m.group(2) == null ? "" : m.group(2)) : t.substring(t.indexOf(':') + 1));
                    int headerLine = lines.get(j).number();
                    j++;
                    List<ThrownException> java = new ArrayList<>();
                    while (j < lines.size()
                            && lines.get(j).number() == lines.get(j - 1).number() + 1
                            && lines.get(j).format() == lines.get(i).format()) {
                        String c = rawOrMessage(lines.get(j));
                        if (c.isBlank()
                                || PY_TRACEBACK.matcher(c).matches()
                                || PY_CHAINED.matcher(c).matches()) {
                            break;
                        }
                        if (c.startsWith(": ") && JAVA_HEADER.matcher(c).matches()) {
                            j = collectJava(lines, j, java); // Py4J: the Java exception behind the Python one
                            break;
                        }
                        if (message.length() < 4000) {
                            message.append('\n').append(c);
                        }
                        j++;
                    }
                    segment.add(new ThrownException(
                            cls,
                            message.toString().strip(),
                            headerLine,
                            lines.get(j - 1).number(),
                            ThrownException.Language.PYTHON,
                            false));
                    addEmbedded(
                            segment,
                            message.toString(),
                            headerLine,
                            lines.get(j - 1).number(),
                            PY_EMBEDDED,
                            ThrownException.Language.PYTHON);
                    segment.addAll(java);
                }
            }
            printed.add(segment);
            last = lines.get(Math.max(i, j - 1)).number();
            // chained tracebacks: skip blank lines and the "During handling..." sentence
            int k = j;
            boolean chained = false;
            while (k < lines.size() && k - j < 4) {
                String t = rawOrMessage(lines.get(k));
                if (PY_CHAINED.matcher(t).matches()) {
                    chained = true;
                    k++;
                } else if (t.isBlank()) {
                    k++;
                } else {
                    break;
                }
            }
            if (!chained
                    || k >= lines.size()
                    || !PY_TRACEBACK.matcher(rawOrMessage(lines.get(k))).matches()) {
                break;
            }
            j = k;
        }
        // Python prints the original cause first: outermost-first means reversing the printed segments
        List<ThrownException> links = new ArrayList<>();
        for (int s = printed.size() - 1; s >= 0; s--) {
            links.addAll(printed.get(s));
        }
        if (!links.isEmpty()) {
            chains.add(new ExceptionChain(links, first, last));
        }
        return Math.max(j, i + 1);
    }

    /** Airflow 3 structured logs carry the chain in one JSON line, outermost first. */
    static List<ExceptionChain> fromJson(List<ThrownException> errors) {
        List<ExceptionChain> chains = new ArrayList<>();
        List<ThrownException> current = new ArrayList<>();
        int line = -1;
        for (ThrownException e : errors) {
            if (e.line() != line && !current.isEmpty()) {
                chains.add(new ExceptionChain(current, line, line));
                current = new ArrayList<>();
            }
            line = e.line();
            current.add(e);
            addEmbedded(current, e.message(), e.line(), e.line(), EMBEDDED, ThrownException.Language.JAVA);
        }
        if (!current.isEmpty()) {
            chains.add(new ExceptionChain(current, line, line));
        }
        return chains;
    }
}
