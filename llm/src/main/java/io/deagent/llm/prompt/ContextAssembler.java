package io.deagent.llm.prompt;

import io.deagent.core.Diagnosis;
import io.deagent.core.FailureEvent;
import io.deagent.core.Redactor;
import io.deagent.core.Taxonomy;
import io.deagent.core.log.ExceptionChain;
import io.deagent.core.log.LogDocument;
import io.deagent.core.log.LogLine;
import io.deagent.core.log.ThrownException;
import io.deagent.core.rules.Fact;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Builds the request to the model from what de-agent knows about a failure, inside a token budget.
 *
 * <p>The user message holds, from the highest priority to the lowest: (a) the event, (b) the rules' verdict
 * with its proof lines, (c) the root-cause exception chain with long runs of frames shortened, (d) the
 * facts sources measured and the evidence they could not collect, (e) more log lines: around the proof
 * lines, the last error lines, then the rest of what the reader kept, newest first. Entries are taken in
 * that order until the input budget (minus the system prompt and the template) is used; the first entry that
 * does not fit ends the selection, so a lower priority is always dropped before a higher one.
 *
 * <p>Every log line is shown as {@code L<n>: text} with its number in the original log, and {@link
 * Prompt#citableLines()} is exactly the set of numbers shown. Every piece of event text, log line and fact
 * is redacted ({@link Redactor}) before it is measured or added, capped at {@value #MAX_LINE_CHARS}
 * characters, and placed inside {@code <<<UNTRUSTED_<KIND>_<nonce>} fences whose nonce is random per
 * prompt; a data line that contains fence text is defused.
 */
public final class ContextAssembler {

    /** Longest text of one line in the prompt, after redaction. */
    public static final int MAX_LINE_CHARS = 500;
    /** Longest quoted bad answer in a repair prompt. */
    public static final int MAX_REPAIR_ANSWER_CHARS = 2000;

    static final int MAX_EXCEPTION_LINES = 20;
    static final int KEEP_FRAMES = 3;
    static final int KEEP_TEXT_LINES = 12;
    static final int AROUND_PROOF = 3;
    static final int LAST_ERRORS = 40;
    private static final int MAX_REASON_CHARS = 500;
    private static final int MAX_CITABLE_LIST_CHARS = 1500;
    private static final String NONE = "(none)";

    private static final Pattern JAVA_FRAME =
            Pattern.compile("^\\s*(?:at\\s+[\\w$.<>/-]+\\(.*\\).*|\\.\\.\\. \\d+ (?:more|common frames omitted))$");
    private static final Pattern PY_FRAME = Pattern.compile("^\\s+File \"[^\"]*\", line \\d+.*$");
    private static final Pattern ERRORISH =
            Pattern.compile("(?i)(error|exception|fatal|failed|failure|killed|sigkill|sigterm|timed? ?out)");
    private static final Pattern KEY_BEGIN = Pattern.compile("-----BEGIN [A-Z ]*PRIVATE KEY-----");
    private static final Pattern KEY_END = Pattern.compile("-----END [A-Z ]*PRIVATE KEY-----");
    private static final Pattern BASE64_LINE = Pattern.compile("^\\s*[A-Za-z0-9+/]{40,}={0,2}\\s*$");
    private static final Pattern UNSAFE_CHARS = Pattern.compile("[\\p{Cc}\\u2028\\u2029]");

    private final PromptTemplates templates;
    private final RandomGenerator random;

    /** The current templates and a secure random source for the fence nonces. */
    public ContextAssembler() {
        this(PromptTemplates.load(), new SecureRandom());
    }

    public ContextAssembler(PromptTemplates templates, RandomGenerator random) {
        this.templates = templates;
        this.random = random;
    }

    /** The prompt for a failure, inside {@code budget.input()} tokens as {@link Tokens} estimates them. */
    public Prompt assemble(FailureEvent event, Diagnosis rules, LogDocument doc, List<Fact> facts, TokenBudget budget) {
        return assemble(Optional.of(event), rules, doc, facts, budget);
    }

    /**
     * The same, for a log without an event (the CLI on a file).
     *
     * @throws IllegalArgumentException when the budget cannot hold even the system prompt and the template
     */
    public Prompt assemble(
            Optional<FailureEvent> event, Diagnosis rules, LogDocument doc, List<Fact> facts, TokenBudget budget) {
        Fence fence = Fence.random(random);
        Lines lines = new Lines(doc, fence);
        String system = templates.system();

        Map<String, String> values = new HashMap<>();
        values.put("nonce", fence.nonce());
        values.put("verdict", verdict(rules));
        for (Section s : Section.values()) {
            values.put(s.placeholder, NONE);
        }
        long widest = Math.max(Math.max(doc.totalLines(), doc.lines().size()), doc.droppedLines());
        values.put("coverage", coverage(widest, widest, widest, true, Math.max(1, widest)));
        int fixed = Tokens.estimate(system) + Tokens.estimate(PromptTemplates.render(templates.userTemplate(), values));
        if (fixed > budget.input()) {
            throw new IllegalArgumentException("an input budget of " + budget.input()
                    + " tokens cannot hold the system prompt and the message template (" + fixed + " tokens)");
        }

        Selection sel = new Selection(budget.input() - fixed);
        if (event.isPresent()) {
            offerEvent(sel, event.get(), lines);
        }
        offerProof(sel, rules, doc, lines);
        offerChain(sel, rules, doc, lines);
        offerFacts(sel, facts, rules.missingEvidence(), lines);
        offerContext(sel, doc, lines);

        for (Section s : Section.values()) {
            values.put(s.placeholder, sel.render(s));
        }
        values.put(
                "coverage",
                coverage(sel.citable.size(), doc.lines().size(), doc.totalLines(), sel.truncated, doc.droppedLines()));
        String user = PromptTemplates.render(templates.userTemplate(), values);
        int estimated = Tokens.estimate(system) + Tokens.estimate(user);
        return new Prompt(system, user, sel.citable, estimated, sel.truncated);
    }

    /**
     * A follow-up user message after an answer failed validation: says why, quotes the bad answer as
     * untrusted data (at most {@value #MAX_REPAIR_ANSWER_CHARS} characters, redacted, in a fresh fence) and
     * asks for the corrected single JSON object with the lines that may be cited.
     */
    public String repairPrompt(Prompt prompt, String badAnswer, String reason) {
        Fence fence = Fence.random(random);
        String answer = badAnswer == null ? "" : badAnswer;
        if (answer.length() > MAX_REPAIR_ANSWER_CHARS) {
            int cut = cutIndex(answer, MAX_REPAIR_ANSWER_CHARS);
            answer = answer.substring(0, cut) + "\n… (" + (answer.length() - cut) + " more characters not shown)";
        }
        answer = fence.defuse(Redactor.redact(answer)).replaceAll("[\\p{Cc}\\u2028\\u2029&&[^\\n\\t]]", " ");
        String why = reason == null || reason.isBlank() ? "it did not follow the output contract" : reason;
        why = fence.defuse(cap(UNSAFE_CHARS.matcher(Redactor.redact(why)).replaceAll(" "), MAX_REASON_CHARS));
        String citable = prompt.citableLines().isEmpty() ? "(none: use an empty list)" : ranges(prompt.citableLines());
        return PromptTemplates.render(
                templates.repairTemplate(),
                Map.of("reason", why, "answer", answer, "nonce", fence.nonce(), "citable_lines", citable));
    }

    // --- (a) the event

    private static void offerEvent(Selection sel, FailureEvent e, Lines lines) {
        List<String> out = new ArrayList<>();
        out.add("dag_id: " + lines.clean(e.dagId()));
        out.add("task_id: " + lines.clean(e.taskId()));
        e.runId().ifPresent(v -> out.add("run_id: " + lines.clean(v)));
        e.tryNumber().ifPresent(v -> out.add("try_number: " + v + maxTries(e)));
        e.operator().ifPresent(v -> out.add("operator: " + lines.clean(v)));
        e.exception().filter(x -> !x.isBlank()).ifPresent(x -> {
            // redact the whole text first: a secret may span lines (a private key block)
            List<String> exLines = Redactor.redact(x).lines().toList();
            for (int i = 0; i < exLines.size() && i < MAX_EXCEPTION_LINES; i++) {
                out.add((i == 0 ? "exception: " : "  ") + lines.cleanRedacted(exLines.get(i)));
            }
            if (exLines.size() > MAX_EXCEPTION_LINES) {
                out.add("  … " + (exLines.size() - MAX_EXCEPTION_LINES) + " more lines …");
            }
        });
        for (int i = 0; i < out.size(); i++) {
            if (!sel.offer(new Entry(Section.EVENT, i, out.get(i), 0))) {
                return;
            }
        }
    }

    private static String maxTries(FailureEvent e) {
        Object max = e.raw() == null ? null : e.raw().get("max_tries");
        return max instanceof Number n ? " of " + n.intValue() : "";
    }

    // --- (b) the rules' verdict

    private static String verdict(Diagnosis rules) {
        StringBuilder b = new StringBuilder();
        if (Taxonomy.UNKNOWN.equals(rules.category())) {
            b.append("category: unknown (no rule in the catalog matched this failure)\n");
        } else {
            b.append("category: ")
                    .append(rules.category())
                    .append(" (the rules' confidence: ")
                    .append(String.format(Locale.ROOT, "%.2f", rules.confidence()))
                    .append(")\n");
        }
        rules.ruleId().ifPresent(id -> b.append("rule: ").append(oneLine(id)).append('\n'));
        b.append("fix class: ").append(rules.fix().fixClass()).append('\n');
        b.append("layer: ").append(rules.layer()).append(", transience: ").append(rules.transience());
        return b.toString();
    }

    /** The rules' proof lines: those of its evidence that are log lines (the root cause first). */
    static List<Integer> proofLines(Diagnosis rules) {
        return rules.evidence().stream()
                .filter(e -> "log".equals(e.source()) && e.line() > 0)
                .map(Diagnosis.EvidenceLine::line)
                .distinct()
                .toList();
    }

    private static void offerProof(Selection sel, Diagnosis rules, LogDocument doc, Lines lines) {
        List<Diagnosis.EvidenceLine> proof = new ArrayList<>(rules.evidence().stream()
                .filter(e -> "log".equals(e.source()) && e.line() > 0)
                .toList());
        Optional<Integer> root = rules.rootCause().map(Diagnosis.RootCause::line);
        // the root cause first, then the newest proof: what fails the run is near the end
        proof.sort(
                Comparator.<Diagnosis.EvidenceLine>comparingInt(e -> root.isPresent() && root.get() == e.line() ? 0 : 1)
                        .thenComparing(Comparator.comparingInt(Diagnosis.EvidenceLine::line)
                                .reversed()));
        Set<Integer> seen = new HashSet<>();
        for (Diagnosis.EvidenceLine e : proof) {
            if (!seen.add(e.line())) {
                continue;
            }
            Optional<LogLine> l = doc.line(e.line());
            String text = l.isPresent() ? lines.text(l.get()) : lines.clean(e.text());
            String message = l.map(LogLine::message).orElse(e.text());
            if (!sel.offer(new Entry(
                    Section.PROOF, lineKey(e.line()), numbered(e.line(), text, lines.repeats(message)), e.line()))) {
                return;
            }
            sel.shownMessages.add(message);
        }
    }

    // --- (c) the root-cause exception chain

    private record Candidate(int rank, int distance, int seq, Entry entry, String message) {}

    private static void offerChain(Selection sel, Diagnosis rules, LogDocument doc, Lines lines) {
        Optional<ExceptionChain> found = chainOf(doc, rules);
        if (found.isEmpty()) {
            return;
        }
        ExceptionChain chain = found.get();
        int root = rules.rootCause()
                .map(Diagnosis.RootCause::line)
                .filter(chain::contains)
                .orElse(chain.rootCause().line());
        Set<Integer> headers = chain.links().stream().map(ThrownException::line).collect(Collectors.toSet());
        List<LogLine> block = between(doc, chain.firstLine(), chain.lastLine());
        List<Candidate> cands = new ArrayList<>();
        int i = 0;
        while (i < block.size()) {
            LogLine l = block.get(i);
            int n = l.number();
            if (n == root || headers.contains(n)) {
                cands.add(lineCandidate(n == root ? 0 : 1, Math.abs(n - root), cands.size(), l, lines));
                i++;
            } else if (isJavaFrame(l)) {
                int j = i;
                List<List<LogLine>> units = new ArrayList<>();
                while (j < block.size() && isJavaFrame(block.get(j)) && !isHeader(block.get(j), root, headers)) {
                    units.add(List.of(block.get(j)));
                    j++;
                }
                addRun(cands, units, true, "frames", 3, Math.abs(n - root), lines);
                i = j;
            } else if (isPythonFrame(l)) {
                int j = i;
                List<List<LogLine>> units = new ArrayList<>();
                while (j < block.size() && isPythonFrame(block.get(j)) && !isHeader(block.get(j), root, headers)) {
                    List<LogLine> unit = new ArrayList<>(List.of(block.get(j)));
                    j++;
                    if (j < block.size() && isCodeLine(block.get(j)) && !isHeader(block.get(j), root, headers)) {
                        unit.add(block.get(j));
                        j++;
                    }
                    units.add(unit);
                }
                // Python prints the most recent call last: the last frames are the ones to keep
                addRun(cands, units, false, "frames", 3, Math.abs(n - root), lines);
                i = j;
            } else {
                int j = i;
                List<List<LogLine>> units = new ArrayList<>();
                while (j < block.size()
                        && !isHeader(block.get(j), root, headers)
                        && !isJavaFrame(block.get(j))
                        && !isPythonFrame(block.get(j))) {
                    units.add(List.of(block.get(j)));
                    j++;
                }
                addRun(cands, units, true, "lines", 2, Math.abs(n - root), lines);
                i = j;
            }
        }
        cands.sort(Comparator.comparingInt(Candidate::rank)
                .thenComparingInt(Candidate::distance)
                .thenComparingInt(Candidate::seq));
        for (Candidate c : cands) {
            if (!sel.offer(c.entry())) {
                return;
            }
            if (c.message() != null) {
                sel.shownMessages.add(c.message());
            }
        }
    }

    private static boolean isHeader(LogLine l, int root, Set<Integer> headers) {
        return l.number() == root || headers.contains(l.number());
    }

    private static Candidate lineCandidate(int rank, int distance, int seq, LogLine l, Lines lines) {
        return new Candidate(
                rank,
                distance,
                seq,
                new Entry(Section.CHAIN, lineKey(l.number()), numbered(l.number(), lines.text(l), 1), l.number()),
                l.message());
    }

    /**
     * A run of frames (or of message lines): keeps {@link #KEEP_FRAMES} frames ({@link #KEEP_TEXT_LINES}
     * lines) from the start or from the end, and one {@code … N frames …} marker for the rest.
     */
    private static void addRun(
            List<Candidate> cands,
            List<List<LogLine>> units,
            boolean keepFirst,
            String what,
            int rank,
            int distance,
            Lines lines) {
        int keep = what.equals("frames") ? KEEP_FRAMES : KEEP_TEXT_LINES;
        if (units.isEmpty()) {
            return;
        }
        int omitted = Math.max(0, units.size() - keep);
        List<List<LogLine>> kept =
                keepFirst ? units.subList(0, units.size() - omitted) : units.subList(omitted, units.size());
        for (List<LogLine> unit : kept) {
            for (LogLine l : unit) {
                if (rank == 2 && l.text().isBlank()) {
                    continue;
                }
                cands.add(lineCandidate(rank, distance, cands.size(), l, lines));
            }
        }
        if (omitted > 0) {
            String marker = "… " + omitted + " " + (omitted == 1 ? what.substring(0, what.length() - 1) : what) + " …";
            long key = keepFirst
                    ? lineKey(kept.get(kept.size() - 1)
                                    .get(kept.get(kept.size() - 1).size() - 1)
                                    .number())
                            + 1
                    : lineKey(kept.get(0).get(0).number()) - 1;
            cands.add(new Candidate(rank, distance, cands.size(), new Entry(Section.CHAIN, key, marker, 0), null));
        }
    }

    private static Optional<ExceptionChain> chainOf(LogDocument doc, Diagnosis rules) {
        Optional<Integer> root = rules.rootCause().map(Diagnosis.RootCause::line);
        if (root.isPresent()) {
            for (int i = doc.chains().size() - 1; i >= 0; i--) {
                if (doc.chains().get(i).contains(root.get())) {
                    return Optional.of(doc.chains().get(i));
                }
            }
        }
        return doc.primaryChain();
    }

    private static boolean isJavaFrame(LogLine l) {
        return JAVA_FRAME.matcher(l.message()).matches()
                || JAVA_FRAME.matcher(l.text()).matches();
    }

    private static boolean isPythonFrame(LogLine l) {
        return PY_FRAME.matcher(l.message()).matches()
                || PY_FRAME.matcher(l.text()).matches();
    }

    private static boolean isCodeLine(LogLine l) {
        String t = l.format() == LogLine.Format.PLAIN ? l.text() : l.message();
        return !t.isBlank() && Character.isWhitespace(t.charAt(0)) && !isPythonFrame(l) && !isJavaFrame(l);
    }

    /** The kept lines numbered from {@code first} to {@code last}. */
    private static List<LogLine> between(LogDocument doc, int first, int last) {
        List<LogLine> all = doc.lines();
        int lo = 0;
        int hi = all.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (all.get(mid).number() < first) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        List<LogLine> out = new ArrayList<>();
        for (int i = lo; i < all.size() && all.get(i).number() <= last; i++) {
            out.add(all.get(i));
        }
        return out;
    }

    // --- (d) facts and missing evidence

    private static void offerFacts(Selection sel, List<Fact> facts, List<String> missing, Lines lines) {
        int seq = 0;
        for (Fact f : facts) {
            String text = "- [" + lines.clean(f.source()) + "] " + lines.clean(f.key() + " = " + f.value());
            if (!sel.offer(new Entry(Section.FACTS, seq++, text, 0))) {
                return;
            }
        }
        for (String m : missing) {
            if (!sel.offer(new Entry(Section.FACTS, seq++, "- not collected: " + lines.clean(m), 0))) {
                return;
            }
        }
    }

    // --- (e) more log context

    private static void offerContext(Selection sel, LogDocument doc, Lines lines) {
        Iterator<LogLine> it = contextCandidates(doc, sel).iterator();
        while (it.hasNext()) {
            LogLine l = it.next();
            if (sel.citable.contains(l.number()) || l.text().isBlank() || sel.shownMessages.contains(l.message())) {
                continue;
            }
            Entry e = new Entry(
                    Section.CONTEXT,
                    lineKey(l.number()),
                    numbered(l.number(), lines.text(l), lines.repeats(l.message())),
                    l.number());
            if (!sel.offer(e)) {
                return;
            }
            sel.shownMessages.add(l.message());
        }
    }

    /** Around the proof lines, then the last error lines, then everything else, newest first. */
    private static List<LogLine> contextCandidates(LogDocument doc, Selection sel) {
        List<LogLine> out = new ArrayList<>();
        List<Integer> anchors = new ArrayList<>(sel.proofShown);
        anchors.sort(Comparator.reverseOrder());
        for (int anchor : anchors) {
            for (int d = 1; d <= AROUND_PROOF; d++) {
                doc.line(anchor - d).ifPresent(out::add);
                doc.line(anchor + d).ifPresent(out::add);
            }
        }
        List<LogLine> all = doc.lines();
        Set<String> errors = new HashSet<>(sel.shownMessages);
        int wanted = errors.size() + LAST_ERRORS;
        for (int i = all.size() - 1; i >= 0 && errors.size() < wanted; i--) {
            LogLine l = all.get(i);
            // distinct messages: a repeated error shows once, so it must not use up the quota
            if ((l.isErrorLevel() || ERRORISH.matcher(l.message()).find()) && errors.add(l.message())) {
                out.add(l);
            }
        }
        for (int i = all.size() - 1; i >= 0; i--) {
            out.add(all.get(i));
        }
        return out;
    }

    // --- rendering

    private static String numbered(int line, String text, int repeats) {
        return "L" + line + ": " + text + (repeats > 1 ? " (×" + repeats + ")" : "");
    }

    private static long lineKey(int line) {
        return line * 4L + 2;
    }

    private static String coverage(long shown, long kept, long total, boolean truncated, long dropped) {
        StringBuilder b = new StringBuilder()
                .append("Log lines shown: ")
                .append(shown)
                .append(" of the ")
                .append(kept)
                .append(" lines the log reader kept from a log of ")
                .append(total)
                .append(" lines.");
        if (truncated) {
            b.append(" Lower-priority context was left out to fit the token budget.");
        }
        if (dropped > 0) {
            b.append(" The reader did not keep ").append(dropped).append(" lines from the middle of the log.");
        }
        return b.toString();
    }

    /** "3, 7-9, 812" for the repair prompt, shortened when very long. */
    static String ranges(SortedSet<Integer> numbers) {
        StringBuilder b = new StringBuilder();
        Integer start = null;
        Integer prev = null;
        for (int n : numbers) {
            if (prev != null && n == prev + 1) {
                prev = n;
                continue;
            }
            if (start != null) {
                appendRange(b, start, prev);
            }
            start = n;
            prev = n;
            if (b.length() > MAX_CITABLE_LIST_CHARS) {
                return b + "…";
            }
        }
        if (start != null) {
            appendRange(b, start, prev);
        }
        return b.toString();
    }

    private static void appendRange(StringBuilder b, int from, int to) {
        if (!b.isEmpty()) {
            b.append(", ");
        }
        b.append(from == to ? Integer.toString(from) : from + "-" + to);
    }

    static String cap(String s, int max) {
        return s.length() <= max ? s : s.substring(0, cutIndex(s, max)) + "…";
    }

    private static int cutIndex(String s, int max) {
        return Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max;
    }

    private static String oneLine(String s) {
        return UNSAFE_CHARS.matcher(s).replaceAll(" ");
    }

    /** The parts of the user message, in priority order. */
    private enum Section {
        EVENT("event"),
        PROOF("proof"),
        CHAIN("chain"),
        FACTS("facts"),
        CONTEXT("context");

        final String placeholder;

        Section(String placeholder) {
            this.placeholder = placeholder;
        }
    }

    /** One line of the user message; {@code line} is its log line number, or 0 for other text. */
    private record Entry(Section section, long sortKey, String text, int line) {}

    /** What was chosen so far, and how much of the budget it used. */
    private static final class Selection {
        private final int limit;
        private int used;
        private boolean full;
        boolean truncated;
        final Map<Section, List<Entry>> chosen = new EnumMap<>(Section.class);
        final SortedSet<Integer> citable = new TreeSet<>();
        final List<Integer> proofShown = new ArrayList<>();
        final Set<String> shownMessages = new HashSet<>();

        Selection(int limit) {
            this.limit = limit;
        }

        /** Adds the entry when it fits; once one does not, nothing more is added. */
        boolean offer(Entry e) {
            if (full) {
                truncated = true;
                return false;
            }
            int cost = Tokens.estimate(e.text()) + 1; // + the newline
            if (used + cost > limit) {
                full = true;
                truncated = true;
                return false;
            }
            used += cost;
            chosen.computeIfAbsent(e.section(), s -> new ArrayList<>()).add(e);
            if (e.line() > 0) {
                citable.add(e.line());
                if (e.section() == Section.PROOF) {
                    proofShown.add(e.line());
                }
            }
            return true;
        }

        String render(Section s) {
            List<Entry> entries = chosen.getOrDefault(s, List.of());
            if (entries.isEmpty()) {
                return NONE;
            }
            return entries.stream()
                    .sorted(Comparator.comparingLong(Entry::sortKey))
                    .map(Entry::text)
                    .collect(Collectors.joining("\n"));
        }
    }

    /** Line text as it may appear in a prompt: redacted, private-key blocks masked, capped, defused. */
    private static final class Lines {
        private final LogDocument doc;
        private final Fence fence;
        private final Set<Integer> masked;
        private Map<String, Integer> repeats;

        Lines(LogDocument doc, Fence fence) {
            this.doc = doc;
            this.fence = fence;
            this.masked = privateKeyLines(doc);
        }

        String text(LogLine l) {
            if (masked.contains(l.number()) || BASE64_LINE.matcher(l.message()).matches()) {
                return "[REDACTED]";
            }
            return clean(l.text());
        }

        String clean(String raw) {
            return cleanRedacted(Redactor.redact(raw == null ? "" : raw));
        }

        /** Redaction first (a secret cut by the cap would escape it), then the cap and the fences. */
        String cleanRedacted(String redacted) {
            return fence.defuse(cap(UNSAFE_CHARS.matcher(redacted).replaceAll(" "), MAX_LINE_CHARS));
        }

        int repeats(String message) {
            if (repeats == null) {
                repeats = new HashMap<>();
                for (LogLine l : doc.lines()) {
                    repeats.merge(l.message(), 1, Integer::sum);
                }
            }
            return repeats.getOrDefault(message, 1);
        }

        /**
         * The lines inside a private key block after its BEGIN line: the redactor works on one line at a
         * time here, so it masks only the BEGIN line itself.
         */
        private static Set<Integer> privateKeyLines(LogDocument doc) {
            Set<Integer> out = new HashSet<>();
            boolean inside = false;
            int prev = Integer.MIN_VALUE;
            for (LogLine l : doc.lines()) {
                if (inside && l.number() != prev + 1 && l.number() != prev) {
                    inside = false;
                }
                if (inside) {
                    out.add(l.number());
                    if (KEY_END.matcher(l.text()).find()) {
                        inside = false;
                    }
                } else if (KEY_BEGIN.matcher(l.text()).find()
                        && !KEY_END.matcher(l.text()).find()) {
                    inside = true;
                }
                prev = l.number();
            }
            return out;
        }
    }
}
