package io.deagent.slack.reply;

import io.deagent.core.Diagnosis;
import io.deagent.core.FailureEvent;
import io.deagent.core.Redactor;
import io.deagent.core.Taxonomy;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * The Slack replies in the thread of a failure alert: the same content as the CLI report (what failed, why with
 * proof, what to do), laid out as Block Kit.
 *
 * <p>Everything that comes from a log, an event or a diagnosis built from them is untrusted: it is redacted with
 * {@link Redactor}, then neutralised with {@link SlackMrkdwn} so that it cannot ping, link or reshape the reply,
 * then fitted to Slack's limits (3,000 characters a section, 50 blocks, 40,000 characters a message), which are
 * measured on the text as sent, after escaping.
 */
public final class ReplyRenderer {

    /** A proof line is cut here in the reply; the whole line is kept in the incident and shown by {@code logs}. */
    static final int MAX_PROOF_LINE = 200;

    /** The {@code logs} follow-up shows more of each line: the engine keeps at most 500 characters of one. */
    static final int MAX_LOG_LINE = 500;

    /** The notification text: long enough for the title and the first step, short enough to read on a lock screen. */
    static final int MAX_FALLBACK_TEXT = 3000;

    // budgets in characters of rendered mrkdwn, chosen so that every section's parts together stay under 3,000
    private static final int TITLE_BUDGET = 600;
    private static final int VALUE_BUDGET = 400;
    private static final int SUMMARY_BUDGET = 1000;
    private static final int ROOT_CAUSE_BUDGET = 500;
    private static final int FIX_SUMMARY_BUDGET = 600;
    private static final int STEP_BUDGET = 600;
    private static final int MISSING_EVIDENCE_BUDGET = 2000;
    private static final int FALLBACK_TITLE_BUDGET = 1000;
    private static final int FALLBACK_STEP_BUDGET = 1500;

    private static final int MAX_LINK = 1200;

    /** Room kept for the "… N more lines" note after a cut list. */
    private static final int MORE_NOTE = 40;

    /** The two fences and their newlines around a code block. */
    private static final int FENCES = "```\n\n```".length();

    /** Entities that already have their own field or line in the reply. */
    private static final Set<String> SHOWN_ELSEWHERE = Set.of("dag_id", "task_id", "run_id", "try_number", "exception");

    private static final Pattern LINE_BREAK = Pattern.compile("\\s*\\R\\s*");

    private ReplyRenderer() {}

    /** The first answer in the thread, posted before the investigation starts, so on-call knows it is on it. */
    public static SlackMessage investigating(FailureEvent e) {
        String line = ":mag: Investigating " + task(e) + runAndTry(e) + "…";
        Blocks b = new Blocks();
        b.section(line);
        b.context(List.of("I will answer in this thread: what failed, why, and what to do."));
        return new SlackMessage(line, b.json());
    }

    /** The diagnosis: headline, what failed, why with proof, what to do, whether it was seen before, labels. */
    public static SlackMessage result(FailureEvent e, Diagnosis d, Optional<String> incidentUrl) {
        return result(e, d, incidentUrl, Optional.empty());
    }

    /**
     * The same, with the fix de-agent proposed: a pull request link or a short line, trusted text that the
     * caller built (a link in {@code <url|label>} form is kept).
     */
    public static SlackMessage result(FailureEvent e, Diagnosis d, Optional<String> incidentUrl, Optional<String> fix) {
        Blocks b = new Blocks();
        b.section(headline(d));
        b.section(whatFailed(e, incidentUrl), fields(e, d.entities()));
        b.section(whySection(d));
        b.section(whatToDo(d));
        fix.ifPresent(f -> b.section("*Fix proposed*\n" + f));
        d.recurrence().ifPresent(r -> b.section(seenBefore(r)));
        b.context(labels(d));
        return new SlackMessage(fallback(d), b.json());
    }

