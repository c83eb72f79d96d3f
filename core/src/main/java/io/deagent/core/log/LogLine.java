package io.deagent.core.log;

import java.util.Optional;

/**
 * One kept line of a log: its 1-based number in the input, the cleaned text (ANSI colours and carriage
 * returns removed), and what its prefix told us.
 *
 * @param number 1-based line number in the input
 * @param text the whole line, cleaned
 * @param message the text after any recognised prefix (Airflow, log4j, JSON event)
 * @param level the log level of the prefix, upper case, or empty when the line has none
 * @param format the prefix format that was recognised
 * @param context true when the line was kept only as context around an interesting line
 */
public record LogLine(int number, String text, String message, Optional<String> level, Format format, boolean context) {

    /** Line formats the reader recognises. */
    public enum Format {
        PLAIN,
        AIRFLOW,
        AIRFLOW_JSON,
        LOG4J,
        PYTHON_LOGGING,
        K8S
    }

    /** A WARN line: something the run reported and, often, went on after. */
    public boolean isWarning() {
        return level.filter("WARN"::equals).isPresent();
    }

    public boolean isErrorLevel() {
        return level.map(l -> l.equals("ERROR") || l.equals("FATAL") || l.equals("CRITICAL"))
                .orElse(false);
    }
}
