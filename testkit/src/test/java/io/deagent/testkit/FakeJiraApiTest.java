package io.deagent.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deagent.testkit.FakeJiraApi.Route;
import io.deagent.testkit.FakeJiraApi.Trouble;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The fake driven with the JDK client, replaying the Jira Cloud v3 create-issue sample. */
class FakeJiraApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final FakeJiraApi jira = FakeJiraApi.start().addProject("DT", "Data Team");
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String auth = basic(FakeJiraApi.DEFAULT_EMAIL, FakeJiraApi.DEFAULT_API_TOKEN);

    @AfterEach
    void stop() {
        jira.close();
    }

    @Test
    void theSampleRequestCreatesAnIssueThatCanBeReadBack() throws Exception {
        String sample = sample();

        HttpResponse<String> created = post(sample, auth);

        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(JSON.readTree(created.body()))
                .isEqualTo(JSON.readTree("{\"id\":\"10000\",\"key\":\"DT-1\",\"self\":\"" + jira.baseUrl()
                        + "/rest/api/3/issue/10000\"}"));
        FakeJiraApi.Issue issue = jira.issue("DT-1").orElseThrow();
        assertThat(issue.summary()).isEqualTo("JIRA REST via postman");
        assertThat(issue.issueType()).isEqualTo("Task");
        assertThat(issue.description()).isEqualTo(JSON.readTree(sample).at("/fields/description"));
        assertThat(issue.reporterAccountId()).isEqualTo(FakeJiraApi.ACCOUNT_ID);

        HttpResponse<String> byKey = get("/rest/api/3/issue/DT-1", auth);
        HttpResponse<String> byId = get("/rest/api/3/issue/10000", auth);
        assertThat(byKey.statusCode()).isEqualTo(200);
        JsonNode read = JSON.readTree(byKey.body());
        assertThat(read.get("key").asText()).isEqualTo("DT-1");
        assertThat(read.at("/fields/summary").asText()).isEqualTo("JIRA REST via postman");
        assertThat(read.at("/fields/issuetype/name").asText()).isEqualTo("Task");
        assertThat(read.at("/fields/project/key").asText()).isEqualTo("DT");
        assertThat(read.at("/fields/status/name").asText()).isEqualTo("To Do");
        assertThat(read.at("/fields/description")).isEqualTo(issue.description());
        assertThat(read.at("/fields/created").asText())
                .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\+0000");
        assertThat(JSON.readTree(byId.body()).get("key").asText()).isEqualTo("DT-1");
        assertThat(jira.calls(Route.CREATE_ISSUE).get(0).json()).isEqualTo(JSON.readTree(sample));
    }

    @Test
    void keysCountPerProjectAndIdsAcrossTheSite() throws Exception {
        jira.addProject("OPS", "Operations", "Incident", "Task");

        post(sample(), auth);
        post(issue("DT", "Task", "second"), auth);
        HttpResponse<String> ops = post(issue("OPS", "Incident", "third"), auth);

        assertThat(jira.issues()).extracting(FakeJiraApi.Issue::key).containsExactly("DT-1", "DT-2", "OPS-1");
        assertThat(jira.issues()).extracting(FakeJiraApi.Issue::id).containsExactly("10000", "10001", "10002");
        assertThat(JSON.readTree(ops.body()).get("key").asText()).isEqualTo("OPS-1");
    }

    @Test
    void aPlainStringDescriptionIsRefusedAsVersion3Does() throws Exception {
        ObjectNode body = (ObjectNode) JSON.readTree(sample());
        ((ObjectNode) body.get("fields")).put("description", "creating an issue using project keys");

        HttpResponse<String> r = post(body.toString(), auth);

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()))
                .isEqualTo(JSON.readTree("{\"errorMessages\":[],\"errors\":{\"description\":"
                        + "\"Operation value must be an Atlassian Document\"}}"));
        assertThat(jira.issues()).isEmpty();
    }

    @Test
    void missingAndUnknownFieldsAreFieldErrors() throws Exception {
        jira.requireField("DT", "customfield_10010", "Team");
        ObjectNode body = JSON.createObjectNode();
        ObjectNode fields = body.putObject("fields");
        fields.putObject("project").put("key", "DT");
        fields.putArray("labels").add("data incident");
        fields.put("customfield_99999", "x");
        ObjectNode badAdf = fields.putObject("description").put("type", "doc").put("version", 1);
        badAdf.putArray("content")
                .addObject()
                .put("type", "paragraph")
                .putArray("content")
                .addObject()
                .put("type", "text")
                .put("text", "");

        JsonNode errors = JSON.readTree(post(body.toString(), auth).body()).get("errors");

        assertThat(errors.get("issuetype").asText()).isEqualTo("Specify an issue type");
        assertThat(errors.get("summary").asText()).isEqualTo("You must specify a summary of the issue.");
        assertThat(errors.get("description").asText()).isEqualTo("INVALID_INPUT");
        assertThat(errors.get("labels").asText())
                .isEqualTo("The label 'data incident' contains spaces which is invalid.");
        assertThat(errors.get("customfield_10010").asText()).isEqualTo("Team is required.");
        assertThat(errors.get("customfield_99999").asText())
                .isEqualTo("Field 'customfield_99999' cannot be set. It is not on the appropriate screen, or unknown.");

        ObjectNode withTeam = (ObjectNode) JSON.readTree(issue("DT", "Task", "ok"));
        ((ObjectNode) withTeam.get("fields")).put("customfield_10010", "data-platform");
        assertThat(post(withTeam.toString(), auth).statusCode()).isEqualTo(201);
        assertThat(jira.issue("DT-1")
                        .orElseThrow()
                        .fields()
                        .get("customfield_10010")
                        .asText())
                .isEqualTo("data-platform");
    }

    @Test
    void anUnknownProjectOrIssueTypeOrATooLongSummaryIsRefused() throws Exception {
        HttpResponse<String> project = post(issue("NOPE", "Task", "s"), auth);
        HttpResponse<String> type = post(issue("DT", "Incident", "s"), auth);
        HttpResponse<String> longSummary = post(issue("DT", "Task", "x".repeat(256)), auth);

        assertThat(project.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(project.body()))
                .isEqualTo(JSON.readTree(
                        "{\"errorMessages\":[],\"errors\":{\"project\":\"Specify a valid project ID or key\"}}"));
        assertThat(JSON.readTree(type.body()).at("/errors/issuetype").asText())
                .isEqualTo("The issue type selected is invalid.");
        assertThat(JSON.readTree(longSummary.body()).at("/errors/summary").asText())
                .isEqualTo("Summary must be less than 255 characters.");
        assertThat(jira.issues()).isEmpty();
    }

    @Test
    void requestsWithoutTheRightBasicAuthAre401AndMyselfAnswersWithIt() throws Exception {
        HttpResponse<String> none = post(sample(), null);
        HttpResponse<String> wrong = post(sample(), basic(FakeJiraApi.DEFAULT_EMAIL, "not-the-token"));
        HttpResponse<String> bearer = get("/rest/api/3/myself", "Bearer " + FakeJiraApi.DEFAULT_API_TOKEN);
        HttpResponse<String> me = get("/rest/api/3/myself", auth);

        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.body()).isEqualTo("Client must be authenticated to access this resource.");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.headers().firstValue("X-Seraph-LoginReason")).contains("AUTHENTICATED_FAILED");
        assertThat(bearer.statusCode()).isEqualTo(401);
        assertThat(jira.issues()).isEmpty();
        assertThat(me.statusCode()).isEqualTo(200);
        JsonNode myself = JSON.readTree(me.body());
        assertThat(myself.get("accountId").asText()).isEqualTo(FakeJiraApi.ACCOUNT_ID);
        assertThat(myself.get("emailAddress").asText()).isEqualTo(FakeJiraApi.DEFAULT_EMAIL);
        assertThat(myself.get("active").asBoolean()).isTrue();
        assertThat(jira.calls(Route.MYSELF)).hasSize(2);
        assertThat(jira.calls(Route.CREATE_ISSUE).get(0).basicCredentials()).isEmpty();
    }

    @Test
    void badRequestsGetJirasAnswers() throws Exception {
        HttpResponse<String> missing = get("/rest/api/3/issue/DT-9", auth);
        HttpResponse<String> notJson = post("{\"fields\":", auth);
        HttpResponse<String> form = http.send(
                HttpRequest.newBuilder(URI.create(jira.baseUrl() + "/rest/api/3/issue"))
                        .header("Authorization", auth)
                        .header("Content-Type", "text/plain")
                        .POST(HttpRequest.BodyPublishers.ofString(sample()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> v2 = get("/rest/api/2/issue/DT-1", auth);

        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(missing.body()))
                .isEqualTo(JSON.readTree("{\"errorMessages\":[\"Issue does not exist or you do not have permission"
                        + " to see it.\"],\"errors\":{}}"));
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(notJson.body()).get("errorMessages")).hasSize(1);
        assertThat(form.statusCode()).isEqualTo(415);
        assertThat(v2.statusCode()).isEqualTo(404);
    }

    @Test
    void plannedTroubleComesFirstThenTheNormalAnswer() throws Exception {
        jira.failNext(Route.CREATE_ISSUE, 1, Trouble.rateLimited(7))
                .failNext(Route.CREATE_ISSUE, 1, Trouble.status(503, "Service Unavailable"))
                .failNext(Route.CREATE_ISSUE, 1, Trouble.drop())
                .failNext(Route.CREATE_ISSUE, 1, Trouble.hang());

        HttpResponse<String> limited = post(sample(), auth);
        HttpResponse<String> unavailable = post(sample(), auth);
        assertThatThrownBy(() -> post(sample(), auth)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> send(HttpRequest.newBuilder(URI.create(jira.baseUrl() + "/rest/api/3/issue"))
                        .timeout(Duration.ofMillis(300))
                        .header("Authorization", auth)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(sample()))))
                .isInstanceOf(HttpTimeoutException.class);
        HttpResponse<String> ok = post(sample(), auth);

        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).contains("7");
        assertThat(unavailable.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(unavailable.body()).get("errorMessages").get(0).asText())
                .isEqualTo("Service Unavailable");
        assertThat(ok.statusCode()).isEqualTo(201);
        assertThat(jira.issues()).extracting(FakeJiraApi.Issue::key).containsExactly("DT-1");
        assertThat(jira.awaitCall(Route.CREATE_ISSUE, c -> true, Duration.ofSeconds(1))
                        .json()
                        .at("/fields/summary")
                        .asText())
                .isEqualTo("JIRA REST via postman");
        assertThat(jira.calls(Route.CREATE_ISSUE)).hasSize(5);
    }

    // ---- helpers ----

    private static String issue(String project, String type, String summary) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode fields = body.putObject("fields");
        fields.putObject("project").put("key", project);
        fields.put("summary", summary);
        fields.putObject("issuetype").put("name", type);
        return body.toString();
    }

    private HttpResponse<String> post(String body, String authorization) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(jira.baseUrl() + "/rest/api/3/issue"))
                .timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return send(b);
    }

    private HttpResponse<String> get(String path, String authorization) throws IOException, InterruptedException {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(jira.baseUrl() + path)).timeout(Duration.ofSeconds(5));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return send(b);
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws IOException, InterruptedException {
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String email, String token) {
        return "Basic " + Base64.getEncoder().encodeToString((email + ":" + token).getBytes(StandardCharsets.UTF_8));
    }

    private static String sample() throws IOException {
        String resource = "reference/jira/create_issue_v3_request.json";
        try (InputStream in = FakeJiraApiTest.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("missing test resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
