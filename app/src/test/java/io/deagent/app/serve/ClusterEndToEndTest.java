package io.deagent.app.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deagent.runtime.WebhookSignature;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code de-agent serve} processes on one real PostgreSQL. Every event is posted twice, to different
 * replicas; one replica is killed with SIGKILL in the middle of the stream and started again. Every
 * acknowledged event must end as exactly one diagnosed incident, counted once; forged and stale requests
 * must change nothing.
 */
class ClusterEndToEndTest {

    static final String SECRET = "cluster-secret";
    static final ObjectMapper JSON = new ObjectMapper();
    static final int EVENTS = 80;
    static final String[] LOGS = {
        "Traceback (most recent call last):\n  File \"/opt/airflow/dags/orders.py\", line 40, in load\n"
                + "psycopg2.errors.UndefinedColumn: column \"customer_idd\" does not exist\n",
        "ERROR Executor: Exception in task 117.3 in stage 12.0 (TID 4511)\njava.lang.OutOfMemoryError: Java heap space\n"
                + "\tat java.util.Arrays.copyOf(Arrays.java:3236)\n",
        "botocore.exceptions.ClientError: An error occurred (ExpiredToken) when calling the PutObject operation:"
                + " The provided token has expired.\n",
    };

    @TempDir
    Path dir;