    /** The investigation could not finish (deadline, crash): say what failed and that the incident is kept. */
    public static SlackMessage failed(FailureEvent e, String error) {
        String headline = ":warning: *Could not finish the investigation* of " + task(e) + runAndTry(e) + ".";
        String errorHead = "*Error*\n";
        List<String> errorLines = lines(error, MAX_PROOF_LINE);
        Blocks b = new Blocks();
        b.section(headline);
        b.section(whatFailed(e, Optional.empty()), fields(e, Map.of()));
        b.section(
                errorLines.isEmpty()
                        ? errorHead + "(no error message)"
                        : errorHead + codeLines(errorLines, Blocks.MAX_SECTION_TEXT - errorHead.length()));
        b.context(List.of("The incident is kept; see `/api/incidents`."));
        String first = errorLines.isEmpty() ? "no error message" : errorLines.get(0);
        return new SlackMessage(
                inline(
                        "Could not finish the investigation of " + e.dagId() + "." + e.taskId() + ": " + first,
                        MAX_FALLBACK_TEXT),
                b.json());
    }

    /** Follow-up {@code why}: the summary, the root cause and the proof lines. */
    public static SlackMessage why(Diagnosis d) {
        Blocks b = new Blocks();
        b.section(whySection(d));
        b.context(List.of(category(d)));
        return new SlackMessage("Why: " + inline(d.summary(), MAX_FALLBACK_TEXT - 5), b.json());
    }

    /** Follow-up {@code logs}: every evidence line with its source and line number, over as many blocks as fit. */
    public static SlackMessage logs(Diagnosis d) {
        List<Diagnosis.EvidenceLine> evidence = d.evidence();
        String head = "*Evidence*  ·  " + count(evidence.size(), "line") + " kept"
                + (d.log() == null ? "" : " from a log of " + count(d.log().lines(), "line"));
        Blocks b = new Blocks();
        b.section(head);
        if (evidence.isEmpty()) {
            b.section("No evidence lines were kept for this diagnosis.");
            return new SlackMessage(plainEvidenceHead(head), b.json());
        }
        List<String> rendered = logLines(evidence);
        int shown = 0;
        while (shown < rendered.size()) {
            int n = fittingLines(rendered, shown, Blocks.MAX_SECTION_TEXT - FENCES);
            String chunk = "```\n" + String.join("\n", rendered.subList(shown, shown + n)) + "\n```";
            // leave one block and a little room for the note that says what was left out
            if (n == 0 || b.size() >= Blocks.MAX_BLOCKS - 1 || !b.fits(chunk.length() + 2 * MORE_NOTE)) {
                break;
            }
            b.section(chunk);
            shown += n;
        }
        if (shown < rendered.size()) {
            b.context(List.of("… " + count(rendered.size() - shown, "more line") + "; the incident keeps them all."));
        }
        return new SlackMessage(plainEvidenceHead(head), b.json());
    }

    /** Follow-up {@code help}: what can be asked in the thread, and how to say whether the diagnosis was right. */
    public static SlackMessage help() {
        String text = "*Ask me in this thread*\n"
                + "• `why`: the cause, the root exception and the log lines that prove it\n"
                + "• `logs`: the evidence lines, with their source and line numbers\n"
                + "• `help`: this message\n"
                + "React with :+1: or :white_check_mark: when the diagnosis is right,"
                + " :-1: or :x: when it is wrong: the incident keeps your verdict.";
        Blocks b = new Blocks();
        b.section(text);
        return new SlackMessage(
                "Ask me in this thread: why, logs or help. React :+1: if the diagnosis is right, :-1: if it is wrong.",
                b.json());
    }

    private static String headline(Diagnosis d) {
        boolean unknown = Taxonomy.UNKNOWN.equals(d.category());
        String title = inline(d.title(), TITLE_BUDGET);
        return (unknown ? ":grey_question:" : ":red_circle:") + " *" + (title.isBlank() ? "No title" : title) + "*";
    }

    private static String whatFailed(FailureEvent e, Optional<String> incidentUrl) {
        List<String> links = new ArrayList<>();
        e.logUrl().map(u -> link(u, "Log")).ifPresent(links::add);
        incidentUrl.map(u -> link(u, "Incident")).ifPresent(links::add);
        return "*What failed*" + (links.isEmpty() ? "" : "   " + String.join("  ·  ", links));
    }

