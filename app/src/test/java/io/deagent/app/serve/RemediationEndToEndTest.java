package io.deagent.app.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import io.deagent.runtime.Config;
import io.deagent.runtime.WebhookSignature;
import io.deagent.testkit.FakeGitHubApi;
import io.deagent.testkit.FakePagerDutyApi;
import io.deagent.testkit.FakeSlackApi;
import io.deagent.testkit.GitRepos;
import io.deagent.testkit.SlackRequests;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * detect → diagnose → fix → PR → notify, end to end on real engines where they run here: a failure event whose
 * log points at a PySpark job in a real git repository (a local bare repository, checked with the git command
 * line), the pull request on a fake GitHub API that speaks its wire format, an e-mail in a real SMTP server
 * (GreenMail), the PR link in the alert's Slack thread, and a PagerDuty alert resolved by the next success.
 */
class RemediationEndToEndTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String REPO = "acme/pipelines";
    static final String ROUTING_KEY = "R0UT1NGKEY0123456789ABCDEFGHIJKL";
    static final String JOB = """
            # Tägliche Aggregation der Bestellungen (Größe: ~2 TB)
            from pyspark.sql import SparkSession

            spark = (
                SparkSession.builder.appName("transform_orders")
                .config("spark.executor.memory", "4g")
                .config("spark.executor.cores", "4")
                .getOrCreate()
            )

            orders = spark.read.parquet("s3://lake/orders/")
            by_customer = orders.groupBy("customer_id").count()
            by_customer.write.mode("overwrite").parquet("s3://lake/orders_by_customer/")
            """;
    static final String LOG = """
            [2026-11-20, 03:05:40 UTC] {spark_submit.py:644} INFO - 26/11/20 03:05:40 INFO DAGScheduler: Submitting 400 missing tasks from ShuffleMapStage 12 (MapPartitionsRDD[58] at groupBy at /opt/airflow/jobs/transform_orders.py:13)
            [2026-11-20, 03:11:44 UTC] {spark_submit.py:644} INFO - 26/11/20 03:11:44 ERROR Executor: Exception in task 17.0 in stage 12.0 (TID 4417)
            [2026-11-20, 03:11:44 UTC] {spark_submit.py:644} INFO - java.lang.OutOfMemoryError: Java heap space
            [2026-11-20, 03:11:45 UTC] {spark_submit.py:644} INFO - Traceback (most recent call last):
            [2026-11-20, 03:11:45 UTC] {spark_submit.py:644} INFO -   File "/opt/airflow/jobs/transform_orders.py", line 14, in <module>
            [2026-11-20, 03:11:45 UTC] {spark_submit.py:644} INFO - py4j.protocol.Py4JJavaError: An error occurred while calling o112.parquet.
            [2026-11-20, 03:11:45 UTC] {spark_submit.py:644} INFO - : org.apache.spark.SparkException: Job aborted due to stage failure: Task 17 in stage 12.0 failed 4 times, most recent failure: Lost task 17.3 in stage 12.0 (TID 4420) (10.0.3.17 executor 7): java.lang.OutOfMemoryError: Java heap space
            """;

    @TempDir
    Path dir;

    Path bare;
    FakeGitHubApi github;
    FakeSlackApi slack;
    FakePagerDutyApi pagerDuty;
    GreenMail smtp;
    Service service;
    final Map<String, String> config = new HashMap<>();
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        bare = GitRepos.bareWith(
                dir,
                Map.of(
                        ".de-agent.yml", "remediation:\n  mode: pull-request\n  dags:\n    tags: [autofix]\n",
                        "jobs/transform_orders.py", JOB,
                        "dags/daily_orders.py", "# the DAG\n"));
        github = FakeGitHubApi.start();
        github.addRepository(REPO, "main");
        github.lookUpBranches(REPO, branch -> {
            try {
                return Optional.of(git(dir, "--git-dir", bare.toString(), "rev-parse", "refs/heads/" + branch)
                        .trim());
            } catch (IOException e) {
                return Optional.empty();
            }
        });
        slack = FakeSlackApi.start();
        pagerDuty = FakePagerDutyApi.start();
        smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
        smtp.start();
        config.put("DE_AGENT_DB_URL", "jdbc:h2:file:" + dir.resolve("store"));
        config.put("DE_AGENT_WEBHOOK_SECRET", "webhook-secret");
        config.put("DE_AGENT_BIND", "127.0.0.1");
        config.put("DE_AGENT_POLL_MILLIS", "50");
        config.put("SLACK_BOT_TOKEN", FakeSlackApi.DEFAULT_TOKEN);
        config.put("SLACK_SIGNING_SECRET", SlackServiceTest.SIGNING_SECRET);
        config.put("SLACK_API_URL", slack.baseUrl());
        config.put("SLACK_CHANNELS", SlackServiceTest.CHANNEL);
        config.put("DE_AGENT_REPO_URL", bare.toUri().toString());
        config.put("DE_AGENT_REPO_WORKDIR", dir.resolve("clones").toString());
        config.put("GITHUB_REPOSITORY", REPO);
        config.put("GITHUB_API_URL", github.enterpriseBaseUrl());
        config.put("GITHUB_TOKEN", github.token());
        config.put("DE_AGENT_PUBLIC_URL", "https://de-agent.example");
        config.put("SMTP_HOST", "127.0.0.1");
        config.put("SMTP_PORT", String.valueOf(smtp.getSmtp().getPort()));
        config.put("SMTP_TLS", "none");
        config.put("DE_AGENT_EMAIL_TO", "oncall@example.com");
        config.put("PAGERDUTY_ROUTING_KEY", ROUTING_KEY);
        config.put("PAGERDUTY_EVENTS_URL", pagerDuty.enqueueUrl());
    }

    void startService(Map<String, String> overrides) {
        config.putAll(overrides);
        service = Service.start(Config.of(config), 0, Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        if (service != null) {
            service.close();
        }
        smtp.stop();
        pagerDuty.close();
        slack.close();
        github.close();
    }

    @Test
    void aFailureEndsWithAPushedBranchAPullRequestAnEmailAndThePrLinkInTheThread() throws Exception {
        startService(Map.of());
        String mainBefore =
                git(dir, "--git-dir", bare.toString(), "rev-parse", "main").trim();
        failAndAlert();

        // the pull request, on the branch of this failure kind
        await(() -> !github.pulls(REPO).isEmpty(), "a pull request");
        FakeGitHubApi.PullRequest pr = github.pulls(REPO).get(0);
        assertThat(pr.head()).startsWith("de-agent/out_of_memory_executor/");
        assertThat(pr.base()).isEqualTo("main");
        assertThat(pr.title()).contains("out_of_memory_executor");
        assertThat(pr.body())
                .contains(
                        "## What failed",
                        "`daily_orders` / `transform_orders`",
                        "## Why it is safe",
                        "## How to verify")
                .contains("java.lang.OutOfMemoryError: Java heap space")
                .contains("https://de-agent.example/incidents/");
        assertThat(pr.draft()).isFalse();
        await(() -> github.labels(REPO, pr.number()).contains("de-agent"), "the pull request's labels");
        assertThat(github.labels(REPO, pr.number())).containsExactly("de-agent", "automated-fix");

        // the branch in the real repository holds exactly the patch; main is untouched
        String branchHead = git(dir, "--git-dir", bare.toString(), "rev-parse", "refs/heads/" + pr.head())
                .trim();
        assertThat(git(dir, "--git-dir", bare.toString(), "rev-parse", "main").trim())
                .isEqualTo(mainBefore);
        assertThat(git(dir, "--git-dir", bare.toString(), "log", "-1", "--format=%an|%P", branchHead))
                .isEqualTo("de-agent|" + mainBefore + "\n");
        String patched = git(dir, "--git-dir", bare.toString(), "show", branchHead + ":jobs/transform_orders.py");
        assertThat(patched)
                .contains(".config(\"spark.executor.memory\", \"8g\")")
                .contains("Größe");
        String diff = git(dir, "--git-dir", bare.toString(), "diff", "--stat", mainBefore, branchHead);
        assertThat(diff).contains("jobs/transform_orders.py | 2 +-").contains("1 file changed");

        // the e-mail, with the diagnosis and the pull request
        assertThat(smtp.waitForIncomingEmail(WAIT.toMillis(), 1)).isTrue();
        MimeMessage mail = smtp.getReceivedMessages()[0];
        assertThat(mail.getSubject()).startsWith("[de-agent] daily_orders.transform_orders failed");
        assertThat(GreenMailUtil.getBody(mail)).contains(pr.htmlUrl()).contains("out_of_memory_executor");

        // the PR link in the alert's thread
        try {
            await(() -> slack.calls().stream().anyMatch(c -> c.toString().contains(pr.htmlUrl())), "the PR link");
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + " in Slack; calls: " + slack.calls() + "; incidents: "
                    + get("/api/incidents").body());
        }

        // the incident says what happened to its fix
        JsonNode incidents = JSON.readTree(get("/api/incidents").body()).get("incidents");
        assertThat(incidents).hasSize(1);
        JsonNode remediation = JSON.readTree(
                        get("/api/incidents/" + incidents.get(0).get("id").asText())
                                .body())
                .get("remediation");
        assertThat(remediation.get("state").asText()).isEqualTo("pr_opened");
        assertThat(remediation.get("pr_url").asText()).isEqualTo(pr.htmlUrl());

        // PagerDuty: triggered with a dedup key of the task and signature
        FakePagerDutyApi.Event trigger = pagerDuty.awaitEvent(e -> e.action().equals("trigger"), WAIT);
        assertThat(trigger.dedupKey()).startsWith("de-agent:daily_orders.transform_orders:");

        // the same failure on the next run: a comment on the open pull request, not a second one
        assertThat(webhook(event("scheduled__2026-11-21T03:00:00+00:00")).statusCode())
                .isEqualTo(202);
        await(() -> !github.comments(REPO, pr.number()).isEmpty(), "a comment on the open pull request");
        assertThat(github.pulls(REPO)).hasSize(1);
        assertThat(github.comments(REPO, pr.number()).get(0).body()).contains("happened again");

        // the task succeeds: its alert is resolved
        Map<String, Object> success = new LinkedHashMap<>();
        success.put("state", "success");
        success.put("dag_id", "daily_orders");
        success.put("task_id", "transform_orders");
        success.put("run_id", "scheduled__2026-11-22T03:00:00+00:00");
        HttpResponse<String> ok = webhook(success);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(ok.body()).get("alerts_resolved").asInt()).isEqualTo(1);
        FakePagerDutyApi.Event resolve = pagerDuty.awaitEvent(e -> e.action().equals("resolve"), WAIT);
        assertThat(resolve.dedupKey()).isEqualTo(trigger.dedupKey());
    }

    /** The failure, by webhook with its log, and its alert in Slack: one incident answering in the thread. */
    void failAndAlert() throws Exception {
        String run = "scheduled__2026-11-20T03:00:00+00:00";
        assertThat(webhook(event(run)).statusCode()).isEqualTo(202);
        // the alert for the same failure in Slack: the incident answers in its thread
        ObjectNode alert = SlackServiceTest.alert("1763607700.000100", "2026-11-20T03:00:00+00:00");
        ObjectNode inner = (ObjectNode) alert.get("event");
        inner.put(
                "text",
                inner.get("text")
                        .asText()
                        .replace(
                                "<http://airflow.example/log?",
                                "<http://airflow.example/dags/daily_orders/grid?dag_run_id=scheduled__2026-11-20T03%3A00"
                                        + "%3A00%2B00%3A00&amp;task_id=transform_orders&amp;try_number=1&amp;")
                        .replace("load_orders", "transform_orders")
                        .replace(
                                "psycopg2.errors.UndefinedColumn: column \"customer_idd\" does not exist",
                                "java.lang.OutOfMemoryError: Java heap space"));
        assertThat(slackPost(alert).statusCode()).isEqualTo(200);
    }

    @Test
    void inDryRunModeTheDiffGoesToTheThreadAndNothingIsPushed() throws Exception {
        startService(Map.of("DE_AGENT_REMEDIATION", "dry-run"));
        failAndAlert();
        await(
                () -> slack.calls().stream()
                        .anyMatch(c -> c.toString().contains("Dry run:")
                                && c.toString().contains("+    .config(\\\"spark.executor.memory\\\", \\\"8g\\\")")),
                "the dry-run diff in the thread");
        assertThat(github.pulls(REPO)).isEmpty();
        assertThat(git(dir, "--git-dir", bare.toString(), "for-each-ref", "--format=%(refname)")
                        .trim())
                .isEqualTo("refs/heads/main");
        JsonNode incidents = JSON.readTree(get("/api/incidents").body()).get("incidents");
        assertThat(incidents.get(0).get("remediation").get("state").asText()).isEqualTo("dry_run");
        assertThat(incidents.get(0).get("remediation").get("dry_run").asBoolean())
                .isTrue();
    }

    static Map<String, Object> event(String run) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("dag_id", "daily_orders");
        e.put("task_id", "transform_orders");
        e.put("run_id", run);
        e.put("try_number", 1);
        e.put("tags", List.of("autofix", "spark"));
        e.put("owner", "data-platform");
        e.put("dag_file", "/opt/airflow/dags/daily_orders.py");
        e.put("log", LOG);
        return e;
    }

    HttpResponse<String> webhook(Map<String, Object> event) throws Exception {
        byte[] bytes = JSON.writeValueAsBytes(event);
        String ts = String.valueOf(Instant.now().getEpochSecond());
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + "/webhooks/airflow"))
                        .header(WebhookSignature.TIMESTAMP_HEADER, ts)
                        .header(
                                WebhookSignature.SIGNATURE_HEADER,
                                new WebhookSignature("webhook-secret").sign(ts, bytes))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> slackPost(JsonNode body) throws Exception {
        URI events = URI.create("http://127.0.0.1:" + service.port() + "/slack/events");
        return http.send(
                SlackRequests.eventPost(
                        events, SlackServiceTest.SIGNING_SECRET, Instant.now().getEpochSecond(), body.toString(), 0),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("waited " + WAIT.toSeconds() + " s for " + what);
            }
            Thread.sleep(50);
        }
    }

    static String git(Path cwd, String... args) throws IOException {
        return GitRepos.git(cwd, args);
    }
}
