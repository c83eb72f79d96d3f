package io.deagent.slack.alert;

import io.deagent.core.FailureEvents;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The task instance an Airflow web-UI or REST URL points at, as alerts carry it in {@code log_url}.
 *
 * <p>Understood forms (formats.md 2.4, 2.5), under any base path such as an Astronomer deployment id:
 *
 * <ul>
 *   <li>Airflow 1.x: {@code /admin/airflow/log?task_id=t&dag_id=d&execution_date=…}
 *   <li>Airflow ≤ 2.9.0: {@code /log?execution_date=…&task_id=t&dag_id=d&map_index=-1}, also {@code /task?…}
 *   <li>Airflow 2.9.1+: {@code /dags/d/grid?dag_run_id=…&task_id=t&tab=logs[&map_index=n]}
 *   <li>Airflow 3: {@code /dags/d/runs/<run>/tasks/<task>[/mapped/<n>][/<tab>][?try_number=n]}, including
 *       3.0.3's missing slash ({@code http://host:8080dags/…})
 *   <li>REST: {@code /api/v1|v2/dags/d/dagRuns/<run>/taskInstances/<task>/logs/<try>}
 * </ul>
 *
 * @param url the URL, Slack entities decoded and the Airflow 3.0.3 slash restored; fetchable as is
 * @param baseUrl scheme, host, port and path prefix of the Airflow web server, without a trailing slash
 * @param executionDate the {@code execution_date}/{@code logical_date} parameter, decoded
 * @param mapIndex the index of a mapped task; Airflow's {@code -1} ("not mapped") is left out
 */
