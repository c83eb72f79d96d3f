package io.deagent.core.log;

/**
 * One exception in a chain as printed in the log.
 *
 * @param className the class as printed (fully qualified when the log has it)
 * @param message the message (may span several lines, joined with newlines), or empty
 * @param line 1-based line number of the exception's header line
 * @param lastLine the last line of its message and frames
 * @param language java or python
 * @param embedded true when found inside another exception's message rather than on its own line
 */
public record ThrownException(
        String className, String message, int line, int lastLine, Language language, boolean embedded) {

    public enum Language {
        JAVA,
        PYTHON
    }

    /** The class name without its package. */
    public String simpleName() {
        int dot = className.lastIndexOf('.');
        return dot < 0 ? className : className.substring(dot + 1);
    }

    /** "Class: message" on one line, the way the log shows the header. */
    public String headline() {
        String first = message.isEmpty() ? "" : message.lines().findFirst().orElse("");
        return first.isEmpty() ? className : className + ": " + first;
    }
}
