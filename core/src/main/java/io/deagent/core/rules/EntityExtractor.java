package io.deagent.core.rules;

import io.deagent.core.log.ExceptionChain;
import io.deagent.core.log.LogDocument;
import io.deagent.core.log.LogLine;
import io.deagent.core.log.ThrownException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pulls the taxonomy's entities out of the log. Values are always substrings of the input, never
 * rewritten: the reader can search for them.
 */
final class EntityExtractor {

    private static final List<Common> COMMON = List.of(
            new Common("dag_id", "\\bdag_id=([^,\\s]+)"),
            new Common("task_id", "\\btask_id=([^,\\s]+)"),
            new Common("run_id", "\\brun_id=([^,\\s]+)"),
            new Common("task_id", "Executing <Task\\([\\w.]+\\): ([\\w.-]+)>"),
            new Common("try_number", "Starting attempt (\\d+) of \\d+"),
            new Common("application_id", "\\b(application_\\d{10,}_\\d+|local-\\d{10,}|app-\\d{14}-\\d{4})\\b"),
            new Common("stage", "\\bin stage (\\d+)\\.\\d+"),
            new Common("stage", "\\b(?:ResultStage|ShuffleMapStage) (\\d+)\\b"),
            new Common("executor", "\\bexecutor (\\w+)\\)"),
            new Common("sqlstate", "(?i)\\bSQLSTATE[:=\\s]*\\[?([0-9A-Z]{5})\\b"),
            new Common("query_id", "(?i)\\bquery[ _]id[:=\\s]+([0-9a-f-]{8,}|\\d+)\\b"),
            new Common("model", "(?:Database Error|Compilation Error|Runtime Error|Failure) in model (\\S+) \\("),
            new Common("test", "Failure in test (\\S+) \\("),
            new Common(
                    "dbt_summary",
                    "Done\\. (PASS=\\d+ WARN=\\d+ ERROR=\\d+ SKIP=\\d+(?: NO-OP=\\d+)?(?: REUSED=\\d+)? TOTAL=\\d+)"),
            new Common("conn_id", "Using connection ID '([^']+)'"),
            new Common("conn_id", "\\bconn_id[=:] ?['\"`]?([\\w-]+)"),
            new Common(
                    "run_id",
                    "<TaskInstance: \\S+ ((?:scheduled|manual|backfill|dataset_triggered|asset_triggered)__[^ \\]]+)"),
            new Common("host", "connection to server at \"([^\"]+)\""),
            new Common("host", "\\bon host ([\\w-]+(?:\\.[\\w-]+)+)"));

    /** Looked for only in the proof lines and the root cause: elsewhere they would name the wrong thing. */
    private static final List<Common> NEAR = List.of(
            new Common("exception", "(?<![\\w.])((?:[A-Za-z_][\\w]*\\.)*[A-Z][\\w]*(?:Exception|Error))(?::|$)"),
            new Common("error_code", "An error occurred \\((\\w+)\\)"),
            new Common("error_code", "\\b(\\d{6}) \\(\\w{5}\\)"),
            new Common("error_code", "(?:HTTP Error |Status Code: |status code:? )(\\d{3})\\b"),
            new Common(
                    "error_code", "\\b(\\d{3}) (?:Client Error|Server Error|Too Many Requests|Forbidden|Unauthorized)"),
            new Common("error_code", "(?i)(?:exit ?code(?: is)?|exit status)[:= ]*(1[2-4]\\d)\\b"),
            new Common("error_code", "\\bcode:\\s+(\\d{4,5})\\b"),
            // Spark and Databricks error classes are their error codes
            new Common("error_code", "\\[([A-Z][A-Z0-9_]{3,}(?:\\.[A-Z0-9_]+)?)\\]"),
            new Common("path", "((?:s3a?|gs|hdfs|abfss?|wasbs?|dbfs|file)://[^\\s'\",;)\\]]+)"),
            new Common("path", "['\"](/[\\w.@~+-]+(?:/[\\w.@~=+-]+)+)['\"]"),
            new Common(
                    "path",
                    "(?<![\\w/.:])(/(?:opt|data|mnt|tmp|home|usr|var|srv|dbfs|Volumes)/[\\w.@~=+-]+(?:/[\\w.@~=+-]+)*)"));

    private record Common(String key, Pattern pattern) {
        Common(String key, String regex) {
            this(key, Pattern.compile(regex));
        }
    }

    private EntityExtractor() {}

    static void fromRule(
            LogDocument doc, Rule rule, List<LogLine> proof, Optional<ThrownException> root, Map<String, String> out) {
        for (Map.Entry<String, List<String>> e : rule.entities().entrySet()) {
            for (String regex : e.getValue()) {
                Optional<String> v = search(doc, Pattern.compile(regex), proof, root);
                if (v.isPresent()) {
                    out.putIfAbsent(e.getKey(), v.get());
                    break;
                }
            }
        }
    }

    /** Entities near the proof: the first match in the proof lines, then in the root-cause message. */
    static void near(List<LogLine> proof, Optional<ThrownException> root, Map<String, String> out) {
        for (Common c : NEAR) {
            if (out.containsKey(c.key())) {
                continue;
            }
            for (LogLine l : proof) {
                Optional<String> v = first(c.pattern(), l.message());
                if (v.isPresent()) {
                    out.put(c.key(), v.get());
                    break;
                }
            }
            if (!out.containsKey(c.key()) && root.isPresent()) {
                first(c.pattern(), root.get().message()).ifPresent(v -> out.put(c.key(), v));
            }
        }
    }

    static void common(LogDocument doc, Optional<ThrownException> root, Map<String, String> out) {
        // the exception that explains the failure, never a wrapper like AirflowException or Py4JJavaError
        root.filter(r -> !ExceptionChain.isWrapper(r)).ifPresent(r -> out.putIfAbsent("exception", r.className()));
        for (Common c : COMMON) {
            if (out.containsKey(c.key())) {
                continue;
            }
            // Airflow coordinates are most reliable on the closing lines; Spark ids on the failing ones
            for (int i = doc.lines().size() - 1; i >= 0; i--) {
                Matcher m = c.pattern().matcher(doc.lines().get(i).message());
                if (m.find() && !value(m).isBlank()) {
                    out.put(c.key(), value(m));
                    break;
                }
            }
        }
    }

    /** Proof lines first, then the root cause, then every kept line from the end. */
    private static Optional<String> search(
            LogDocument doc, Pattern p, List<LogLine> proof, Optional<ThrownException> root) {
        for (LogLine l : proof) {
            Optional<String> v = first(p, l.message());
            if (v.isPresent()) {
                return v;
            }
        }
        if (root.isPresent()) {
            Optional<String> v = first(p, root.get().message());
            if (v.isPresent()) {
                return v;
            }
        }
        List<LogLine> lines = new ArrayList<>(doc.lines());
        for (int i = lines.size() - 1; i >= 0; i--) {
            Optional<String> v = first(p, lines.get(i).message());
            if (v.isPresent()) {
                return v;
            }
        }
        return Optional.empty();
    }

    private static Optional<String> first(Pattern p, String text) {
        Matcher m = p.matcher(text);
        while (m.find()) {
            String v = value(m);
            if (!v.isBlank()) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }

    private static String value(Matcher m) {
        try {
            String v = m.group("v");
            if (v != null) {
                return v;
            }
        } catch (IllegalArgumentException noNamedGroup) {
            // fall through to the numbered groups
        }
        for (int g = 1; g <= m.groupCount(); g++) {
            if (m.group(g) != null) {
                return m.group(g);
            }
        }
        return m.group();
    }
}
