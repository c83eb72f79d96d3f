package io.deagent.app.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The incidents page and its JSON, spoken to over HTTP on a real server with incidents made by webhooks. */
class IncidentsPageTest {

    static final Instant NOW = Instant.parse("2026-11-20T09:30:00Z");

    @TempDir
    Path dir;

    static String log(String name) throws Exception {
        return Files.readString(Path.of(System.getProperty("deagent.root", ".")).resolve(name));
    }

    static ServedIncidents.Failure failure(String dag, String task, Instant at, String file) throws Exception {
        return new ServedIncidents.Failure(dag, task, at, 1, "SQLExecuteQueryOperator", log(file));
    }

    @Test
    void the_list_filters_in_the_database_and_an_incident_shows_its_evidence_proof_and_timings() throws Exception {
        try (ServedIncidents s = ServedIncidents.start(dir, NOW, Map.of())) {
            var column = failure(
                    "daily_orders",
                    "load_orders",
                    Instant.parse("2026-11-19T03:00:00Z"),
                    "examples/logs/airflow-postgres-missing-column.log");
            s.clock.set(Instant.parse("2026-11-19T03:14:05Z"));
            long first = s.fail(column);
            s.clock.set(Instant.parse("2026-11-20T03:12:00Z"));
            long oom = s.fail(failure(
                    "daily_orders",
                    "transform",
                    Instant.parse("2026-11-20T03:00:00Z"),
                    "examples/logs/spark-executor-oom.log"));
            s.clock.set(Instant.parse("2026-11-20T03:15:00Z"));
            var again = failure(
                    "daily_orders",
                    "load_orders",
                    Instant.parse("2026-11-20T03:00:00Z"),
                    "examples/logs/airflow-postgres-missing-column.log");
            long second = s.fail(again);
            s.alertInSlack(second, again, "1763608500.000100");
            s.react(second, "U0LEAD", "+1");
            s.clock.set(NOW);

            // the JSON gains what the page shows, and keeps what it had
            JsonNode one = s.json("/api/incidents/" + second);
            assertThat(one.at("/diagnosis/category").asText()).isEqualTo("missing_column");
            assertThat(one.get("signature_seen").asInt()).isEqualTo(2);
            assertThat(one.at("/feedback/correct").asInt()).isEqualTo(1);
            assertThat(one.at("/investigation/log_source").asText()).isEqualTo("event");
            assertThat(one.at("/timings/queued_ms").isNumber()).isTrue();
            assertThat(one.at("/replies/0/message_ts").asText()).matches("\\d+\\.\\d+");

            // filters, in /api/incidents and on the page
            assertThat(ids(s.json("/api/incidents?dag_id=daily_orders&task_id=load_orders")))
                    .containsExactly(second, first);
            assertThat(ids(s.json("/api/incidents?category=out_of_memory_executor")))
                    .containsExactly(oom);
            assertThat(ids(s.json("/api/incidents?since=2026-11-20&status=done")))
                    .containsExactly(second, oom);
            assertThat(ids(s.json("/api/incidents?until=2026-11-19"))).containsExactly(first);
            assertThat(ids(s.json("/api/incidents?since=2026-11-20T03:13:00Z&until=2026-11-20T04:00:00%2B00:00")))
                    .containsExactly(second);
            HttpResponse<String> badTime = s.get("/api/incidents?since=yesterday");
            assertThat(badTime.statusCode()).isEqualTo(400);
            assertThat(badTime.body()).contains("since must be an ISO-8601 time");
            assertThat(s.get("/api/incidents?category=oom").body()).contains("category must be a taxonomy label");
            assertThat(s.get("/api/incidents?status=odd").body())
                    .contains("status must be one of queued, investigating, done, failed");

            String all = s.get("/incidents").body();
            assertThat(rows(all)).isEqualTo(3);
            assertThat(all)
                    .contains("daily_orders.load_orders", "missing_column", "referenced column or field does not exist")
                    .contains("<span class=\"seen\">2×</span>")
                    .contains("1 right")
                    .contains(
                            "href=\"http://airflow.example/dags/daily_orders/grid?dag_run_id&#x3D;scheduled__2026-11-20")
                    .contains("#C0ALERTS · 1763608500.000100");
            String filtered = s.get("/incidents?dag_id=daily_orders&category=out_of_memory_executor&status=&since=")
                    .body();
            assertThat(rows(filtered)).isEqualTo(1);
            assertThat(filtered)
                    .contains("daily_orders.transform")
                    .contains("<option value=\"out_of_memory_executor\" selected>");
            HttpResponse<String> bad = s.get("/incidents?until=tomorrow");
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.body()).contains("role=\"alert\">until must be an ISO-8601 time");

            // one incident
            HttpResponse<String> page = s.get("/incidents/" + second);
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body())
                    .contains("<h2 id=\"proof-heading\">Proof lines</h2>")
                    .contains("psycopg2.errors.UndefinedColumn: column &quot;customer_idd&quot; does not exist")
                    .contains("fix_column_reference")
                    .contains("Waited in the queue")
                    .contains("Answered in Slack")
                    .contains("Explained by</dt><dd>the rules")
                    .contains("1 marked it right")
                    .contains("No automatic fix was proposed");
            HttpResponse<String> missing = s.get("/incidents/999999");
            assertThat(missing.statusCode()).isEqualTo(404);
            assertThat(missing.body()).contains("There is no incident 999999.");
            assertThat(s.get("/incidents/abc").statusCode()).isEqualTo(400);
            HttpResponse<String> root = s.get("/");
            assertThat(root.statusCode()).isEqualTo(302);
            assertThat(root.headers().firstValue("Location")).contains("/incidents");

