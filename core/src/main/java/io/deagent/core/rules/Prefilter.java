package io.deagent.core.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The literal strings a regex cannot match without: at least one of them occurs in any text the regex finds
 * a match in. Checking {@code String.contains} first lets the classifier skip the regex on almost every
 * line, which is where a large log's time went.
 *
 * <p>Derived conservatively from the pattern: top-level alternatives each contribute their longest literal
 * run outside groups, classes and quantified characters. A pattern with an alternative that has no literal
 * of three or more characters gets no prefilter and always runs.
 */
record Prefilter(String[] literals, boolean ignoreCase) {

    private static final int MIN_LITERAL = 3;
    private static final String CLASS_ESCAPES = "dDwWsSbBAzZGpPkRXhHvVNQEcuxrfea0123456789";

    /** Whether the pattern can match {@code text}; {@code lower} is {@code text} in lower case. */
    boolean mayMatch(String text, String lower) {
        String haystack = ignoreCase ? lower : text;
        for (String l : literals) {
            if (haystack.contains(l)) {
                return true;
            }
        }
        return false;
    }

    /** A matcher that runs the prefilter first when the pattern has one. */
    record Guarded(Pattern pattern, Optional<Prefilter> prefilter) {
        static Guarded of(String regex) {
            return new Guarded(Pattern.compile(regex), Prefilter.of(regex));
        }

        boolean mayMatch(String text, String lower) {
            return prefilter.isEmpty() || prefilter.get().mayMatch(text, lower);
        }
    }

    static Optional<Prefilter> of(String regex) {
        boolean ignoreCase = false;
        String body = regex;
        if (body.startsWith("(?i)")) {
            ignoreCase = true;
            body = body.substring(4);
        }
        if (body.contains("(?i") || body.contains("\\Q") || body.contains("(?x")) {
            return Optional.empty();
        }
        List<String> literals = new ArrayList<>();
        for (String alternative : topLevelAlternatives(body)) {
            String best = longestLiteral(alternative);
            if (best.length() < MIN_LITERAL) {
                return Optional.empty();
            }
            literals.add(ignoreCase ? best.toLowerCase(Locale.ROOT) : best);
        }
        return literals.isEmpty()
                ? Optional.empty()
                : Optional.of(new Prefilter(literals.toArray(String[]::new), ignoreCase));
    }

    private static List<String> topLevelAlternatives(String re) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < re.length(); i++) {
            char c = re.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '[') {
                i = endOfClass(re, i);
            } else if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == '|' && depth == 0) {
                out.add(re.substring(start, i));
                start = i + 1;
            }
        }
        out.add(re.substring(start));
        return out;
    }

    /** The longest run of characters the alternative must contain, in order. */
    private static String longestLiteral(String re) {
        String best = "";
        StringBuilder run = new StringBuilder();
        for (int i = 0; i < re.length(); i++) {
            char c = re.charAt(i);
            char literal;
            if (c == '\\' && i + 1 < re.length()) {
                char e = re.charAt(++i);
                if (CLASS_ESCAPES.indexOf(e) >= 0) {
                    best = longer(best, run);
                    run.setLength(0);
                    continue;
                }
                literal = e == 't' ? '\t' : e == 'n' ? '\n' : e;
            } else if (c == '[') {
                i = endOfClass(re, i);
                best = longer(best, run);
                run.setLength(0);
                continue;
            } else if (c == '(') {
                i = endOfGroup(re, i);
                best = longer(best, run);
                run.setLength(0);
                continue;
            } else if (c == '.' || c == '^' || c == '$' || c == ')' || c == '|') {
                best = longer(best, run);
                run.setLength(0);
                continue;
            } else if (c == '?' || c == '*' || c == '{') {
                // the character before is optional: it cannot be part of a required run
                if (!run.isEmpty()) {
                    run.setLength(run.length() - 1);
                }
                best = longer(best, run);
                run.setLength(0);
                if (c == '{') {
                    int close = re.indexOf('}', i);
                    i = close < 0 ? re.length() : close;
                }
                continue;
            } else if (c == '+') {
                best = longer(best, run);
                run.setLength(0);
                continue;
            } else {
                literal = c;
            }
            run.append(literal);
        }
        return longer(best, run);
    }

    private static String longer(String best, StringBuilder run) {
        return run.length() > best.length() ? run.toString() : best;
    }

    private static int endOfClass(String re, int open) {
        int i = open + 1;
        if (i < re.length() && re.charAt(i) == '^') {
            i++;
        }
        if (i < re.length() && re.charAt(i) == ']') {
            i++;
        }
        for (; i < re.length(); i++) {
            char c = re.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '[') {
                i = endOfClass(re, i);
            } else if (c == ']') {
                return i;
            }
        }
        return re.length();
    }

    private static int endOfGroup(String re, int open) {
        int depth = 0;
        for (int i = open; i < re.length(); i++) {
            char c = re.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '[') {
                i = endOfClass(re, i);
            } else if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                // a quantifier after the group changes nothing: the group is not part of any run
                return i;
            }
        }
        return re.length();
    }
}
