package io.deagent.core;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes secrets and personal data from text before it leaves the process (report, JSON, store, Slack, LLM,
 * our logs): AWS keys, passwords in URLs and JDBC strings, bearer/Slack/GitHub/API tokens, JWTs, private keys,
 * webhook URLs, e-mail addresses, and the patterns a team adds.
 */
public final class Redactor {

    private static final String MASK = "[REDACTED]";

    private record Rule(Pattern pattern, int group) {}

    private static final List<Rule> RULES = List.of(
            new Rule(
                    Pattern.compile(
                            "-----BEGIN [A-Z ]*PRIVATE KEY-----[\\s\\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)"),
                    0),
            new Rule(Pattern.compile("\\b((?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16})\\b"), 1),
            new Rule(
                    Pattern.compile(
                            "(?i)(aws_secret_access_key|secret_?access_?key|aws_session_token)[\"']?\\s*[:=]\\s*[\"']?([A-Za-z0-9/+=]{16,})"),
                    2),
            new Rule(Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://[^:/@\\s]+:)([^@/\\s]+)(@)"), 2),
            new Rule(
                    Pattern.compile(
                            "(?i)([?&;](?:password|pwd|passwd|secret|token|api[_-]?key|access[_-]?key|sig|signature)=)([^&;\\s\"']+)"),
                    2),
            new Rule(
                    Pattern.compile(
                            "(?i)((?<![A-Za-z0-9])(?:[A-Za-z0-9]+[_.-])*(?:password|passwd|pwd|secret|api[_-]?key|token)[\"']?\\s*[:=]\\s*[\"']?)([^\\s\"',;}]{4,})"),
                    2),
            new Rule(Pattern.compile("(?i)(\\bbearer\\s+)([A-Za-z0-9._~+/=-]{8,})"), 2),
            new Rule(Pattern.compile("\\b(xox[abposr]-[A-Za-z0-9-]{10,})"), 1),
            new Rule(Pattern.compile("\\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})"), 1),
            new Rule(Pattern.compile("\\b(eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,})"), 1),
            new Rule(Pattern.compile("(https://hooks\\.slack\\.com/services/)([A-Za-z0-9/]+)"), 2),
            new Rule(Pattern.compile("(https://[\\w.-]*webhook\\.office\\.com/webhookb2/)(\\S+)"), 2),
            new Rule(Pattern.compile("(https://(?:discord(?:app)?\\.com)/api/webhooks/)([\\w/-]+)"), 2),
            new Rule(Pattern.compile("\\b([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,})\\b"), 1),
            new Rule(Pattern.compile("\\b(AIza[0-9A-Za-z_-]{35})\\b"), 1),
            new Rule(Pattern.compile("\\b(sk-(?:ant-)?[A-Za-z0-9_-]{20,})\\b"), 1));

    /** Patterns a team adds ({@code DE_AGENT_REDACT_PATTERNS}); each whole match is masked. */
    private static volatile List<Rule> extra = List.of();

    private Redactor() {}

    /**
     * Adds patterns to mask everywhere (set once at start-up from configuration). Invalid regexes are
     * refused with the pattern named.
     */
    public static void addPatterns(List<String> regexes) {
        List<Rule> rules = new java.util.ArrayList<>(extra);
        for (String r : regexes) {
            if (rules.stream().anyMatch(x -> x.pattern().pattern().equals(r))) {
                continue; // configuration loaded twice adds nothing
            }
            try {
                rules.add(new Rule(Pattern.compile(r), 0));
            } catch (java.util.regex.PatternSyntaxException e) {
                throw new IllegalArgumentException(
                        "not a valid redaction pattern: " + r + " (" + e.getDescription() + ")");
            }
        }
        extra = List.copyOf(rules);
    }

    private static List<Rule> concat(List<Rule> a, List<Rule> b) {
        List<Rule> out = new java.util.ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    public static String redact(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String s = text;
        for (Rule r : extra.isEmpty() ? RULES : concat(RULES, extra)) {
            Matcher m = r.pattern().matcher(s);
            if (!m.find()) {
                continue;
            }
            StringBuilder out = new StringBuilder();
            m.reset();
            while (m.find()) {
                String whole = m.group();
                String secret = m.group(r.group());
                int at = m.start(r.group()) - m.start();
                String replaced = whole.substring(0, at) + MASK + whole.substring(at + secret.length());
                m.appendReplacement(out, Matcher.quoteReplacement(replaced));
            }
            m.appendTail(out);
            s = out.toString();
        }
        return s;
    }
}
