package io.deagent.slack.alert;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the words of an alert (or a pasted log) say about the failed task. Ids are taken as written; the
 * caller checks their length. Sources, most trusted first: labelled lines ({@code *Dag*: x}), key=value
 * ({@code dagid=*x*}, {@code dag_id=x}), structures Airflow prints ({@code <TaskInstance: d.t run [failed]>},
 * log file names), then sentences of known templates ({@code The dag x failed}).
 *
 * @param exceptionLines the lines that hold the exception, so that its words ("…failed…") are not read as
 *     the alert's own status
 */
record AlertFields(
        Optional<String> dagId,
        Optional<String> taskId,
        Optional<String> runId,
        Optional<Integer> tryNumber,
        Optional<Integer> maxTries,
        Optional<Integer> mapIndex,
        Optional<String> logicalDate,
        Optional<String> logUrl,
        Optional<String> exception,
        Optional<String> hostname,
        Optional<String> owner,
        Optional<String> operator,
        Optional<String> state,
        List<String> exceptionLines) {

    private static final String ID = "[\\p{L}\\p{N}_.\\-]+";

    private static final Pattern LABEL_LINE = Pattern.compile("^[\\s>•\\-]*([A-Za-z][A-Za-z _\\-]{0,30}?)\\s*:.*$");
    private static final Pattern KEY_VALUE = Pattern.compile(
            "(?i)(?<![\\w])(dag_?id|task_?id|dag_run_id|run_?id|try_number|map_index|execution_date|logical_date)"
                    + "\\s*=\\s*['\"]?([^\\s,&'\";|)\\]]+)");
    /** {@code <TaskInstance: dag.task run_id [map_index=n] [state]>} from the e-mail subject and log lines. */
    private static final Pattern TASK_INSTANCE =
            Pattern.compile("<TaskInstance:\\s*(" + ID + ")\\s+(\\S+)(?:\\s+map_index=(-?\\d+))?\\s+\\[(\\w+)\\]>");
    /** {@code Running: ['airflow', 'tasks', 'run', 'dag', 'task', 'run_id', …]} from the task runner. */
    private static final Pattern RUNNER_ARGS =
            Pattern.compile("\\['airflow',\\s*'tasks',\\s*'run',\\s*'(" + ID + ")',\\s*'(" + ID + ")',\\s*'([^']+)'");
    /** Airflow 2.3+ log file name: {@code dag_id=d/run_id=r/task_id=t[/map_index=n]/attempt=2.log}. */
    private static final Pattern LOG_FILE = Pattern.compile(
            "dag_id=(" + ID + ")/run_id=([^/\\s]+)/task_id=(" + ID + ")/(?:map_index=(\\d+)/)?attempt=(\\d+)\\.log");
    /** Older MWAA CloudWatch stream: {@code log_stream: dag/task/2023-01-14T06_00_00+00_00/2.log}. */
    private static final Pattern LOG_STREAM =
            Pattern.compile("log_stream:\\s*(" + ID + ")/(" + ID + ")/([^/\\s]+)/(\\d+)\\.log");
    /** Template {@code {dag} Failure! Task failed: {task} Check log at: {run_id}}. */
    private static final Pattern DAG_FAILURE_BANG =
            Pattern.compile("(?i)(?<![\\S])(" + ID + ")[ \\t]+Failure![ \\t]*Task failed:[ \\t]*(" + ID + ")");

    private static final Pattern TASK_FAILED_COLON = Pattern.compile("(?i)\\btask failed:[ \\t]*(" + ID + ")");
    /** Words that follow "dag"/"task" in a sentence without being an id ("A DAG just failed"). */
    private static final String NOT_AN_ID = "(?!(?:just|has|had|have|run|runs|that|which|is|was|instance|id|"
            + "failed|failure|also|already|itself)\\b)";
    // Sentences stay on one line ("[ \\t]"), so that a title and the next line do not read as one.
    private static final Pattern DAG_FAILED = Pattern.compile("(?i)\\bdag[ \\t]+" + NOT_AN_ID + "(" + ID
            + ")[ \\t]+(?:has[ \\t]+|had[ \\t]+|have[ \\t]+)?(?:just[ \\t]+)?failed\\b");
    private static final Pattern TASK_FAILED = Pattern.compile("(?i)\\btask[ \\t]+" + NOT_AN_ID + "(" + ID
            + ")[ \\t]+(?:has[ \\t]+|had[ \\t]+)?(?:just[ \\t]+)?failed\\b");
    private static final Pattern TRY_OF =
            Pattern.compile("(?i)\\b(?:try|attempt)\\s+(\\d{1,4})\\s*(?:(?:out\\s+)?of|/)\\s*(\\d{1,4})\\b");
    private static final Pattern RUN_ID_TOKEN = Pattern.compile(
            "(?<![\\w])((?:scheduled|manual|backfill|dataset_triggered|asset_triggered)__[^\\s|>)\\]'\",*]+)");
    private static final Pattern LEADING_INT = Pattern.compile("^#?(\\d{1,9})\\b");
    private static final Pattern EXCEPTION_LINE = Pattern.compile("^(?:Caused by:\\s*)?"
            + "((?:[A-Za-z_][\\w]*\\.)+[A-Z][\\w]*|[A-Z][\\w]*(?:Error|Exception|Exit|Interrupt|Timeout|Failure|Fault))"
            + "(?::\\s+(.+)|:?)$");
    private static final Pattern URL_TEXT = Pattern.compile("(?i)\\bhttps?://\\S+");
    private static final Pattern EXCEPTION_SUFFIX = Pattern.compile(".*(?:Error|Exception|Exit|Interrupt|Timeout)");
    private static final int MAX_EXCEPTION = 2000;

    /** Labels as written (lower case, '_'/'-' as spaces) → the field they fill. */
    private static final Map<String, String> LABELS = Map.ofEntries(
            Map.entry("dag", "dag"),
            Map.entry("dag id", "dag"),
            Map.entry("dagid", "dag"),
            Map.entry("dag name", "dag"),
            Map.entry("failed dag", "dag"),
            Map.entry("task", "task"),
            Map.entry("task id", "task"),
            Map.entry("taskid", "task"),
            Map.entry("task name", "task"),
            Map.entry("failed task", "task"),
            Map.entry("task failed", "task"),
            Map.entry("run", "run"),
            Map.entry("run id", "run"),
            Map.entry("runid", "run"),
            Map.entry("dag run", "run"),
            Map.entry("dag run id", "run"),
            Map.entry("try", "try"),
            Map.entry("try number", "try"),
            Map.entry("attempt", "try"),
            Map.entry("map index", "map"),
            Map.entry("execution time", "date"),
            Map.entry("execution date", "date"),
            Map.entry("exec date", "date"),
            Map.entry("logical date", "date"),
            Map.entry("run date", "date"),
            Map.entry("log url", "log"),
            Map.entry("log", "log"),
            Map.entry("logs", "log"),
            Map.entry("log link", "log"),
            Map.entry("host", "host"),
            Map.entry("hostname", "host"),
            Map.entry("worker", "host"),
            Map.entry("owner", "owner"),
            Map.entry("owners", "owner"),
            Map.entry("operator", "operator"),
            Map.entry("exception", "exception"),
            Map.entry("error", "exception"),
            Map.entry("error message", "exception"),
            Map.entry("exception message", "exception"),
            Map.entry("reason", "exception"));

    /**
     * @param display the text as Slack shows it (links by their label), for sentences
     * @param readable the text with link targets kept ({@link SlackText#unescape}), for field values
     */
    static AlertFields read(String display, String readable) {
        Found f = new Found();
        List<String> lines = readable.lines().toList();
        labelled(lines, f);
        // Ids inside URLs are still percent-encoded; AirflowLogUrl reads those properly.
        String withoutUrls = URL_TEXT.matcher(readable).replaceAll(" ");
        keyValues(withoutUrls, f);
        structures(withoutUrls, f);
        sentences(display, f);
        lastExceptionLine(lines, f);
        return f.build();
    }

    /** True for a line such as {@code psycopg2.errors.UndefinedColumn: column "x" does not exist}. */
    static boolean isExceptionLine(String line) {
        Matcher m = EXCEPTION_LINE.matcher(unfence(line));
        // Without a message only a class named like an exception counts: "a.b.C" alone is any dotted name.
        return m.matches()
                && (m.group(2) != null || EXCEPTION_SUFFIX.matcher(m.group(1)).matches());
    }

    private static void labelled(List<String> lines, Found f) {
        boolean inCode = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            boolean fenced = line.contains("```");
            if (inCode || fenced) {
                inCode ^= countFences(line) % 2 == 1;
                continue; // log text in a code block is not the alert's own fields
            }
            Matcher m = LABEL_LINE.matcher(SlackText.stripEmphasis(line));
            if (!m.matches()) {
                continue;
            }
            String field = LABELS.get(normalLabel(m.group(1)));
            if (field != null) {
                // The value is taken from the line as written: an exception message may hold '*' or '`'.
                apply(field, line.substring(line.indexOf(':') + 1).strip(), lines, i, f);
            }
        }
    }

    private static void apply(String field, String value, List<String> lines, int at, Found f) {
        switch (field) {
            case "dag" -> firstToken(value).ifPresent(f::dag);
            case "task" -> firstToken(value).ifPresent(f::task);
            case "run" -> firstToken(value).ifPresent(f::run);
            case "try" -> leadingInt(value).ifPresent(f::tryNumber);
            case "map" -> leadingInt(value).ifPresent(f::mapIndex);
            case "date" -> freeText(value).ifPresent(f::date);
            case "log" -> firstUrl(value).ifPresent(f::logUrl);
            case "host" -> firstToken(value).ifPresent(f::host);
            case "owner" -> freeText(value).ifPresent(f::owner);
            case "operator" -> firstToken(value).ifPresent(f::operator);
            case "exception" -> exceptionValue(value, lines, at, f);
            default -> throw new IllegalStateException("unmapped label field " + field);
        }
    }

    /** {@code Exception:} with the text on the same line, or (the e-mail template) on the next one. */
    private static void exceptionValue(String value, List<String> lines, int at, Found f) {
        f.exceptionLines.add(lines.get(at));
        String text = value;
        if (text.isEmpty()) {
            for (int j = at + 1; j < lines.size() && text.isEmpty(); j++) {
                text = unfence(lines.get(j));
                if (!text.isEmpty()) {
                    f.exceptionLines.add(lines.get(j));
                }
            }
        }
        String cleaned = unfence(text);
        if (!cleaned.isEmpty()) {
            f.labelledException(cap(cleaned));
        }
    }

    private static void keyValues(String text, Found f) {
        for (String line : text.lines().toList()) {
            Matcher m = KEY_VALUE.matcher(SlackText.stripEmphasis(line));
            while (m.find()) {
                String value = m.group(2);
                switch (m.group(1).toLowerCase(Locale.ROOT).replace("_", "")) {
                    case "dagid" -> f.dag(value);
                    case "taskid" -> f.task(value);
                    case "dagrunid", "runid" -> f.run(value);
                    case "trynumber" -> leadingInt(value).ifPresent(f::tryNumber);
                    case "mapindex" -> leadingInt(value).ifPresent(f::mapIndex);
                    default -> f.date(value);
                }
            }
        }
    }

    private static void structures(String text, Found f) {
        Matcher ti = TASK_INSTANCE.matcher(text);
        if (ti.find()) {
            // "dag.task": dag ids rarely hold a dot, task ids do (task groups), so split at the first one.
            String both = ti.group(1);
            int dot = both.indexOf('.');
            if (dot > 0 && dot < both.length() - 1) {
                f.dag(both.substring(0, dot));
                f.task(both.substring(dot + 1));
            }
            f.run(ti.group(2));
            leadingInt(ti.group(3)).filter(i -> i >= 0).ifPresent(f::mapIndex);
            f.state = Optional.of(ti.group(4).toLowerCase(Locale.ROOT));
        }
        Matcher args = RUNNER_ARGS.matcher(text);
        if (args.find()) {
            f.dag(args.group(1));
            f.task(args.group(2));
            f.run(args.group(3));
        }
        Matcher file = LOG_FILE.matcher(text);
        if (file.find()) {
            f.dag(file.group(1));
            f.run(file.group(2));
            f.task(file.group(3));
            leadingInt(file.group(4)).ifPresent(f::mapIndex);
            leadingInt(file.group(5)).ifPresent(f::tryNumber);
        }
        Matcher stream = LOG_STREAM.matcher(text);
        if (stream.find()) {
            f.dag(stream.group(1));
            f.task(stream.group(2));
            leadingInt(stream.group(4)).ifPresent(f::tryNumber);
        }
        Matcher tries = TRY_OF.matcher(text);
        if (tries.find()) {
            int tryNumber = Integer.parseInt(tries.group(1));
            f.tryNumber(tryNumber);
            // "Try 2 out of 4" prints max_tries + 1.
            f.maxTries = f.maxTries.or(() -> Optional.of(Integer.parseInt(tries.group(2)) - 1));
        }
        Matcher run = RUN_ID_TOKEN.matcher(text);
        if (run.find()) {
            f.run(trimId(run.group(1)));
        }
    }

    private static void sentences(String display, Found f) {
        String text = SlackText.stripEmphasis(display);
        Matcher bang = DAG_FAILURE_BANG.matcher(text);
        if (bang.find()) {
            f.dag(bang.group(1));
            f.task(bang.group(2));
        }
        find(TASK_FAILED_COLON, text, f::task);
        find(DAG_FAILED, text, f::dag);
        find(TASK_FAILED, text, f::task);
    }

    /** The last exception line wins: at the end of a traceback it is the one that was raised. */
    private static void lastExceptionLine(List<String> lines, Found f) {
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (isExceptionLine(lines.get(i))) {
                f.exceptionLines.add(lines.get(i));
                String line = unfence(lines.get(i));
                f.exceptionLine = Optional.of(cap(
                        line.startsWith("Caused by:")
                                ? line.substring("Caused by:".length()).strip()
                                : line));
                return;
            }
        }
    }

    private static void find(Pattern p, String text, Consumer<String> sink) {
        Matcher m = p.matcher(text);
        if (m.find()) {
            sink.accept(m.group(1));
        }
    }

    private static String normalLabel(String label) {
        return label.toLowerCase(Locale.ROOT)
                .replace('_', ' ')
                .replace('-', ' ')
                .replaceAll("\\s+", " ")
                .strip();
    }

    private static Optional<String> firstToken(String value) {
        String v = SlackText.stripEmphasis(value).strip();
        if (v.isEmpty()) {
            return Optional.empty();
        }
        String token = trimId(v.split("\\s+")[0]);
        return token.isEmpty() ? Optional.empty() : Optional.of(token);
    }

    /** Sentence punctuation and wrapping quotes or brackets are not part of an id. */
    private static String trimId(String token) {
        return token.replaceAll("^[\"'(\\[<]+", "").replaceAll("[\"')\\]>.,;:!?]+$", "");
    }

    private static Optional<String> freeText(String value) {
        String v = SlackText.stripEmphasis(value).strip();
        int gap = v.indexOf("  ");
        v = (gap > 0 ? v.substring(0, gap) : v).strip();
        return v.isEmpty() ? Optional.empty() : Optional.of(v);
    }

    private static Optional<String> firstUrl(String value) {
        List<String> urls = SlackText.links(value);
        return urls.isEmpty() ? Optional.empty() : Optional.of(urls.get(0));
    }

    private static Optional<Integer> leadingInt(String value) {
        if (value == null) {
            return Optional.empty();
        }
        Matcher m = LEADING_INT.matcher(SlackText.stripEmphasis(value).strip());
        return m.find() ? Optional.of(Integer.parseInt(m.group(1))) : Optional.empty();
    }

    private static String unfence(String line) {
        return line.replace("```", "").replaceAll("^[\\s>`]+", "").replaceAll("[\\s`]+$", "");
    }

    private static int countFences(String line) {
        int n = 0;
        for (int i = line.indexOf("```"); i >= 0; i = line.indexOf("```", i + 3)) {
            n++;
        }
        return n;
    }

    private static String cap(String s) {
        return s.length() <= MAX_EXCEPTION ? s : s.substring(0, MAX_EXCEPTION) + "…";
    }

    /** Collects values; the first source to fill a field keeps it. */
    private static final class Found {
        Optional<String> dag = Optional.empty();
        Optional<String> task = Optional.empty();
        Optional<String> run = Optional.empty();
        Optional<Integer> tryNumber = Optional.empty();
        Optional<Integer> maxTries = Optional.empty();
        Optional<Integer> mapIndex = Optional.empty();
        Optional<String> date = Optional.empty();
        Optional<String> logUrl = Optional.empty();
        Optional<String> labelledException = Optional.empty();
        Optional<String> exceptionLine = Optional.empty();
        Optional<String> host = Optional.empty();
        Optional<String> owner = Optional.empty();
        Optional<String> operator = Optional.empty();
        Optional<String> state = Optional.empty();
        final List<String> exceptionLines = new ArrayList<>();

        void dag(String v) {
            dag = dag.or(() -> nonEmpty(v));
        }

        void task(String v) {
            task = task.or(() -> nonEmpty(v));
        }

        void run(String v) {
            run = run.or(() -> nonEmpty(v));
        }

        void tryNumber(int v) {
            tryNumber = tryNumber.or(() -> Optional.of(v));
        }

        void mapIndex(int v) {
            mapIndex = mapIndex.or(() -> Optional.of(v));
        }

        void date(String v) {
            date = date.or(() -> nonEmpty(v));
        }

        void logUrl(String v) {
            logUrl = logUrl.or(() -> nonEmpty(v));
        }

        void labelledException(String v) {
            labelledException = labelledException.or(() -> nonEmpty(v));
        }

        void host(String v) {
            host = host.or(() -> nonEmpty(v));
        }

        void owner(String v) {
            owner = owner.or(() -> nonEmpty(v));
        }

        void operator(String v) {
            operator = operator.or(() -> nonEmpty(v));
        }

        private static Optional<String> nonEmpty(String v) {
            return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.strip());
        }

        AlertFields build() {
            // A class-qualified line ("psycopg2.errors.UndefinedColumn: …") says more than a bare message.
            Optional<String> exception = exceptionLine.or(() -> labelledException);
            return new AlertFields(
                    dag,
                    task,
                    run,
                    tryNumber,
                    maxTries,
                    mapIndex,
                    date,
                    logUrl,
                    exception,
                    host,
                    owner,
                    operator,
                    state,
                    List.copyOf(exceptionLines));
        }
    }
}