    /** DAG, task, run and try, then what the diagnosis names (table, column, stage, model …) while fields remain. */
    private static List<String> fields(FailureEvent e, Map<String, String> entities) {
        List<String> fields = new ArrayList<>();
        fields.add(field("DAG", e.dagId()));
        fields.add(field("Task", e.taskId()));
        e.runId().ifPresent(r -> fields.add(field("Run", r)));
        e.tryNumber().ifPresent(t -> fields.add(field("Try", String.valueOf(t))));
        for (Map.Entry<String, String> entity : inTaxonomyOrder(entities)) {
            if (fields.size() >= Blocks.MAX_FIELDS) {
                break;
            }
            if (!SHOWN_ELSEWHERE.contains(entity.getKey())) {
                fields.add(field(entity.getKey().replace('_', ' '), entity.getValue()));
            }
        }
        return fields;
    }

    /**
     * Entities in the order {@code taxonomy.md} lists their keys, others after them as given: the same diagnosis
     * always shows the same fields in the same places, whatever order the map iterates in.
     */
    private static List<Map.Entry<String, String>> inTaxonomyOrder(Map<String, String> entities) {
        return entities.entrySet().stream()
                .sorted(Comparator.comparingInt(entry -> {
                    int at = Taxonomy.ENTITY_KEYS.indexOf(entry.getKey());
                    return at < 0 ? Integer.MAX_VALUE : at;
                }))
                .toList();
    }

    private static String field(String label, String value) {
        return "*" + inline(label, 100) + "*\n" + value(value);
    }

    private static String whySection(Diagnosis d) {
        StringBuilder head = new StringBuilder("*Why*  ·  confidence ").append(confidence(d));
        if (!blank(d.summary())) {
            head.append('\n').append(text(d.summary(), SUMMARY_BUDGET));
        }
        d.rootCause().ifPresent(r -> head.append("\nRoot cause: ")
                .append(value(r.exception()))
                .append(blank(r.message()) ? "" : ": " + inline(r.message(), ROOT_CAUSE_BUDGET))
                .append(" (line ")
                .append(r.line())
                .append(')'));
        if (d.evidence().isEmpty()) {
            return head.toString();
        }
        return head + "\n" + codeLines(proofLines(d.evidence()), Blocks.MAX_SECTION_TEXT - head.length() - 1);
    }

    /** {@code line N │ text}, numbers right-aligned so the texts line up. */
    private static List<String> proofLines(List<Diagnosis.EvidenceLine> evidence) {
        int width = evidence.stream()
                .mapToInt(l -> String.valueOf(l.line()).length())
                .max()
                .orElse(1);
        return lazy(evidence.size(), i -> {
            Diagnosis.EvidenceLine l = evidence.get(i);
            if (l.line() <= 0) {
                // a measurement from a source (e.g. the Spark History Server), not a line of the log
                return SlackMrkdwn.clip(nz(l.source()), 30) + " │ " + line(l.text(), MAX_PROOF_LINE);
            }
            return "line " + pad(String.valueOf(l.line()), width) + " │ " + line(l.text(), MAX_PROOF_LINE);
        });
    }

    /** {@code source N │ text}, escaped for a code block. */
    private static List<String> logLines(List<Diagnosis.EvidenceLine> evidence) {
        int sourceWidth = evidence.stream()
                .mapToInt(l -> SlackMrkdwn.clip(nz(l.source()), 30).length())
                .max()
                .orElse(0);
        int numberWidth = evidence.stream()
                .mapToInt(l -> String.valueOf(l.line()).length())
                .max()
                .orElse(1);
        return lazy(evidence.size(), i -> {
            Diagnosis.EvidenceLine l = evidence.get(i);
            return SlackMrkdwn.codeBlockBody(padRight(SlackMrkdwn.clip(nz(l.source()), 30), sourceWidth) + " "
                    + pad(String.valueOf(l.line()), numberWidth) + " │ " + line(l.text(), MAX_LOG_LINE));
        });
    }

    private static String whatToDo(Diagnosis d) {
        StringBuilder head = new StringBuilder("*What to do*");
        if (!blank(d.fix().summary())) {
            head.append('\n').append(text(d.fix().summary(), FIX_SUMMARY_BUDGET));
        }
        List<String> given = d.fix().steps();
        List<String> steps = lazy(given.size(), i -> (i + 1) + ". " + inline(given.get(i), STEP_BUDGET));
        if (steps.isEmpty()) {
            return head.toString();
        }
        return head + "\n" + within(steps, "\n", Blocks.MAX_SECTION_TEXT - head.length() - 1, "more step");
    }

