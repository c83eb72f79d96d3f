package io.deagent.llm.prompt;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.deagent.core.Diagnosis;
import io.deagent.core.Taxonomy;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decides whether a model's answer may be used. The answer is untrusted text: it must be one JSON object
 * (a Markdown fence or a sentence around it is tolerated; several JSON values or an array are not), with
 * taxonomy labels for {@code category} and {@code fix.class}, a confidence in [0, 1], non-blank and bounded
 * texts (title ≤ {@value #MAX_TITLE}, summary ≤ {@value #MAX_SUMMARY} characters, 1 to {@value #MAX_STEPS}
 * steps of ≤ {@value #MAX_STEP}), evidence lines that were in the prompt, no Slack markup that could
 * notify anyone, and no link that the prompt did not contain.
 *
 * <p><b>Hard evidence wins.</b> When the rules' verdict is not {@code unknown} and its confidence is at least
 * {@value #HARD_EVIDENCE}, an answer with a different category is accepted only if it cites at least one of
 * the rules' proof lines (the log lines of the rules' evidence) and is at least as confident as the rules.
 * The model may overrule a confident rule only by engaging with the line the rule stands on; otherwise the
 * answer is rejected as contradicting that proof line. A verdict that rests only on measured facts (no proof
 * line) therefore cannot be overruled.
 */
public final class AnswerValidator {

    public static final int MAX_TITLE = 200;
    public static final int MAX_SUMMARY = 1500;
    public static final int MAX_FIX_SUMMARY = 1500;
    public static final int MAX_STEPS = 10;
    public static final int MAX_STEP = 500;
    public static final int MAX_EVIDENCE_LINES = 20;
    public static final double HARD_EVIDENCE = 0.8;
    /** Longer model output is not parsed at all. */
    public static final int MAX_ANSWER_CHARS = 64 * 1024;
    /** Openings tried before giving up on prose full of braces: bounds the work on hostile output. */
    private static final int MAX_PARSE_ATTEMPTS = 200;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final Pattern SLACK_MARKUP =
            Pattern.compile("<[!@#][^>]*>|(?i)(?<![\\w@])@(channel|here|everyone)\\b");
    private static final Pattern URL = Pattern.compile("(?i)\\b(?:(?:https?|ftp)://|www\\.)[^\\s<>\"'`|]+");
    private static final Pattern CITATION = Pattern.compile("(?i)L?(\\d{1,9})");

    private AnswerValidator() {}

    /** Validates {@code modelText} against the prompt it answers and the rules' diagnosis. */
    public static Validation validate(String modelText, Prompt prompt, Diagnosis rules) {
        if (modelText == null || modelText.isBlank()) {
            return invalid("the answer is empty");
        }
        if (modelText.length() > MAX_ANSWER_CHARS) {
            return invalid("the answer is longer than " + MAX_ANSWER_CHARS + " characters");
        }
        try {
            List<JsonNode> values = jsonValues(modelText);
            if (values.isEmpty()) {
                return invalid("the answer holds no JSON object");
            }
            if (values.size() > 1) {
                return invalid("the answer holds " + values.size() + " JSON values, expected exactly one object");
            }
            JsonNode root = values.get(0);
            if (!root.isObject()) {
                return invalid("the answer is a JSON "
                        + root.getNodeType().name().toLowerCase(Locale.ROOT) + ", expected one object");
            }
            return check(root, prompt, rules);
        } catch (Rejected r) {
            return invalid(r.getMessage());
        }
    }

    private static Validation check(JsonNode root, Prompt prompt, Diagnosis rules) {
        String category = text(root, "category", "category", 100);
        if (!Taxonomy.isCategory(category)) {
            throw new Rejected("category '" + category + "' is not a taxonomy label");
        }
        String title = text(root, "title", "title", MAX_TITLE).replaceAll("\\s+", " ");
        String summary = text(root, "summary", "summary", MAX_SUMMARY);
        JsonNode conf = root.get("confidence");
        if (conf == null || !conf.isNumber()) {
            throw new Rejected("confidence must be a number from 0 to 1");
        }
        double confidence = conf.asDouble();
        if (!(confidence >= 0.0 && confidence <= 1.0)) {
            throw new Rejected("confidence " + conf.asText() + " is outside [0, 1]");
        }
        JsonNode fix = root.get("fix");
        if (fix == null || !fix.isObject()) {
            throw new Rejected("fix must be an object with class, summary and steps");
        }
        String fixClass = text(fix, "class", "fix.class", 100);
        if (!Taxonomy.isFixClass(fixClass)) {
            throw new Rejected("fix.class '" + fixClass + "' is not a taxonomy fix class");
        }
        String fixSummary = text(fix, "summary", "fix.summary", MAX_FIX_SUMMARY);
        List<String> steps = steps(fix.get("steps"));

        List<String> texts = new ArrayList<>(List.of(title, summary, fixSummary));
        texts.addAll(steps);
        for (String t : texts) {
            Matcher m = SLACK_MARKUP.matcher(t);
            if (m.find()) {
                throw new Rejected("the answer contains Slack markup that could notify people: " + m.group());
            }
            Matcher u = URL.matcher(t);
            while (u.find()) {
                String url = u.group().replaceAll("[.,;:!?)\\]}]+$", "");
                if (!prompt.user().contains(url) && !prompt.system().contains(url)) {
                    throw new Rejected("the answer links to " + url + ", which is not in the evidence");
                }
            }
        }

        List<Integer> cited = citations(root.get("evidence_lines"), prompt);
        Optional<String> contradiction = contradiction(category, confidence, cited, rules);
        if (contradiction.isPresent()) {
            throw new Rejected(contradiction.get());
        }
        List<Diagnosis.EvidenceLine> evidence = cited.stream()
                .map(n ->
                        new Diagnosis.EvidenceLine("log", n, prompt.lineText(n).orElse("")))
                .toList();
        return new Validation.Valid(
                new LlmAnswer(category, title, summary, confidence, fixClass, fixSummary, steps, evidence));
    }

    /** The policy of the class comment: a confident rule is overruled only by citing its proof. */
    private static Optional<String> contradiction(
            String category, double confidence, List<Integer> cited, Diagnosis rules) {
        if (Taxonomy.UNKNOWN.equals(rules.category())
                || rules.confidence() < HARD_EVIDENCE
                || rules.category().equals(category)) {
            return Optional.empty();
        }
        List<Integer> proof = ContextAssembler.proofLines(rules);
        boolean citesProof = cited.stream().anyMatch(proof::contains);
        if (citesProof && confidence >= rules.confidence()) {
            return Optional.empty();
        }
        String lines = proof.isEmpty()
                ? "the measured facts"
                : proof.stream()
                        .map(n -> "L" + n)
                        .reduce((a, b) -> a + ", " + b)
                        .orElseThrow();
        return Optional.of(String.format(
                Locale.ROOT,
                "contradicts the proof line%s %s: the rules say %s with confidence %.2f; a different category must"
                        + " cite one of these lines and be at least as confident",
                proof.size() == 1 ? "" : "s",
                lines,
                rules.category(),
                rules.confidence()));
    }

    private static List<Integer> citations(JsonNode node, Prompt prompt) {
        if (node == null || !node.isArray()) {
            throw new Rejected("evidence_lines must be an array of line numbers");
        }
        Set<Integer> out = new LinkedHashSet<>();
        for (JsonNode n : node) {
            int line;
            if (n.isIntegralNumber() && n.canConvertToInt()) {
                line = n.intValue();
            } else if (n.isTextual() && CITATION.matcher(n.asText().strip()).matches()) {
                Matcher m = CITATION.matcher(n.asText().strip());
                m.matches();
                line = Integer.parseInt(m.group(1));
            } else {
                throw new Rejected("evidence_lines holds " + n + ", which is not a line number");
            }
            if (!prompt.citableLines().contains(line)) {
                throw new Rejected("evidence line " + line + " was not in the prompt");
            }
            out.add(line);
        }
        // with nothing citable in the prompt (an event without a log), an empty list is the only honest one
        if (out.isEmpty() && !prompt.citableLines().isEmpty()) {
            throw new Rejected("evidence_lines is empty: cite at least one line number from the prompt");
        }
        if (out.size() > MAX_EVIDENCE_LINES) {
            throw new Rejected("evidence_lines cites " + out.size() + " lines, at most " + MAX_EVIDENCE_LINES);
        }
        return List.copyOf(out);
    }

    private static List<String> steps(JsonNode node) {
        if (node == null || !node.isArray()) {
            throw new Rejected("fix.steps must be an array of strings");
        }
        if (node.isEmpty()) {
            throw new Rejected("fix.steps is empty: give at least one concrete step");
        }
        if (node.size() > MAX_STEPS) {
            throw new Rejected("fix.steps has " + node.size() + " steps, at most " + MAX_STEPS);
        }
        List<String> out = new ArrayList<>();
        for (JsonNode s : node) {
            if (!s.isTextual() || s.asText().isBlank()) {
                throw new Rejected("every fix step must be a non-blank string");
            }
            String step = s.asText().strip();
            if (step.length() > MAX_STEP) {
                throw new Rejected("a fix step is longer than " + MAX_STEP + " characters");
            }
            out.add(step);
        }
        return out;
    }

    private static String text(JsonNode parent, String field, String name, int max) {
        JsonNode n = parent.get(field);
        if (n == null || !n.isTextual() || n.asText().isBlank()) {
            throw new Rejected(name + " must be a non-blank string");
        }
        String s = n.asText().strip();
        if (s.length() > max) {
            throw new Rejected(name + " is longer than " + max + " characters");
        }
        return s;
    }

    /**
     * Every JSON object or array in the text, left to right: a candidate starts at each '{' or '[' that is not
     * inside a value already found, and counts when it parses as one complete value. Prose and Markdown fences
     * around the values are ignored.
     */
    static List<JsonNode> jsonValues(String text) {
        List<JsonNode> out = new ArrayList<>();
        int i = 0;
        int attempts = 0;
        while (i < text.length() && attempts++ < MAX_PARSE_ATTEMPTS) {
            int start = nextOpening(text, i);
            if (start < 0) {
                break;
            }
            Optional<Parsed> parsed = parseAt(text, start);
            if (parsed.isPresent()) {
                out.add(parsed.get().node());
                i = parsed.get().end();
            } else {
                i = start + 1;
            }
        }
        return out;
    }

    private record Parsed(JsonNode node, int end) {}

    private static Optional<Parsed> parseAt(String text, int start) {
        try (JsonParser p = JSON.createParser(text.substring(start))) {
            JsonNode node = JSON.readTree(p);
            if (node == null) {
                return Optional.empty();
            }
            long consumed = p.currentLocation().getCharOffset();
            return Optional.of(new Parsed(node, start + (int) Math.max(1, consumed)));
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("Duplicate field")) {
                // an object that says two things: neither may be trusted
                throw new Rejected("the JSON object has a field twice: " + firstLine(e.getMessage()));
            }
            // not JSON from here (or too deeply nested): prose, try the next opening
            return Optional.empty();
        }
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static int nextOpening(String text, int from) {
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '{' || c == '[') {
                return i;
            }
        }
        return -1;
    }

    private static Validation invalid(String reason) {
        return new Validation.Invalid(reason);
    }

    /** A failed check, with the reason for the repair prompt. */
    private static final class Rejected extends RuntimeException {
        Rejected(String message) {
            super(message, null, false, false);
        }
    }
}