public record AirflowLogUrl(
        String url,
        String baseUrl,
        String dagId,
        Optional<String> taskId,
        Optional<String> runId,
        Optional<String> executionDate,
        Optional<Integer> tryNumber,
        Optional<Integer> mapIndex,
        Platform platform) {

    /** Who runs the web server, told by its host name. */
    public enum Platform {
        SELF_MANAGED,
        MWAA,
        ASTRONOMER,
        CLOUD_COMPOSER
    }

    private static final Pattern URL =
            Pattern.compile("(?i)(https?)://([^/?#\\s]+)([^?#\\s]*)(?:\\?([^#\\s]*))?(?:#\\S*)?");
    /** Airflow 3.0.3 joined base_url and path without a slash (apache/airflow #54247). */
    private static final Pattern MISSING_SLASH =
            Pattern.compile("(?i)^(https?://[^/?#\\s]+?)(dags/[^/?#\\s]+/(?:runs|tasks)/)");
    /** A date whose {@code +00:00} arrived unencoded and was turned into a space by form decoding. */
    private static final Pattern LOST_PLUS =
            Pattern.compile("(\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d+)?)?) (\\d{2}:?\\d{2})$");
    /** Airflow's KEY_REGEX for dag and task ids (task ids carry the task group as a dotted prefix). */
    static final Pattern ID = Pattern.compile("[\\p{L}\\p{N}_.\\-]+");

    /** Query-string pages that name the task instance in their parameters. */
    private static final Set<String> QUERY_PAGES =
            Set.of("log", "get_logs_with_metadata", "task", "rendered-templates", "xcom", "tree", "graph", "gantt");
    /** Pages under {@code /dags/<dag_id>/} in Airflow 2.x and 3.x. */
    private static final Set<String> DAG_PAGES = Set.of(
            "grid",
            "graph",
            "gantt",
            "duration",
            "tries",
            "landing_times",
            "calendar",
            "code",
            "details",
            "audit_log",
            "events",
            "backfills",
            "overview",
            "runs",
            "tasks",
            "task_instances");
    /**
     * Airflow sits at the root of its host or under a short prefix (Astronomer's deployment id, a
     * {@code base_url} path). A longer prefix is some other site with a "dags" folder, such as a GitHub
     * blob URL of the DAG file.
     */
    private static final int MAX_PREFIX_SEGMENTS = 2;
    /** Repositories named "dags" ({@code github.com/acme/dags/tree}) look like a DAG page otherwise. */
    private static final Set<String> CODE_HOSTS =
            Set.of("github.com", "www.github.com", "gitlab.com", "bitbucket.org", "gist.github.com");

    /** Reads an Airflow task-instance URL; empty for any other URL or when an id breaks Airflow's rules. */
    public static Optional<AirflowLogUrl> parse(String url) {
        if (url == null || url.isBlank()) {
            return Optional.empty();
        }
        String cleaned = clean(url);
        Matcher m = URL.matcher(cleaned);
        if (!m.matches()) {
            return Optional.empty();
        }
        String origin = m.group(1).toLowerCase(Locale.ROOT) + "://" + m.group(2);
        List<String> segments =
                Arrays.stream(m.group(3).split("/")).filter(s -> !s.isEmpty()).toList();
        if (CODE_HOSTS.contains(host(m.group(2)))) {
            return Optional.empty();
        }
        Map<String, String> query = query(m.group(4));
        Route route = route(segments, query);
        if (route == null || !valid(route)) {
            return Optional.empty();
        }
        String base = origin
                + String.join(
                        "",
                        segments.subList(0, route.prefix()).stream()
                                .map(s -> "/" + s)
                                .toList());
        return Optional.of(new AirflowLogUrl(
                cleaned,
                base,
                route.dagId(),
                route.taskId(),
                route.runId(),
                date(query.get("execution_date")).or(() -> date(query.get("logical_date"))),
                route.tryNumber().or(() -> number(query.get("try_number"))),
                route.mapIndex().or(() -> number(query.get("map_index"))).filter(i -> i >= 0),
                platform(m.group(2))));
    }

    /** What a route yields before the query-string extras: ids and how many leading segments are the base. */
    private record Route(
            int prefix,
            String dagId,
            Optional<String> taskId,
            Optional<String> runId,
            Optional<Integer> tryNumber,
            Optional<Integer> mapIndex) {}

    private static String clean(String url) {
        String s = url.strip();
        if (s.startsWith("<") && s.endsWith(">")) {
            // A Slack link as written in mrkdwn: <url|label>.
            s = s.substring(1, s.length() - 1);
            int bar = s.indexOf('|');
            s = bar < 0 ? s : s.substring(0, bar);
        }
        s = SlackText.unescapeEntities(s);
        return MISSING_SLASH.matcher(s).replaceFirst("$1/$2");
    }

    /** Finds the Airflow route within the first segments; what precedes it is the base path. */
    private static Route route(List<String> segments, Map<String, String> query) {
        int last = segments.size() - 1;
        for (int i = 0; i <= Math.min(last, MAX_PREFIX_SEGMENTS); i++) {
            String seg = segments.get(i);
            if (seg.equals("api") && i < last && segments.get(i + 1).matches("v[12]")) {
                return restRoute(i, segments.subList(i + 2, segments.size()));
            }
            if (seg.equals("dags")) {
                return dagRoute(i, segments.subList(i + 1, segments.size()), query);
            }
            boolean airflow1 =
                    seg.equals("admin") && i + 2 == last && segments.get(i + 1).equals("airflow");
            if (airflow1 ? QUERY_PAGES.contains(segments.get(last)) : i == last && QUERY_PAGES.contains(seg)) {
                return queryRoute(i, query);
            }
        }
        return null;
    }

    /** {@code /log?dag_id=…}, {@code /task?…}, {@code /admin/airflow/log?…}: everything is in the query. */
    private static Route queryRoute(int prefix, Map<String, String> query) {
        String dagId = query.get("dag_id");
        if (dagId == null) {
            return null;
        }
        return new Route(
                prefix, dagId, optional(query.get("task_id")), runId(query), Optional.empty(), Optional.empty());
    }

    /** {@code /dags/<dag>/grid?…} (Airflow 2) and {@code /dags/<dag>/runs/<run>/tasks/<task>…} (Airflow 3). */
    private static Route dagRoute(int prefix, List<String> rest, Map<String, String> query) {
        if (rest.isEmpty()) {
            return null;
        }
        String dagId = decodePath(rest.get(0));
        List<String> page = rest.subList(1, rest.size());
        if (!page.isEmpty() && !DAG_PAGES.contains(page.get(0))) {
            return null;
        }
        Optional<String> runId = runId(query);
        Optional<String> taskId = optional(query.get("task_id"));
        Optional<Integer> mapIndex = Optional.empty();
        if (page.size() >= 2 && page.get(0).equals("runs")) {
            runId = date(decodePath(page.get(1)));
            page = page.subList(2, page.size());
        }
        if (page.size() >= 2 && page.get(0).equals("tasks")) {
            taskId = Optional.of(decodePath(page.get(1)));
            if (page.size() >= 4 && page.get(2).equals("mapped")) {
                mapIndex = number(page.get(3));
            }
        }
        return new Route(prefix, dagId, taskId, runId, Optional.empty(), mapIndex);
    }

    /** {@code /api/v1/dags/<dag>/dagRuns/<run>/taskInstances/<task>/logs/<try>}. */
    private static Route restRoute(int prefix, List<String> rest) {
        if (rest.size() < 2 || !rest.get(0).equals("dags")) {
            return null;
        }
        String dagId = decodePath(rest.get(1));
        Optional<String> runId = Optional.empty();
        Optional<String> taskId = Optional.empty();
        Optional<Integer> tryNumber = Optional.empty();
        if (rest.size() >= 4 && rest.get(2).equals("dagRuns")) {
            runId = date(decodePath(rest.get(3)));
        }
        if (rest.size() >= 6 && rest.get(4).equals("taskInstances")) {
            taskId = Optional.of(decodePath(rest.get(5)));
        }
        if (rest.size() >= 8 && rest.get(6).equals("logs")) {
            tryNumber = number(rest.get(7));
        }
        return new Route(prefix, dagId, taskId, runId, tryNumber, Optional.empty());
    }

    private static boolean valid(Route r) {
        return validId(r.dagId())
                && r.taskId().map(AirflowLogUrl::validId).orElse(true)
                && r.runId().map(s -> s.length() <= FailureEvents.MAX_ID).orElse(true);
    }

    static boolean validId(String id) {
        return id != null
                && id.length() <= FailureEvents.MAX_ID
                && ID.matcher(id).matches();
    }

    private static Optional<String> runId(Map<String, String> query) {
        return date(query.get("dag_run_id")).or(() -> date(query.get("run_id")));
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                // The first occurrence wins, as in Flask's request.args.get.
                out.putIfAbsent(decodeQuery(pair.substring(0, eq)), decodeQuery(pair.substring(eq + 1)));
            }
        }
        return out;
    }

    private static String decodeQuery(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s; // a stray '%': keep the text rather than lose the parameter
        }
    }

    /** Path segments are percent-encoded only: a '+' in a run id is a plus, not a space. */
    private static String decodePath(String s) {
        return decodeQuery(s.replace("+", "%2B"));
    }

    /** Values that hold a timestamp (dates, run ids) get back a '+' lost to form decoding. */
    private static Optional<String> date(String value) {
        return optional(value).map(v -> LOST_PLUS.matcher(v).replaceFirst("$1+$2"));
    }

    private static Optional<String> optional(String value) {
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
    }

    private static Optional<Integer> number(String value) {
        if (value == null || !value.strip().matches("-?\\d{1,9}")) {
            return Optional.empty();
        }
        return Optional.of(Integer.parseInt(value.strip()));
    }

    private static String host(String authority) {
        String hostPort = authority.substring(authority.lastIndexOf('@') + 1);
        return hostPort.toLowerCase(Locale.ROOT).replaceFirst(":\\d*$", "");
    }

    private static Platform platform(String authority) {
        String host = host(authority);
        if (host.endsWith(".airflow.amazonaws.com")) {
            return Platform.MWAA;
        }
        if (host.endsWith(".astronomer.run")) {
            return Platform.ASTRONOMER;
        }
        if (host.endsWith(".composer.googleusercontent.com")) {
            return Platform.CLOUD_COMPOSER;
        }
        return Platform.SELF_MANAGED;
    }
}
