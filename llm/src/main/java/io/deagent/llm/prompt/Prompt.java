package io.deagent.llm.prompt;

import java.util.Collections;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One assembled request to the model.
 *
 * @param system the system prompt (the same for every request of a prompt version)
 * @param user the user message: the event, the rules' verdict and the log lines, fenced as untrusted data
 * @param citableLines exactly the log line numbers shown in {@code user} as {@code L<n>: text}
 * @param estimatedInputTokens {@link Tokens#estimate} of system plus user; at most the input budget
 * @param truncated true when something was left out to fit the budget
 */
public record Prompt(
        String system, String user, SortedSet<Integer> citableLines, int estimatedInputTokens, boolean truncated) {

    private static final Pattern NUMBERED = Pattern.compile("(?m)^L(\\d+): (.*)$");
    private static final Pattern REPEATS = Pattern.compile(" \\(×\\d+\\)$");

    public Prompt {
        citableLines = Collections.unmodifiableSortedSet(new TreeSet<>(citableLines));
    }

    /**
     * The text of a numbered line as the model saw it (already redacted and capped), without the
     * {@code (×N)} repeat count; empty when the line is not in the prompt.
     */
    public Optional<String> lineText(int line) {
        if (!citableLines.contains(line)) {
            return Optional.empty();
        }
        Matcher m = NUMBERED.matcher(user);
        String wanted = Integer.toString(line);
        while (m.find()) {
            if (m.group(1).equals(wanted)) {
                return Optional.of(REPEATS.matcher(m.group(2)).replaceFirst(""));
            }
        }
        return Optional.empty();
    }
}
