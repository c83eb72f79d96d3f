package io.deagent.core.log;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Recognises the line prefixes of the data stack's logs and splits a line into level and message. */
final class LineFormats {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Airflow 2 task log: {@code [2024-03-05, 02:14:07 UTC] {taskinstance.py:2698} ERROR - msg}; MWAA uses {{ }}. */
    private static final Pattern AIRFLOW = Pattern.compile(
            "^\\[(\\d{4}-\\d{2}-\\d{2}[T ,][^\\]]{4,40})\\] \\{\\{?[^}\\s]+:\\d+\\}\\}? ([A-Z]+) - ?(.*)$");
    /** Airflow 3 rendered text: {@code [2025-04-01, 12:00:00] ERROR - msg source=... loc=...}. */
    private static final Pattern AIRFLOW_SHORT =
            Pattern.compile("^\\[(\\d{4}-\\d{2}-\\d{2}[T ,][^\\]]{4,40})\\] ([A-Z]+) - ?(.*)$");
    /** Spark log4j default: {@code 24/03/05 02:14:07 ERROR Executor: msg}. */
    private static final Pattern LOG4J = Pattern.compile(
            "^(\\d{2}/\\d{2}/\\d{2} \\d{2}:\\d{2}:\\d{2}(?:[.,]\\d{3})?) (TRACE|DEBUG|INFO|WARN|ERROR|FATAL) ([^:\\s]+): ?(.*)$");
    /** ISO timestamp, optional thread or logger, then a level: log4j ISO layouts, Python logging, YARN. */
    private static final Pattern ISO_LEVEL = Pattern.compile(
            "^\\[?(\\d{4}-\\d{2}-\\d{2}[ T]\\d{2}:\\d{2}:\\d{2}(?:[.,]\\d+)?(?:Z|[+-]\\d{2}:?\\d{2}| [A-Z]{3})?)\\]?"
                    + "(?:\\s*[-|]?\\s*\\[[^\\]]{0,60}\\])?(?:\\s*[-|]?\\s*[\\w.$]+)?\\s*[-|:]?\\s*\\[?"
                    + "(TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL|CRITICAL|SEVERE)\\]?\\s*[-:|]?\\s*(.*)$");
    /** Python logging default format: {@code ERROR:root:msg}. */
    private static final Pattern PY_LOGGING = Pattern.compile("^(DEBUG|INFO|WARNING|ERROR|CRITICAL):([\\w.]+):(.*)$");
    /** dbt console: {@code 03:14:07  Database Error in model ...}. */
    private static final Pattern TIME_ONLY = Pattern.compile("^\\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)?\\s{1,2}(.*)$");

    private LineFormats() {}

    record Parsed(String message, Optional<String> level, LogLine.Format format, List<ThrownException> jsonErrors) {}

    static Parsed parse(String text, int lineNumber) {
        Parsed p = parseOnce(text, lineNumber);
        // SparkSubmitOperator and friends log another tool's lines inside Airflow's prefix: peel once more.
        if (p.format() == LogLine.Format.AIRFLOW && !p.message().isEmpty()) {
            Parsed inner = parseOnce(p.message(), lineNumber);
            if (inner.format() != LogLine.Format.PLAIN && inner.level().isPresent()) {
                Optional<String> level =
                        severity(inner.level().get()) > severity(p.level().orElse("INFO")) ? inner.level() : p.level();
                return new Parsed(inner.message(), level, p.format(), inner.jsonErrors());
            }
            Matcher t = TIME_ONLY.matcher(p.message());
            if (t.matches()) {
                return new Parsed(t.group(1), p.level(), p.format(), List.of());
            }
        }
        return p;
    }