    private static String seenBefore(Diagnosis.Recurrence r) {
        String seen = r.seen() <= 1
                ? "New: first time for this task"
                : "Seen " + r.seen() + " times"
                        + r.firstSeen().map(f -> " since " + day(f)).orElse("");
        return "*Seen before*\n" + seen
                + r.lastFix().map(f -> "\nLast fix: " + inline(f, 1000)).orElse("");
    }

    /** The labels a reader greps for, verbatim in code, and what the reply could not look at. */
    private static List<String> labels(Diagnosis d) {
        List<String> labels = new ArrayList<>();
        labels.add(category(d));
        labels.add("fix " + value(d.fix().fixClass()));
        labels.add("signature " + value(d.signature()));
        if ("transient".equals(d.transience())) {
            labels.add("transient: a retry may pass");
        }
        if (!d.missingEvidence().isEmpty()) {
            List<String> missing = d.missingEvidence();
            List<String> items = lazy(missing.size(), i -> inline(missing.get(i), 400));
            labels.add("Missing evidence: " + within(items, "; ", MISSING_EVIDENCE_BUDGET, "more item"));
        }
        labels.add("explained by " + inline(d.explainedBy(), 200)
                + (d.log() == null
                        ? ""
                        : " · " + String.format(Locale.ROOT, "%,d", d.log().lines())
                                + (d.log().lines() == 1 ? " line read" : " lines read")));
        return labels;
    }

    /** The label in code, then its meaning from the taxonomy (our own text, with its own code spans). */
    private static String category(Diagnosis d) {
        String meaning = Taxonomy.CATEGORIES.get(d.category());
        return value(d.category()) + (meaning == null ? "" : " · " + meaning);
    }

    /** "title — `category` (confidence 0.86). first step": what a notification or a screen reader gets. */
    private static String fallback(Diagnosis d) {
        String firstStep = d.fix().steps().isEmpty()
                ? nz(d.fix().summary())
                : d.fix().steps().get(0);
        return inline(d.title(), FALLBACK_TITLE_BUDGET) + " — " + value(d.category()) + " (confidence " + confidence(d)
                + "). " + inline(firstStep, FALLBACK_STEP_BUDGET);
    }

    private static String plainEvidenceHead(String head) {
        return head.replace("*", "");
    }

    /**
     * A URL as a Slack link when it is plainly http(s); otherwise shown as code, never as a link. Characters
     * that would end the {@code <url|label>} sequence early are percent-encoded; {@code &} is escaped as Slack
     * asks for URLs too.
     */
    private static String link(String url, String label) {
        String u = Redactor.redact(url.strip());
        if (!u.regionMatches(true, 0, "http://", 0, 7) && !u.regionMatches(true, 0, "https://", 0, 8)
                || u.length() > 2000) {
            return label + " " + value(u);
        }
        String safe = u.replace("|", "%7C")
                .replace("<", "%3C")
                .replace(">", "%3E")
                .replace(" ", "%20")
                .replace("\n", "%0A")
                .replace("&", "&amp;");
        String link = "<" + safe + "|" + label + ">";
        // a cut link would show its raw markup; a URL this long is shown (cut) as code instead
        return link.length() <= MAX_LINK ? link : label + " " + value(u);
    }

    /** A log or exception text as lines for a code block: redacted first, so a cut cannot hide half a secret. */
    private static List<String> lines(String text, int maxLine) {
        if (blank(text)) {
            return List.of();
        }
        return Redactor.redact(text).lines().map(l -> line(l, maxLine)).toList();
    }

    /** One line of a code block: redacted, on one line (indentation kept: it shows stack-trace depth), cut. */
    private static String line(String text, int max) {
        return SlackMrkdwn.clip(Redactor.redact(nz(text)).replaceAll("\\R", " ").stripTrailing(), max);
    }

    /** Lines in a code block, as many as fit in {@code budget}, then how many were left out. */
    private static String codeLines(List<String> rawLines, int budget) {
        List<String> escaped = lazy(rawLines.size(), i -> SlackMrkdwn.codeBlockBody(rawLines.get(i)));
        int n = fittingLines(escaped, 0, budget - FENCES - MORE_NOTE);
        int more = escaped.size() - n;
        String block = n == 0 ? "" : "```\n" + String.join("\n", escaped.subList(0, n)) + "\n```";
        String note = more == 0 ? "" : (n == 0 ? "" : "\n") + "_… " + count(more, "more line") + "_";
        return block + note;
    }

