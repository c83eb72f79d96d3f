package io.deagent.core.log;

import java.util.List;
import java.util.Set;

/**
 * An exception with its causes, outermost first and the innermost cause last, whatever order the language
 * prints them in (Java prints the wrapper first, Python the original cause first).
 *
 * @param links outermost first
 * @param firstLine first line of the whole block
 * @param lastLine last line of the whole block
 */
public record ExceptionChain(List<ThrownException> links, int firstLine, int lastLine) {

    /** Exceptions that only carry another one: the label belongs to what they wrap (taxonomy rule 1). */
    private static final Set<String> WRAPPERS = Set.of(
            "Py4JJavaError",
            "ExecutionException",
            "InvocationTargetException",
            "UndeclaredThrowableException",
            "CompletionException",
            "CalledProcessError",
            "SparkDriverExecutionException",
            "StreamingQueryException",
            "AirflowException",
            "AirflowFailException",
            "DbtRuntimeError",
            "TaskDeferralError",
            "PythonException",
            "RuntimeException",
            "Exception",
            "Error",
            "UncheckedIOException",
            "SparkUpgradeException");

    public static boolean isWrapper(ThrownException e) {
        String simple = e.simpleName();
        if (WRAPPERS.contains(simple)) {
            return true;
        }
        if (simple.equals("SparkException")) {
            String m = e.message();
            return m.startsWith("Job aborted")
                    || m.startsWith("Exception thrown in awaitResult")
                    || m.contains("Task failed while writing rows")
                    || m.startsWith("[TASK_WRITE_FAILED]")
                    || m.startsWith("Job ")
                    || m.startsWith("[FAILED_");
        }
        return false;
    }

    /** The innermost exception that is not a wrapper, or the innermost one when all are wrappers. */
    public ThrownException rootCause() {
        for (int i = links.size() - 1; i >= 0; i--) {
            if (!isWrapper(links.get(i))) {
                return links.get(i);
            }
        }
        return links.get(links.size() - 1);
    }

    public boolean contains(int lineNumber) {
        return lineNumber >= firstLine && lineNumber <= lastLine;
    }
}