    private static Parsed parseOnce(String text, int lineNumber) {
        if (text.length() > 1 && text.charAt(0) == '{' && text.charAt(text.length() - 1) == '}') {
            Optional<Parsed> json = parseJson(text, lineNumber);
            if (json.isPresent()) {
                return json.get();
            }
        }
        Matcher m = AIRFLOW.matcher(text);
        if (m.matches()) {
            return new Parsed(m.group(3), Optional.of(normalizeLevel(m.group(2))), LogLine.Format.AIRFLOW, List.of());
        }
        m = AIRFLOW_SHORT.matcher(text);
        if (m.matches()) {
            return new Parsed(m.group(3), Optional.of(normalizeLevel(m.group(2))), LogLine.Format.AIRFLOW, List.of());
        }
        m = LOG4J.matcher(text);
        if (m.matches()) {
            return new Parsed(m.group(4), Optional.of(normalizeLevel(m.group(2))), LogLine.Format.LOG4J, List.of());
        }
        if (!text.isEmpty() && Character.isDigit(text.charAt(0)) || text.startsWith("[")) {
            m = ISO_LEVEL.matcher(text);
            if (m.matches()) {
                return new Parsed(m.group(3), Optional.of(normalizeLevel(m.group(2))), LogLine.Format.LOG4J, List.of());
            }
        }
        m = PY_LOGGING.matcher(text);
        if (m.matches()) {
            return new Parsed(
                    m.group(3), Optional.of(normalizeLevel(m.group(1))), LogLine.Format.PYTHON_LOGGING, List.of());
        }
        m = TIME_ONLY.matcher(text);
        if (m.matches()) {
            return new Parsed(m.group(1), Optional.empty(), LogLine.Format.PLAIN, List.of());
        }
        return new Parsed(text, Optional.empty(), LogLine.Format.PLAIN, List.of());
    }

    /** Airflow 3 (structlog) and Spark 4 structured JSON lines. */
    private static Optional<Parsed> parseJson(String text, int lineNumber) {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (Exception notJson) {
            return Optional.empty();
        }
        if (node == null || !node.isObject()) {
            return Optional.empty();
        }
        String message = firstText(node, "event", "msg", "message", "log");
        String level = firstText(node, "level", "levelname", "severity", "log_level");
        List<ThrownException> errors = new ArrayList<>();
        JsonNode detail = node.has("error_detail") ? node.get("error_detail") : node.get("exception");
        if (detail != null && detail.isArray()) {
            for (JsonNode e : detail) {
                String type = e.path("exc_type").asText("");
                if (!type.isEmpty()) {
                    errors.add(new ThrownException(
                            type,
                            e.path("exc_value").asText(""),
                            lineNumber,
                            lineNumber,
                            ThrownException.Language.PYTHON,
                            false));
                }
            }
        } else if (detail != null && detail.isObject()) {
            String type = firstText(detail, "class", "exc_type", "type");
            if (!type.isEmpty()) {
                errors.add(new ThrownException(
                        type,
                        firstText(detail, "msg", "message", "exc_value"),
                        lineNumber,
                        lineNumber,
                        ThrownException.Language.JAVA,
                        false));
            }
        }
        if (message.isEmpty() && errors.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> lvl = level.isEmpty() ? Optional.empty() : Optional.of(normalizeLevel(level));
        return Optional.of(new Parsed(message, lvl, LogLine.Format.AIRFLOW_JSON, errors));
    }

    private static String firstText(JsonNode node, String... names) {
        for (String n : names) {
            JsonNode v = node.get(n);
            if (v != null && v.isValueNode()) {
                return v.asText();
            }
        }
        return "";
    }

    static String normalizeLevel(String level) {
        String l = level.toUpperCase(Locale.ROOT);
        return switch (l) {
            case "WARNING" -> "WARN";
            case "SEVERE" -> "ERROR";
            case "CRITICAL" -> "FATAL";
            default -> l;
        };
    }

    private static int severity(String level) {
        return switch (level) {
            case "FATAL" -> 5;
            case "ERROR" -> 4;
            case "WARN" -> 3;
            case "INFO" -> 2;
            default -> 1;
        };
    }
}
