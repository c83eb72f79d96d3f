package io.deagent.core.rules;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One diagnosis rule, as written in a catalog YAML file. Rules are data: matchers over what the reader
 * found, entity extractors, and the fix.
 *
 * @param id stable id, {@code layer.name}
 * @param category a taxonomy category
 * @param priority specificity from 0 to 100: higher wins when several rules match equally well
 * @param confidence the confidence when the rule matches in the root cause, before adjustments
 * @param transient whether a retry may succeed on its own
 * @param title the headline, with {@code {key}} entity placeholders and {@code {key? optional text}} parts
 * @param summary one or two sentences for the reader, same placeholders
 * @param when the conditions
 * @param entities taxonomy entity key to regexes (group 1, or the named group {@code v}, is the value)
 * @param fix what to do
 * @param confirm facts that, when a source measured them, confirm the diagnosis: they raise the confidence
 *     and are shown as evidence, but are not needed for the rule to match
 */
public record Rule(
        String id,
        String category,
        int priority,
        double confidence,
        @JsonProperty("transient") boolean isTransient,
        String title,
        String summary,
        When when,
        Map<String, List<String>> entities,
        Fix fix,
        List<Matcher> confirm) {

    /** {@code any}: at least one must match (and gives the proof); {@code all}: each must; {@code none}: none may. */
    public record When(List<Matcher> any, List<Matcher> all, List<Matcher> none) {
        public When {
            any = any == null ? List.of() : List.copyOf(any);
            all = all == null ? List.of() : List.copyOf(all);
            none = none == null ? List.of() : List.copyOf(none);
        }
    }

    /**
     * One condition. {@code exception} is a regex on the class (simple or qualified name), optionally with
     * {@code message}; {@code line} is a regex on any kept line's message; {@code sqlstate} a SQLSTATE code;
     * {@code fact} a key a source measured, with {@code at_least} (a number) or {@code value} (a regex).
     * {@code where}: {@code root} (the root cause only), {@code chain} (the failing chain), or {@code any}.
     */
    public record Matcher(
            String exception,
            String message,
            String line,
            String sqlstate,
            String where,
            String fact,
            @JsonProperty("at_least") Double atLeast,
            String value) {
        public Matcher {
            where = where == null ? "any" : where;
        }

        boolean isFact() {
            return fact != null;
        }

        Pattern exceptionPattern() {
            return exception == null ? null : Pattern.compile("(?:^|\\.)(?:" + exception + ")$");
        }

        Pattern messagePattern() {
            return message == null ? null : Pattern.compile(message, Pattern.DOTALL);
        }

        Pattern linePattern() {
            return line == null ? null : Pattern.compile(line);
        }
    }

    /** The remedy: a taxonomy fix class, a summary, and concrete steps with entity placeholders. */
    public record Fix(@JsonProperty("class") String fixClass, String summary, List<String> steps) {
        public Fix {
            steps = steps == null ? List.of() : List.copyOf(steps);
        }
    }

    public Rule {
        confirm = confirm == null ? List.of() : List.copyOf(confirm);
        // keep the file's order: Map.copyOf iterates in a different order on every JVM run
        entities = entities == null
                ? Map.of()
                : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(entities));
        if (priority == 0) {
            priority = 50;
        }
        if (confidence == 0) {
            confidence = 0.75;
        }
    }
}