    EmbeddedPostgres pg;
    final Map<String, Process> replicas = new HashMap<>();
    final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @AfterEach
    void stopAll() throws IOException {
        replicas.values().forEach(Process::destroyForcibly);
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    void every_acknowledged_event_is_exactly_one_diagnosed_incident_across_a_kill_and_restart() throws Exception {
        pg = EmbeddedPostgres.builder().start();
        try (Connection c = pg.getPostgresDatabase().getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE cluster");
        }
        String url = pg.getJdbcUrl("postgres", "cluster");
        int portA = freePort();
        int portB = freePort();
        start("a", portA, url);
        start("b", portB, url);
        awaitReady(portA);
        awaitReady(portB);

        Set<String> acknowledged = new LinkedHashSet<>();
        int refusedWhileDown = 0;
        for (int i = 0; i < EVENTS; i++) {
            if (i == EVENTS / 3) {
                // a burst that only replica a acknowledges, then SIGKILL at once (no shutdown hook runs):
                // some of it is still queued or in the middle of its investigation
                acknowledged.addAll(burst(portA, 12));
                replicas.get("a").destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            if (i == EVENTS / 2) {
                start("a", portA, url);
                awaitReady(portA);
            }
            String key = "run-" + i;
            String body = event(key, i);
            int first = i % 2 == 0 ? portA : portB;
            int second = first == portA ? portB : portA;
            for (int port : new int[] {first, second}) {
                int status = post(port, body, Instant.now().getEpochSecond(), SECRET);
                if (status == 202 || status == 200) {
                    acknowledged.add(key);
                } else if (status == -1) {
                    refusedWhileDown++;
                } else {
                    throw new AssertionError("unexpected status " + status + " for " + key);
                }
            }
            // forged and stale copies, to both replicas
            assertThat(post(first, event("forged-" + i, i), Instant.now().getEpochSecond(), "not-the-secret"))
                    .isIn(401, -1);
            assertThat(post(second, event("stale-" + i, i), Instant.now().getEpochSecond() - 600, SECRET))
                    .isIn(401, -1);
        }
        assertThat(acknowledged).hasSize(EVENTS + 12);
        assertThat(refusedWhileDown).isPositive();

        Map<String, List<JsonNode>> byRun = awaitAllFinished(portB, EVENTS + 12);
        assertThat(byRun.keySet()).containsExactlyInAnyOrderElementsOf(acknowledged);
        for (var e : byRun.entrySet()) {
            assertThat(e.getValue()).as("incidents for " + e.getKey()).hasSize(1);
            JsonNode incident = e.getValue().get(0);
            assertThat(incident.get("status").asText()).as(e.getKey()).isEqualTo("done");
            assertThat(incident.at("/diagnosis/category").asText()).isNotEqualTo("unknown");
            assertThat(incident.get("deliveries").asInt()).isBetween(1, 2);
        }

        try (Connection c = pg.getDatabase("postgres", "cluster").getConnection();
                Statement s = c.createStatement()) {
            // each incident was counted once in the signature statistics: effects happened once
            ResultSet rs = s.executeQuery("SELECT SUM(seen) FROM signature_stats");
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(EVENTS + 12);
            rs = s.executeQuery("SELECT COUNT(*) FROM incidents WHERE attempts > 1");
            rs.next();
            System.out.println("cluster: incidents taken over after the kill: " + rs.getLong(1));
            rs = s.executeQuery("SELECT COUNT(*) FROM incidents WHERE run_id LIKE 'forged-%' OR run_id LIKE 'stale-%'");
            rs.next();
            assertThat(rs.getLong(1)).isZero();
        }

        // a graceful stop (SIGTERM) finishes cleanly
        for (Process p : replicas.values()) {
            p.destroy();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void the_embedded_default_keeps_every_acknowledged_event_across_sigkill() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("embedded").resolve("incidents");
        int port = freePort();
        start("a", port, url);
        awaitReady(port);
        List<String> keys = burst(port, 20);
        replicas.get("a").destroyForcibly().waitFor(10, TimeUnit.SECONDS);

        start("a", port, url);
        awaitReady(port);
        Map<String, List<JsonNode>> byRun = awaitAllFinished(port, 20);
        assertThat(byRun.keySet()).containsExactlyInAnyOrderElementsOf(keys);
        byRun.values().forEach(list -> {
            assertThat(list).hasSize(1);
            assertThat(list.get(0).get("status").asText()).isEqualTo("done");
        });
    }

    /** Posts {@code n} events at once to one replica; returns the keys it acknowledged (all of them). */
    List<String> burst(int port, int n) throws Exception {
        List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            String key = "burst-" + k;
            keys.add(key);
            byte[] bytes = event(key, k).getBytes(StandardCharsets.UTF_8);
            String ts = String.valueOf(Instant.now().getEpochSecond());
            sent.add(http.sendAsync(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/webhooks/airflow"))
                            .header(WebhookSignature.TIMESTAMP_HEADER, ts)
                            .header(WebhookSignature.SIGNATURE_HEADER, new WebhookSignature(SECRET).sign(ts, bytes))
                            .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
                            .build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        for (var f : sent) {
            assertThat(f.get().statusCode()).isEqualTo(202);
        }
        return keys;
    }

    static String event(String run, int i) throws IOException {
        return JSON.writeValueAsString(Map.of(
                "dag_id",
                "cluster_dag",
                "task_id",
                "task_" + (i % 3),
                "run_id",
                run,
                "try_number",
                1,
                "log",
                LOGS[i % LOGS.length]));
    }

    void start(String name, int port, String url) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(
                        java,
                        "-Xmx256m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        "io.deagent.app.Main",
                        "serve",
                        "--port",
                        String.valueOf(port))
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        dir.resolve(name + ".log").toFile()));
        Map<String, String> env = pb.environment();
        env.put("DE_AGENT_DB_URL", url);
        env.put("DE_AGENT_DB_USER", "postgres");
        env.put("DE_AGENT_DB_PASSWORD", "postgres");
        env.put("DE_AGENT_WEBHOOK_SECRET", SECRET);
        env.put("DE_AGENT_BIND", "127.0.0.1");
        env.put("DE_AGENT_LEASE_SECONDS", "3");
        env.put("DE_AGENT_POLL_MILLIS", "100");
        replicas.put(name, pb.start());
    }

    void awaitReady(int port) throws Exception {
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < until) {
            try {
                var r = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (ConnectException notYet) {
                // starting
            }
            Thread.sleep(100);
        }
        throw new AssertionError("replica on port " + port + " not ready in 60 s:\n" + logs());
    }

    /** The status code, or -1 when the replica does not answer (it is down). */
    int post(int port, String body, long timestamp, String secret) throws Exception {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String ts = String.valueOf(timestamp);
        try {
            return http.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/webhooks/airflow"))
                                    .timeout(Duration.ofSeconds(10))
                                    .header(WebhookSignature.TIMESTAMP_HEADER, ts)
                                    .header(
                                            WebhookSignature.SIGNATURE_HEADER,
                                            new WebhookSignature(secret).sign(ts, bytes))
                                    .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .statusCode();
        } catch (IOException down) {
            return -1;
        }
    }

    Map<String, List<JsonNode>> awaitAllFinished(int port, int expected) throws Exception {
        long until = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        Map<String, List<JsonNode>> byRun = Map.of();
        while (System.nanoTime() < until) {
            byRun = new HashMap<>();
            int finished = 0;
            String cursor = null;
            do {
                String q = "/api/incidents?limit=500" + (cursor == null ? "" : "&cursor=" + cursor);
                JsonNode page = JSON.readTree(http.send(
                                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + q))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body());
                for (JsonNode i : page.get("incidents")) {
                    byRun.computeIfAbsent(i.at("/event/run_id").asText(), k -> new ArrayList<>())
                            .add(i);
                    String status = i.get("status").asText();
                    if (status.equals("done") || status.equals("failed")) {
                        finished++;
                    }
                }
                cursor = page.get("next").isNull() ? null : page.get("next").asText();
            } while (cursor != null);
            if (finished >= expected && byRun.size() >= expected) {
                return byRun;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("not every incident finished in 90 s: " + byRun.size() + " found\n" + logs());
    }

    String logs() throws IOException {
        StringBuilder out = new StringBuilder();
        for (String name : replicas.keySet()) {
            Path p = dir.resolve(name + ".log");
            if (Files.exists(p)) {
                List<String> lines = Files.readAllLines(p);
                out.append("--- replica ").append(name).append(" (last 30 lines)\n");
                lines.subList(Math.max(0, lines.size() - 30), lines.size())
                        .forEach(l -> out.append(l).append('\n'));
            }
        }
        return out.toString();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