    /** How many lines from {@code from} on fit in {@code room} characters, joined by newlines. */
    private static int fittingLines(List<String> lines, int from, int room) {
        int used = 0;
        int n = 0;
        for (int i = from; i < lines.size(); i++) {
            int add = lines.get(i).length() + (n == 0 ? 0 : 1);
            if (used + add > room) {
                break;
            }
            used += add;
            n++;
        }
        return n;
    }

    /** Rendered items joined by {@code separator} within {@code budget}, then "… N more" when some were left out. */
    private static String within(List<String> items, String separator, int budget, String more) {
        int room = budget - MORE_NOTE;
        StringBuilder out = new StringBuilder();
        int n = 0;
        for (String item : items) {
            int add = item.length() + (n == 0 ? 0 : separator.length());
            if (out.length() + add > room) {
                break;
            }
            out.append(n == 0 ? "" : separator).append(item);
            n++;
        }
        int left = items.size() - n;
        if (left > 0) {
            out.append(n == 0 ? "" : separator).append("… ").append(count(left, more));
        }
        return out.toString();
    }

    /**
     * A list whose items are rendered when read. A diagnosis may carry thousands of lines or steps of which only
     * the first few fit in a reply; rendering (and redacting) the rest would be wasted work.
     */
    private static List<String> lazy(int size, IntFunction<String> render) {
        return new AbstractList<>() {
            @Override
            public String get(int index) {
                return render.apply(index);
            }

            @Override
            public int size() {
                return size;
            }
        };
    }

    /** Untrusted prose on several lines. */
    private static String text(String raw, int budget) {
        return fit(Redactor.redact(nz(raw)).strip(), budget, SlackMrkdwn::neutralise);
    }

    /** Untrusted prose on one line. */
    private static String inline(String raw, int budget) {
        return fit(oneLine(Redactor.redact(nz(raw))), budget, SlackMrkdwn::neutralise);
    }

    /** An untrusted identifier or value, in code. */
    private static String value(String raw) {
        return fit(oneLine(Redactor.redact(nz(raw))), VALUE_BUDGET, SlackMrkdwn::code);
    }

    private static String task(FailureEvent e) {
        return value(e.dagId() + "." + e.taskId());
    }

    private static String runAndTry(FailureEvent e) {
        List<String> parts = new ArrayList<>();
        e.runId().ifPresent(r -> parts.add("run " + value(r)));
        e.tryNumber().ifPresent(t -> parts.add("try " + t));
        return parts.isEmpty() ? "" : " (" + String.join(", ", parts) + ")";
    }

    /**
     * Renders {@code raw}, cutting it until the rendering fits: escaping can make text up to five times longer,
     * so the cut is made on the raw text (never inside an entity) and measured on the result.
     */
    static String fit(String raw, int budget, UnaryOperator<String> render) {
        int n = Math.min(raw.length(), budget);
        while (true) {
            String rendered = render.apply(SlackMrkdwn.clip(raw, n));
            if (rendered.length() <= budget) {
                return rendered;
            }
            if (n <= 1) {
                return "…";
            }
            n = Math.max(1, Math.min(n - 1, (int) ((long) n * budget / rendered.length())));
        }
    }

    private static String day(String timestamp) {
        try {
            return OffsetDateTime.parse(timestamp)
                    .withOffsetSameInstant(ZoneOffset.UTC)
                    .toLocalDate()
                    .toString();
        } catch (DateTimeParseException notATimestamp) {
            try {
                return LocalDate.parse(timestamp).toString();
            } catch (DateTimeParseException notADate) {
                return inline(timestamp, 60);
            }
        }
    }

    private static String confidence(Diagnosis d) {
        return String.format(Locale.ROOT, "%.2f", d.confidence());
    }

    private static String count(long n, String unit) {
        return String.format(Locale.ROOT, "%,d", n) + " " + unit + (n == 1 ? "" : "s");
    }

    private static String oneLine(String s) {
        return LINE_BREAK.matcher(nz(s)).replaceAll(" ").strip();
    }

    private static String pad(String s, int width) {
        return " ".repeat(Math.max(0, width - s.length())) + s;
    }

    private static String padRight(String s, int width) {
        return s + " ".repeat(Math.max(0, width - s.length()));
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