            // patterns, as JSON and on the page
            JsonNode patterns = s.json("/api/patterns?days=7");
            assertThat(patterns.get("days").asInt()).isEqualTo(7);
            assertThat(patterns.get("per_day")).hasSize(3);
            assertThat(patterns.at("/top_signatures/0/count").asInt()).isEqualTo(2);
            assertThat(patterns.at("/top_signatures/0/dags/0/dag_id").asText()).isEqualTo("daily_orders");
            assertThat(patterns.at("/top_signatures/0/last_fix/class").asText()).isEqualTo("fix_column_reference");
            assertThat(patterns.at("/accuracy/0/category").asText()).isEqualTo("missing_column");
            assertThat(patterns.at("/accuracy/0/accuracy").asDouble()).isEqualTo(1.0);
            assertThat(s.get("/api/patterns?days=0").statusCode()).isEqualTo(400);
            String chart = s.get("/patterns?days=7").body();
            assertThat(chart)
                    .contains("<svg class=\"chart\"")
                    .contains("<title>2026-11-20: missing_column 1</title>")
                    .contains("<title>2026-11-20: out_of_memory_executor 1</title>")
                    .contains("3 failures from 2026-11-14 to 2026-11-20")
                    .contains("<th scope=\"row\">2026-11-19</th>");
        }
    }

    @Test
    void everything_is_escaped_links_are_http_only_and_the_policy_allows_only_our_style_and_script() throws Exception {
        try (ServedIncidents s = ServedIncidents.start(dir, NOW, Map.of())) {
            String body = ServedIncidents.JSON.writeValueAsString(Map.of(
                    "dag_id", "<script>alert(1)</script>",
                    "task_id", "t\" onmouseover=\"x",
                    "run_id", "r1",
                    "log_url", "javascript:alert(document.cookie)",
                    "exception", "ValueError: <img src=x onerror=alert(2)>"));
            long id = ServedIncidents.JSON
                    .readTree(s.postWebhook(body).body())
                    .get("id")
                    .asLong();
            s.awaitFinished(id);
            for (String path : new String[] {"/incidents", "/incidents/" + id, "/patterns"}) {
                HttpResponse<String> r = s.get(path);
                assertThat(r.body()).doesNotContain("<script>alert", "<img src=x", "javascript:", "\" onmouseover=");
                String csp = r.headers().firstValue("Content-Security-Policy").orElseThrow();
                assertThat(csp).contains("default-src 'none'", "script-src 'self'", "frame-ancestors 'none'");
                Matcher style =
                        Pattern.compile("<style>(.*?)</style>", Pattern.DOTALL).matcher(r.body());
                assertThat(style.find()).isTrue();
                assertThat(csp).contains("style-src '" + PageRenderer.sha256(style.group(1)) + "'");
                assertThat(r.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
                assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
            }
            assertThat(s.get("/incidents").body()).contains("&lt;script&gt;alert(1)&lt;/script&gt;");
            HttpResponse<String> script = s.get("/ui/page.js");
            assertThat(script.headers().firstValue("Content-Type").orElseThrow())
                    .startsWith("text/javascript");
            assertThat(script.body()).contains("Intl.DateTimeFormat");
        }
    }

    @Test
    void from_elsewhere_the_page_is_refused_unless_a_token_or_the_sso_header_lets_the_client_in() throws Exception {
        String forwarded = "X-Forwarded-For";
        try (ServedIncidents s = ServedIncidents.start(dir.resolve("a"), NOW, Map.of())) {
            assertThat(s.get("/incidents").statusCode()).as("this machine").isEqualTo(200);
            HttpResponse<String> proxied = s.get("/incidents", forwarded, "203.0.113.7");
            assertThat(proxied.statusCode()).as("through a proxy, not local").isEqualTo(403);
            assertThat(proxied.body()).contains("served only to the machine").doesNotContain("<table");
            assertThat(s.get("/api/incidents", forwarded, "203.0.113.7").statusCode())
                    .as("the API keeps its own setting")
                    .isEqualTo(200);
        }
        String token = "0123456789abcdef0123456789abcdef";
        try (ServedIncidents s = ServedIncidents.start(
                dir.resolve("b"),
                NOW,
                Map.of("DE_AGENT_UI_TOKEN", token, "DE_AGENT_UI_AUTH_HEADER", "X-Forwarded-Email"))) {
            HttpResponse<String> ask = s.get("/incidents?status=done", forwarded, "203.0.113.7");
            assertThat(ask.statusCode()).isEqualTo(401);
            assertThat(ask.body()).contains("name=\"token\" type=\"password\"");
            assertThat(s.get("/incidents?token=wrong-token-wrong-token", forwarded, "203.0.113.7")
                            .statusCode())
                    .isEqualTo(401);

            HttpResponse<String> signIn = s.get("/incidents?status=done&token=" + token, forwarded, "203.0.113.7");
            assertThat(signIn.statusCode()).isEqualTo(303);
            assertThat(signIn.headers().firstValue("Location")).contains("/incidents?status=done");
            String cookie = signIn.headers().firstValue("Set-Cookie").orElseThrow();
            assertThat(cookie).contains("HttpOnly", "SameSite=Strict", "Path=/").doesNotContain(token);
            String pair = cookie.substring(0, cookie.indexOf(';'));
            assertThat(s.get("/incidents", forwarded, "203.0.113.7", "Cookie", pair)
                            .statusCode())
                    .isEqualTo(200);
            assertThat(s.get("/incidents", forwarded, "203.0.113.7", "Cookie", "de_agent_ui=forged")
                            .statusCode())
                    .isEqualTo(401);
            assertThat(s.get("/patterns", forwarded, "203.0.113.7", "Authorization", "Bearer " + token)
                            .statusCode())
                    .isEqualTo(200);

            HttpResponse<String> sso =
                    s.get("/incidents", forwarded, "203.0.113.7", "X-Forwarded-Email", "ana<b>@example.com");
            assertThat(sso.statusCode()).isEqualTo(200);
            assertThat(sso.body()).contains("Signed in as ana&lt;b&gt;@example.com");
        }
    }

    @Test
    void a_client_on_another_address_of_this_machine_is_not_loopback() throws Exception {
        Optional<InetAddress> other = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                .filter(n -> {
                    try {
                        return n.isUp() && !n.isLoopback();
                    } catch (java.net.SocketException e) {
                        return false;
                    }
                })
                .flatMap(n -> Collections.list(n.getInetAddresses()).stream())
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress())
                .findFirst();
        assumeThat(other).as("a non-loopback IPv4 address on this machine").isPresent();
        try (ServedIncidents s = ServedIncidents.start(dir, NOW, Map.of("DE_AGENT_BIND", "0.0.0.0"))) {
            String host = other.get().getHostAddress();
            HttpResponse<String> r = s.http.send(
                    HttpRequest.newBuilder(URI.create("http://" + host + ":" + s.service.port() + "/incidents"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(403);
            assertThat(s.get("/incidents").statusCode()).isEqualTo(200);
        }
    }

    static java.util.List<Long> ids(JsonNode list) {
        java.util.List<Long> out = new java.util.ArrayList<>();
        list.get("incidents").forEach(i -> out.add(i.get("id").asLong()));
        return out;
    }

    static int rows(String html) {
        Matcher body = Pattern.compile("<tbody>(.*?)</tbody>", Pattern.DOTALL).matcher(html);
        if (!body.find()) {
            return 0;
        }
        return (int) Pattern.compile("<tr>").matcher(body.group(1)).results().count();
    }
}
