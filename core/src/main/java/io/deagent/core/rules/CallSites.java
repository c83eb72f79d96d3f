package io.deagent.core.rules;

import io.deagent.core.log.LogDocument;
import io.deagent.core.log.LogLine;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where in the user's own code the failure happened, as {@code <runtime path>:<line>}: Spark's call site of
 * the failing action ({@code collect at /opt/spark/jobs/etl.py:42}), else the deepest frame of a Python
 * traceback that is not in a library ({@code File "/opt/airflow/dags/etl.py", line 42, in <module>}). The
 * path is the one the job ran from; mapping it to a repository is the remediation's business.
 */
public final class CallSites {

    /** Spark names the action and the Python line that started it, in stage and job names. */
    private static final Pattern SPARK =
            Pattern.compile("\\b[a-zA-Z]\\w* at ((?:[A-Za-z]:)?/?[\\w.@~+/-]*\\.py):(\\d+)\\b");

    private static final Pattern FRAME = Pattern.compile("\\bFile \"([^\"]+\\.py)\", line (\\d+)(?:, in \\S+)?");

    /** Frames in these places are libraries, not the job: the call site is where user code called them. */
    private static final List<String> LIBRARY_MARKERS = List.of(
            "/site-packages/",
            "/dist-packages/",
            "/lib/python",
            "/pyspark/",
            "/py4j/",
            "/airflow/models/",
            "/airflow/operators/",
            "/airflow/providers/",
            "/airflow/task/",
            "/airflow/utils/",
            "/airflow/sdk/",
            "/airflow/execution_time/",
            "<frozen");

    private CallSites() {}

    /** The call site of the failure, searched in the proof lines first, then in the whole log. */
    public static Optional<String> find(LogDocument doc, List<LogLine> proof) {
        for (LogLine l : proof) {
            Optional<String> s = spark(l.message());
            if (s.isPresent()) {
                return s;
            }
        }
        Optional<String> frame = deepestUserFrame(doc.lines());
        if (frame.isPresent()) {
            return frame;
        }
        List<LogLine> lines = doc.lines();
        for (int i = lines.size() - 1; i >= 0; i--) {
            Optional<String> s = spark(lines.get(i).message());
            if (s.isPresent()) {
                return s;
            }
        }
        return Optional.empty();
    }

    static Optional<String> spark(String text) {
        Matcher m = SPARK.matcher(text);
        while (m.find()) {
            if (!isLibrary(m.group(1))) {
                return Optional.of(m.group(1) + ":" + m.group(2));
            }
        }
        return Optional.empty();
    }

    /** The last user frame of the last traceback: the innermost line of the job's own code. */
    static Optional<String> deepestUserFrame(List<LogLine> lines) {
        for (int i = lines.size() - 1; i >= 0; i--) {
            Matcher m = FRAME.matcher(lines.get(i).message());
            if (m.find() && !isLibrary(m.group(1))) {
                return Optional.of(m.group(1) + ":" + m.group(2));
            }
        }
        return Optional.empty();
    }

    static boolean isLibrary(String path) {
        String p = path.replace('\\', '/').toLowerCase(Locale.ROOT);
        for (String marker : LIBRARY_MARKERS) {
            if (p.contains(marker)) {
                return true;
            }
        }
        return false;
    }
}
