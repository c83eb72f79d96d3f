package io.deagent.core.rules;

import java.util.Optional;

/**
 * A measured value a source reported, such as {@code spark.stage.taskDuration.maxOverMedian = 14.2} from
 * the Spark History Server. Rules match facts by key, against a threshold or a pattern.
 */
public record Fact(String source, String key, String value) {

    /** The value as a number, when it is one. */
    public Optional<Double> number() {
        try {
            return Optional.of(Double.parseDouble(value.trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** How the fact reads in a report. */
    public String text() {
        return key + " = " + value;
    }
}
